package agent

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync"
)

// Magic opens the agent's stream; a stream that does not start with it is
// not an agent's (an image that bypassed the entrypoint, say).
const Magic = "SYSGATE-AGENT/1\n"

// FrameType says what a frame carries.
type FrameType byte

// The frame types.
const (
	FrameStdout   FrameType = 'o' // the entrypoint's stdout, as it came
	FrameStderr   FrameType = 'e' // the entrypoint's stderr, as it came
	FrameSnapshot FrameType = 's' // the observation so far (JSON)
	FrameNotice   FrameType = 'n' // a line the agent wants the user to read
	FrameReady    FrameType = 'r' // the entrypoint runs and helpers are served (empty)
	FrameEnd      FrameType = 'z' // the last frame (JSON End)
)

// MaxFrame bounds one frame's payload, and so the reader's memory. A
// snapshot is bounded by observation.DefaultLimits well below it.
const MaxFrame = 256 << 20

// End is the payload of the end frame.
type End struct {
	// Status is the entrypoint's exit status (128+N for signal N), or -1
	// when it never started.
	Status int `json:"status"`
	// Error says why the agent failed, when it did.
	Error string `json:"error,omitempty"`
}

// FrameWriter writes frames; it is safe for concurrent use.
type FrameWriter struct {
	mu  sync.Mutex
	w   io.Writer
	err error
}

// NewFrameWriter writes the magic and returns a writer of frames to w.
func NewFrameWriter(w io.Writer) (*FrameWriter, error) {
	if _, err := io.WriteString(w, Magic); err != nil {
		return nil, fmt.Errorf("write the stream header: %w", err)
	}
	return &FrameWriter{w: w}, nil
}

// Write sends one frame. After a failed write every later one fails too: a
// cut stream stays cut.
func (f *FrameWriter) Write(t FrameType, payload []byte) error {
	if len(payload) > MaxFrame {
		return fmt.Errorf("frame of %d bytes exceeds the %d-byte bound", len(payload), MaxFrame)
	}
	var hdr [5]byte
	hdr[0] = byte(t)
	binary.BigEndian.PutUint32(hdr[1:], uint32(len(payload)))
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return f.err
	}
	if _, err := f.w.Write(hdr[:]); err != nil {
		f.err = err
		return err
	}
	if _, err := f.w.Write(payload); err != nil {
		f.err = err
		return err
	}
	return nil
}

// FrameReader reads an agent's stream.
type FrameReader struct {
	r      *bufio.Reader
	header bool
}

// NewFrameReader reads frames from r.
func NewFrameReader(r io.Reader) *FrameReader {
	return &FrameReader{r: bufio.NewReaderSize(r, 64<<10)}
}

// ErrNotAgent is a stream that does not start with Magic.
var ErrNotAgent = errors.New("the container's output is not sysgate's agent stream")

// Next returns the next frame; io.EOF at a clean end between frames,
// io.ErrUnexpectedEOF for a stream cut inside a frame.
func (f *FrameReader) Next() (FrameType, []byte, error) {
	if !f.header {
		got := make([]byte, len(Magic))
		if _, err := io.ReadFull(f.r, got); err != nil {
			if err == io.EOF {
				return 0, nil, io.EOF
			}
			return 0, nil, fmt.Errorf("%w (it ended after %q)", ErrNotAgent, got)
		}
		if string(got) != Magic {
			return 0, nil, fmt.Errorf("%w (it starts with %q)", ErrNotAgent, got)
		}
		f.header = true
	}
	var hdr [5]byte
	if _, err := io.ReadFull(f.r, hdr[:]); err != nil {
		return 0, nil, err
	}
	n := binary.BigEndian.Uint32(hdr[1:])
	if n > MaxFrame {
		return 0, nil, fmt.Errorf("frame of %d bytes exceeds the %d-byte bound", n, MaxFrame)
	}
	payload := make([]byte, n)
	if _, err := io.ReadFull(f.r, payload); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return 0, nil, err
	}
	return FrameType(hdr[0]), payload, nil
}

package scan

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sync"

	"github.com/sysgate/sysgate/agent"
	"github.com/sysgate/sysgate/observation"
)

// maxLogLines bounds the image's output kept for waitFor log steps.
const maxLogLines = 10000

// collector reads the agent's stream: the image's output (relayed to out,
// and kept for log waits), observation snapshots, notices, the end frame.
type collector struct {
	out    io.Writer
	notice func(string)

	mu      sync.Mutex
	changed *sync.Cond
	lines   []string
	partial [2]bytes.Buffer // the unfinished last line of stdout, stderr
	dropped int
	last    *observation.Observation
	end     *agent.End
	ready   bool
	cut     error // why the stream ended without an end frame
	done    bool
}

func newCollector(out io.Writer, notice func(string)) *collector {
	c := &collector{out: out, notice: notice}
	c.changed = sync.NewCond(&c.mu)
	return c
}

// consume reads r to its end.
func (c *collector) consume(r io.Reader) {
	fr := agent.NewFrameReader(r)
	var err error
	for {
		var typ agent.FrameType
		var p []byte
		typ, p, err = fr.Next()
		if err != nil {
			break
		}
		c.frame(typ, p)
	}
	c.mu.Lock()
	if c.end == nil {
		if errors.Is(err, io.EOF) {
			err = errors.New("it ended without the agent's end frame (the container was killed or the agent died)")
		}
		c.cut = err
	}
	c.done = true
	c.changed.Broadcast()
	c.mu.Unlock()
	io.Copy(io.Discard, r) // never block the attach on a stream we no longer read
}

func (c *collector) frame(typ agent.FrameType, p []byte) {
	switch typ {
	case agent.FrameStdout, agent.FrameStderr:
		if c.out != nil {
			c.out.Write(p)
		}
		c.output(typ, p)
	case agent.FrameSnapshot:
		obs := &observation.Observation{}
		if err := json.Unmarshal(p, obs); err != nil {
			c.notice(fmt.Sprintf("a snapshot from the agent could not be read: %v", err))
			return
		}
		c.mu.Lock()
		c.last = obs
		c.mu.Unlock()
	case agent.FrameNotice:
		c.notice(string(p))
	case agent.FrameReady:
		c.mu.Lock()
		c.ready = true
		c.changed.Broadcast()
		c.mu.Unlock()
	case agent.FrameEnd:
		end := &agent.End{}
		if err := json.Unmarshal(p, end); err != nil {
			end = &agent.End{Status: -1, Error: "unreadable end frame: " + err.Error()}
		}
		c.mu.Lock()
		c.end = end
		c.mu.Unlock()
	}
}

// output splits the image's output into lines for log waits.
func (c *collector) output(typ agent.FrameType, p []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	buf := &c.partial[0]
	if typ == agent.FrameStderr {
		buf = &c.partial[1]
	}
	buf.Write(p)
	for {
		line, err := buf.ReadString('\n')
		if err != nil {
			buf.Reset()
			if len(line) > maxLineBytes { // a line without end: cut it into pieces
				c.lines = append(c.lines, line)
				line = ""
			}
			buf.WriteString(line) // the unfinished rest
			break
		}
		c.lines = append(c.lines, clip(line[:len(line)-1]))
	}
	if over := len(c.lines) - maxLogLines; over > 0 {
		c.lines = append([]string(nil), c.lines[over:]...)
		c.dropped += over
	}
	c.changed.Broadcast()
}

// wakeWhenDone wakes the waiters when ctx is done; call the result to stop.
func (c *collector) wakeWhenDone(ctx context.Context) func() bool {
	return context.AfterFunc(ctx, func() {
		c.mu.Lock()
		c.changed.Broadcast()
		c.mu.Unlock()
	})
}

// waitLog waits until a line of the image's output since the start matches
// re, or ctx is done (the step's timeout, the run's, Ctrl-C). It reports
// whether one did.
func (c *collector) waitLog(ctx context.Context, re *regexp.Regexp) bool {
	defer c.wakeWhenDone(ctx)()
	c.mu.Lock()
	defer c.mu.Unlock()
	seen := 0 // lines looked at, counting those trimmed since
	for {
		if seen < c.dropped {
			seen = c.dropped
		}
		for ; seen-c.dropped < len(c.lines); seen++ {
			if re.MatchString(c.lines[seen-c.dropped]) {
				return true
			}
		}
		if c.done || ctx.Err() != nil {
			return false
		}
		c.changed.Wait()
	}
}

// waitReady waits until the agent runs the entrypoint and serves helpers;
// false when the stream ended first or ctx is done.
func (c *collector) waitReady(ctx context.Context) bool {
	defer c.wakeWhenDone(ctx)()
	c.mu.Lock()
	defer c.mu.Unlock()
	for !c.ready && !c.done && ctx.Err() == nil {
		c.changed.Wait()
	}
	return c.ready
}

// maxLineBytes bounds a line kept for log waits and the tail.
const maxLineBytes = 64 << 10

func clip(line string) string {
	if len(line) > maxLineBytes {
		return line[:maxLineBytes]
	}
	return line
}

// tail returns the last n lines of the image's output.
func (c *collector) tail(n int) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.lines) > n {
		return append([]string(nil), c.lines[len(c.lines)-n:]...)
	}
	return append([]string(nil), c.lines...)
}

// started reports whether the agent said the image's command runs.
func (c *collector) started() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ready
}

// result returns the last snapshot, the end frame (nil when none came) and
// why the stream was cut.
func (c *collector) result() (*observation.Observation, *agent.End, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.last, c.end, c.cut
}

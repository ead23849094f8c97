package agent

import (
	"encoding/json"
	"errors"
	"fmt"

	"golang.org/x/sys/unix"
)

// Request is a message to the agent (from a helper) or to the spawner (from
// the agent).
type Request struct {
	Kind string `json:"kind"` // "exec", "mark", "signal", "stop" to the agent; "spawn" to the spawner
	ID   int    `json:"id,omitempty"`
	Step string `json:"step,omitempty"`
	// Argv, Env and Dir describe a command. Env holds KEY=VALUE pairs: to
	// the agent, additions to the container's environment; to the spawner,
	// the whole environment.
	Argv []string `json:"argv,omitempty"`
	Env  []string `json:"env,omitempty"`
	Dir  string   `json:"dir,omitempty"`
	// Signal is sent to the entrypoint (signal, stop).
	Signal int `json:"signal,omitempty"`
	// GraceMillis is how long stop waits before killing everything.
	GraceMillis int64 `json:"graceMillis,omitempty"`
}

// Reply answers a Request.
type Reply struct {
	Kind   string `json:"kind"` // "ok", "started", "exit", "error"
	ID     int    `json:"id,omitempty"`
	PID    int    `json:"pid,omitempty"`
	Status int    `json:"status"`
	// Code is the exit status to use for an error (126, 127, 125).
	Code  int    `json:"code,omitempty"`
	Error string `json:"error,omitempty"`
}

const maxMessage = 64 << 10

// send writes v as one message on a SOCK_SEQPACKET socket, with fds.
func send(fd int, v any, fds ...int) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if len(data) > maxMessage {
		return fmt.Errorf("message of %d bytes exceeds %d", len(data), maxMessage)
	}
	var oob []byte
	if len(fds) > 0 {
		oob = unix.UnixRights(fds...)
	}
	for {
		err = unix.Sendmsg(fd, data, oob, nil, 0)
		if err != unix.EINTR {
			return err
		}
	}
}

// errClosed is the peer's end of a connection.
var errClosed = errors.New("connection closed")

// recv reads one message into v, and the descriptors sent with it
// (close-on-exec).
func recv(fd int, v any) ([]int, error) {
	buf := make([]byte, maxMessage+1)
	oob := make([]byte, unix.CmsgSpace(4*8))
	for {
		n, oobn, _, _, err := unix.Recvmsg(fd, buf, oob, unix.MSG_CMSG_CLOEXEC)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, err
		}
		fds, ferr := rights(oob[:oobn])
		if n == 0 && oobn == 0 {
			return nil, errClosed
		}
		if ferr != nil {
			closeAll(fds)
			return nil, ferr
		}
		if err := json.Unmarshal(buf[:n], v); err != nil {
			closeAll(fds)
			return nil, fmt.Errorf("bad message: %w", err)
		}
		return fds, nil
	}
}

func rights(oob []byte) ([]int, error) {
	if len(oob) == 0 {
		return nil, nil
	}
	msgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		return nil, err
	}
	var fds []int
	for i := range msgs {
		got, err := unix.ParseUnixRights(&msgs[i])
		if err != nil {
			closeAll(fds)
			return nil, err
		}
		fds = append(fds, got...)
	}
	return fds, nil
}

// closeAll closes fds; negative entries are skipped (consumed).
func closeAll(fds []int) {
	for _, fd := range fds {
		if fd >= 0 {
			unix.Close(fd)
		}
	}
}

package sandbox

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"
)

// ServiceDirPrefix starts the name of a private service's temporary directory.
const ServiceDirPrefix = "sysgate-podman-"

// stopGrace is how long a private service gets to exit after SIGTERM.
const stopGrace = 10 * time.Second

// service is a private `podman system service` that Connect started.
type service struct {
	dir    string
	uri    string
	proc   *os.Process
	stderr *tailBuffer
	done   chan struct{} // closed when the process has exited
	err    error         // its exit status, valid after done
}

// startService starts `podman system service --time=0` on a socket in a new
// temporary directory and waits, within timeout, until it answers.
func startService(ctx context.Context, podman string, timeout time.Duration) (*service, context.Context, error) {
	if podman == "" {
		podman = "podman"
	}
	path, err := exec.LookPath(podman)
	if err != nil {
		return nil, nil, fmt.Errorf("cannot start a private service: %w", err)
	}
	if timeout <= 0 {
		timeout = DefaultStartTimeout
	}
	dir, err := os.MkdirTemp("", ServiceDirPrefix)
	if err != nil {
		return nil, nil, fmt.Errorf("private service directory: %w", err)
	}
	s := &service{dir: dir, uri: "unix://" + filepath.Join(dir, "podman.sock"), stderr: &tailBuffer{max: 8 << 10}}
	if err := s.start(path); err != nil {
		os.RemoveAll(dir)
		return nil, nil, err
	}
	conn, err := s.waitReady(ctx, timeout)
	if err != nil {
		s.stop()
		return nil, nil, err
	}
	return s, conn, nil
}

// start runs the service from a goroutine locked to its OS thread, which
// stays until the service exits: Pdeathsig fires when the thread that
// started the child dies, so the service ends with a killed sysgate instead
// of running on forever. Its own process group keeps a terminal's Ctrl-C
// from killing it before sysgate has removed its containers through it.
func (s *service) start(path string) error {
	cmd := exec.Command(path, "system", "service", "--time=0", s.uri)
	cmd.Env = localEnv(os.Environ())
	cmd.Stdout = s.stderr
	cmd.Stderr = s.stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM, Setpgid: true}
	started := make(chan error, 1)
	s.done = make(chan struct{})
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		if err := cmd.Start(); err != nil {
			started <- fmt.Errorf("start %s system service: %w", path, err)
			close(s.done)
			return
		}
		s.proc = cmd.Process
		started <- nil
		s.err = cmd.Wait()
		close(s.done)
	}()
	return <-started
}

// remoteEnv are the variables that turn podman into a client of another
// service, where `system service` does not exist.
var remoteEnv = []string{"CONTAINER_HOST", "CONTAINER_CONNECTION", "CONTAINER_SSHKEY"}

// localEnv is env without remoteEnv: a private service is always local,
// also when $CONTAINER_HOST named a service that did not answer.
func localEnv(env []string) []string {
	var out []string
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		if !slices.Contains(remoteEnv, name) {
			out = append(out, kv)
		}
	}
	return out
}

// waitReady polls the socket until the service answers, it exits, ctx ends
// or timeout passes.
func (s *service) waitReady(ctx context.Context, timeout time.Duration) (context.Context, error) {
	deadline := time.Now().Add(timeout)
	for {
		conn, err := dial(ctx, s.uri, time.Second)
		if err == nil {
			return conn, nil
		}
		select {
		case <-s.done:
			return nil, fmt.Errorf("private service exited (%v) before answering: %s", s.err, s.stderr.String())
		case <-ctx.Done():
			return nil, fmt.Errorf("waiting for private service: %w", ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("private service at %s did not answer within %v (last error: %v); its output: %s",
				s.uri, timeout, err, s.stderr.String())
		}
	}
}

// stop ends the service (SIGTERM, then SIGKILL after stopGrace) and
// removes its directory.
func (s *service) stop() error {
	defer os.RemoveAll(s.dir)
	if s.proc == nil {
		return nil
	}
	select {
	case <-s.done:
		return nil
	default:
	}
	if err := s.proc.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("stop private service: %w", err)
	}
	select {
	case <-s.done:
		return nil
	case <-time.After(stopGrace):
	}
	s.proc.Kill()
	<-s.done
	return fmt.Errorf("private service did not stop within %v of SIGTERM; killed", stopGrace)
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - t.max; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := strings.TrimSpace(string(t.buf))
	if s == "" {
		return "(nothing)"
	}
	return s
}

package agent

import (
	"errors"
	"fmt"
	"sync"

	"golang.org/x/sys/unix"
)

// spawnerConn is the agent's end of the spawner's socket.
type spawnerConn struct {
	fd      int
	pid     int
	mu      sync.Mutex
	nextID  int
	waiting map[int]*running
	closed  bool
}

// running is a command the spawner started, or is starting.
type running struct {
	started chan Reply // the "started" or "error" reply
	pid     int
	exit    chan int // its exit status, once
}

// startError is a command that could not be started: Code is the exit
// status to report (126, 127).
type startError struct {
	code int
	msg  string
}

func (e *startError) Error() string { return e.msg }

func newSpawnerConn(fd int) *spawnerConn {
	return &spawnerConn{fd: fd, waiting: make(map[int]*running)}
}

// hello waits for the spawner's greeting (its pid), then dispatches its
// replies.
func (s *spawnerConn) hello() error {
	var r Reply
	if _, err := recv(s.fd, &r); err != nil {
		return fmt.Errorf("the spawner did not start: %w", err)
	}
	s.pid = r.PID
	go s.dispatch()
	return nil
}

func (s *spawnerConn) dispatch() {
	for {
		var r Reply
		fds, err := recv(s.fd, &r)
		closeAll(fds)
		if err != nil {
			s.failAll()
			return
		}
		s.mu.Lock()
		run := s.waiting[r.ID]
		if r.Kind != "started" {
			delete(s.waiting, r.ID)
		}
		s.mu.Unlock()
		if run == nil {
			continue
		}
		switch r.Kind {
		case "started", "error":
			run.started <- r
		case "exit":
			run.exit <- r.Status
		}
	}
}

// failAll ends every wait when the spawner is gone.
func (s *spawnerConn) failAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	for id, run := range s.waiting {
		select {
		case run.started <- Reply{Kind: "error", Code: 125, Error: "the spawner is gone"}:
		default:
		}
		run.exit <- 128 + int(unix.SIGKILL)
		delete(s.waiting, id)
	}
}

// start asks the spawner to run req with stdin, stdout and stderr.
func (s *spawnerConn) start(req Request, stdin, stdout, stderr int) (*running, error) {
	run := &running{started: make(chan Reply, 1), exit: make(chan int, 1)}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil, errors.New("the spawner is gone")
	}
	s.nextID++
	req.ID, req.Kind = s.nextID, "spawn"
	s.waiting[req.ID] = run
	s.mu.Unlock()
	if err := send(s.fd, req, stdin, stdout, stderr); err != nil {
		return nil, fmt.Errorf("ask the spawner to start %s: %w", req.Argv[0], err)
	}
	r := <-run.started
	if r.Kind == "error" {
		return nil, &startError{code: r.Code, msg: r.Error}
	}
	run.pid = r.PID
	return run, nil
}

// close ends the spawner (it exits when its socket closes).
func (s *spawnerConn) close() {
	unix.Shutdown(s.fd, unix.SHUT_WR)
}

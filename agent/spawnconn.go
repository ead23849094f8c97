package agent

import (
	"errors"
	"fmt"
	"sync"
)

// spawnerConn is the agent's end of the spawner's socket.
type spawnerConn struct {
	fd      int
	pid     int
	mu      sync.Mutex
	nextID  int
	waiting map[int]*running
	closed  bool
	ended   bool   // the run is over: the spawner's death is expected
	lost    func() // called when it dies before that
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

func newSpawnerConn(fd int, lost func()) *spawnerConn {
	return &spawnerConn{fd: fd, waiting: make(map[int]*running), lost: lost}
}

// spawnerPID is the spawner's pid, 0 before it greeted.
func (s *spawnerConn) spawnerPID() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pid
}

// ending says the run is over: the spawner is about to be killed.
func (s *spawnerConn) ending() {
	s.mu.Lock()
	s.ended = true
	s.mu.Unlock()
}

// hello waits for the spawner's greeting (its pid), then dispatches its
// replies.
func (s *spawnerConn) hello() error {
	var r Reply
	if _, err := recv(s.fd, &r); err != nil {
		return fmt.Errorf("the spawner did not start: %w", err)
	}
	s.mu.Lock()
	s.pid = r.PID
	s.mu.Unlock()
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

// failAll ends every wait when the spawner is gone; the exit status of
// what it ran is then unknown (-1). A death before the run's end is
// reported to lost.
func (s *spawnerConn) failAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	if !s.ended && s.lost != nil {
		s.lost()
	}
	for id, run := range s.waiting {
		select {
		case run.started <- Reply{Kind: "error", Code: 125, Error: "sysgate's spawner is gone"}:
		default:
		}
		run.exit <- -1
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
		s.mu.Lock()
		delete(s.waiting, req.ID) // no reply will come for it
		s.mu.Unlock()
		return nil, fmt.Errorf("ask the spawner to start %s: %w", req.Argv[0], err)
	}
	r := <-run.started
	if r.Kind == "error" {
		return nil, &startError{code: r.Code, msg: r.Error}
	}
	run.pid = r.PID
	return run, nil
}

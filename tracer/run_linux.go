package tracer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// TraceError is a failure of the tracer itself, with the pid it concerned.
type TraceError struct {
	Op  string
	PID int
	Err error
}

func (e *TraceError) Error() string {
	if e.PID != 0 {
		return fmt.Sprintf("%s (pid %d): %v", e.Op, e.PID, e.Err)
	}
	return e.Op + ": " + e.Err.Error()
}

func (e *TraceError) Unwrap() error { return e.Err }

// Run traces opts.Argv until it and every descendant have exited. Cancelling
// ctx kills every tracee. It returns a *StartError when the command could not
// be started, ErrPtraceRefused or ErrKernelTooOld (wrapped) when the host
// cannot trace.
func Run(ctx context.Context, opts Options) (*Result, error) {
	if err := CheckKernel(); err != nil {
		return nil, err
	}
	if (len(opts.Argv) == 0) != opts.Spawner || opts.Observation == nil {
		return nil, errors.New("tracer: no command (or a command and a spawner), or no observation builder")
	}
	type done struct {
		res *Result
		err error
	}
	ch := make(chan done, 1)
	l := newLoop(opts)
	go func() {
		// Every ptrace and wait4 call comes from this thread; it is never
		// unlocked, so it dies with the goroutine rather than serve others.
		runtime.LockOSThread()
		res, err := l.trace()
		ch <- done{res, err}
	}()
	select {
	case d := <-ch:
		return d.res, d.err
	case <-ctx.Done():
		l.killAll.Store(true)
		l.live.kill()
		d := <-ch
		return d.res, d.err
	}
}

func newLoop(opts Options) *loop {
	if opts.Mode == "" {
		opts.Mode = ModeSeccomp
	}
	if opts.Self == "" {
		opts.Self = "/proc/self/exe"
	}
	maxTasks := opts.MaxTasks
	if maxTasks <= 0 {
		maxTasks = DefaultMaxTasks
	}
	return &loop{opts: opts, b: opts.Observation, maxTasks: maxTasks,
		tasks: make(map[int]*task), procs: make(map[int]*process), root: -1, baseFilters: -1,
		unannounced: make(map[int]bool), diedUnannounced: make(map[int]bool)}
}

func (l *loop) trace() (*Result, error) {
	// Orphaned descendants are reparented to us, so we reap them; nobody but
	// the kernel may read our memory (tracees must not reach the tracer).
	unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
	unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0)
	quietSIGCHLD()
	if restore, ok := preemptibleWait(); ok {
		l.rawWait = true
		defer restore()
	}
	if err := l.startStub(); err != nil {
		return nil, err
	}
	if l.opts.Events != nil {
		l.events = newEventWriter(l.opts.Events)
	}
	err := l.run()
	l.mem.forget()
	l.stub.execDone() // a spawner never execs
	if werr := l.events.close(); err == nil {
		err = werr
	}
	if l.start != nil {
		return nil, l.start
	}
	if err == nil && l.result == nil {
		err = errors.New("tracer: the command's exit status was never reported")
	}
	return l.result, err
}

// startStub starts the stub, seizes it and lets it go on to exec the target.
func (l *loop) startStub() error {
	goR, goW, err := os.Pipe()
	if err != nil {
		return fmt.Errorf("create stub pipe: %w", err)
	}
	defer goR.Close()
	defer goW.Close()
	statusR, statusW, err := os.Pipe()
	if err != nil {
		return fmt.Errorf("create stub pipe: %w", err)
	}
	defer statusW.Close()
	args := append([]string{"sysgate", StubArg, string(l.opts.Mode), "--"}, l.opts.Argv...)
	if l.opts.Spawner {
		args = []string{"sysgate", StubArg, string(l.opts.Mode), SpawnerArg}
	}
	files := []*os.File{l.opts.Stdin, l.opts.Stdout, l.opts.Stderr, goR, statusW}
	proc, err := os.StartProcess(l.opts.Self, args, &os.ProcAttr{
		Env:   l.opts.Env,
		Files: append(files, l.opts.ExtraFiles...),
	})
	if err != nil {
		statusR.Close()
		return fmt.Errorf("start the tracer stub %s: %w", l.opts.Self, err)
	}
	pid := proc.Pid
	proc.Release()
	if err := ptraceSeize(pid, ptraceOptions); err != nil {
		unix.Kill(pid, unix.SIGKILL)
		unix.Wait4(pid, nil, 0, nil)
		statusR.Close()
		return fmt.Errorf("%w (PTRACE_SEIZE of our own child: %v): allow ptrace of one's own children "+
			"(kernel.yama.ptrace_scope at most 1, and a seccomp profile or container runtime that permits ptrace)", ErrPtraceRefused, err)
	}
	if l.opts.Mode == ModePtrace {
		// Stop it once, so its restart with PTRACE_SYSCALL starts the stops.
		ptraceInterrupt(pid)
	}
	l.root = pid
	l.stub.status = statusR
	root := l.addProcess(pid, os.Getpid(), nil).proc
	// Until its exec, the root process is the stub: this binary.
	root.stub = true
	root.exe, _ = os.Readlink("/proc/self/exe")
	if _, err := goW.Write([]byte{1}); err != nil {
		return fmt.Errorf("release the tracer stub: %w", err)
	}
	return nil
}

// stubPipes holds the read end of the stub's status pipe, which the exec
// closes (close-on-exec) and a failed start writes "CODE:message" to.
type stubPipes struct {
	status *os.File
}

func (s *stubPipes) execDone() {
	if s.status != nil {
		s.status.Close()
		s.status = nil
	}
}

// failure reads why the stub exited before its exec.
func (s *stubPipes) failure(status int) *StartError {
	if s.status == nil {
		return &StartError{Code: status, Msg: "sysgate: the command ended before it started"}
	}
	msg, _ := io.ReadAll(s.status)
	s.execDone()
	codeText, text, ok := strings.Cut(string(msg), ":")
	code, err := strconv.Atoi(codeText)
	if !ok || err != nil {
		return &StartError{Code: ExitFailure, Msg: fmt.Sprintf("sysgate: the tracer stub exited with status %d before starting the command", status)}
	}
	return &StartError{Code: code, Msg: text}
}

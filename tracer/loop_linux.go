package tracer

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"

	"github.com/sysgate/sysgate/observation"
	"github.com/sysgate/sysgate/tracer/decode"
	"github.com/sysgate/sysgate/tracer/systab"
)

const (
	ptraceSyscall = unix.PTRACE_SYSCALL
	ptraceCont    = unix.PTRACE_CONT

	ptraceOptions = unix.PTRACE_O_TRACESYSGOOD | unix.PTRACE_O_TRACEFORK |
		unix.PTRACE_O_TRACEVFORK | unix.PTRACE_O_TRACECLONE | unix.PTRACE_O_TRACEEXEC |
		unix.PTRACE_O_TRACESECCOMP | unix.PTRACE_O_EXITKILL

	syscallStopSig = int(unix.SIGTRAP) | 0x80
)

// loop is the state of the one goroutine that owns the tracees.
type loop struct {
	opts     Options
	b        *observation.Builder
	maxTasks int
	tasks    map[int]*task
	procs    map[int]*process
	root     int
	result   *Result
	start    *StartError
	stub     stubPipes
	mem      memory
	info     syscallInfo
	events   *eventWriter
	killAll  atomic.Bool
	live     liveSet
	killed   int // tasks killed at birth for the budget
	// baseFilters is how many seccomp filters the command started with
	// (-1 until known): a task with more installed one of its own.
	baseFilters int
	// Tasks adopted at their first stop whose creation event has not come,
	// alive or already dead: the event must not register them again.
	unannounced, diedUnannounced map[int]bool
	untraced                     int // clone children the tracer never saw
	// rawWait: wait4 is a raw system call (see wait4 and preemptibleWait).
	rawWait bool
	procBuf []byte // readProcFile's buffer
}

// liveSet holds the tids of live tracees for the cancel path, which runs
// outside the loop and kills them all.
type liveSet struct {
	mu   sync.Mutex
	tids map[int]struct{}
}

func (s *liveSet) add(tid int) {
	s.mu.Lock()
	if s.tids == nil {
		s.tids = make(map[int]struct{})
	}
	s.tids[tid] = struct{}{}
	s.mu.Unlock()
}

func (s *liveSet) remove(tid int) {
	s.mu.Lock()
	delete(s.tids, tid)
	s.mu.Unlock()
}

// kill sends SIGKILL to every live tracee. A tracee's tid cannot be reused
// before the loop has reaped it and removed it from the set, under the lock.
func (s *liveSet) kill() {
	s.mu.Lock()
	for tid := range s.tids {
		unix.Kill(tid, unix.SIGKILL)
	}
	s.mu.Unlock()
}

// run waits for stops until no tracee is left.
func (l *loop) run() error {
	var ws unix.WaitStatus
	for {
		if l.killAll.Load() {
			l.killEveryone()
		}
		flags := unix.WALL
		if l.events.pending() {
			flags |= unix.WNOHANG
		}
		tid, err := wait4(&ws, flags, l.rawWait)
		switch {
		case err == unix.EINTR:
			// A signal, the runtime's preemption one included
			// (preemptibleWait): the next wait4 call is where the
			// runtime may stop the goroutine.
			continue
		case err == unix.ECHILD:
			return nil
		case err != nil:
			return &TraceError{Op: "wait4", Err: err}
		case tid == 0:
			l.events.flush()
			continue
		}
		l.handle(tid, ws)
	}
}

func (l *loop) handle(tid int, ws unix.WaitStatus) {
	if ws.Exited() || ws.Signaled() {
		l.gone(tid, ws)
		return
	}
	if !ws.Stopped() {
		return
	}
	t := l.tasks[tid]
	if t == nil {
		t = l.adopt(tid)
	}
	sig := int(uint32(ws)>>8) & 0xff
	event := int(uint32(ws) >> 16)
	switch {
	case sig == syscallStopSig:
		l.syscallStop(t)
	case event == unix.PTRACE_EVENT_STOP:
		l.eventStop(t, sig)
	case sig == int(unix.SIGTRAP) && event != 0:
		l.ptraceEvent(t, event)
	default:
		// A signal-delivery stop: deliver it, or the tracee loses its
		// signal (or loops on its fault).
		l.restart(t, sig)
	}
}

// eventStop is a group stop (kept with PTRACE_LISTEN, so the tracee stays
// stopped until SIGCONT) or a new child's or an interrupt's stop.
func (l *loop) eventStop(t *task, sig int) {
	switch unix.Signal(sig) {
	case unix.SIGSTOP, unix.SIGTSTP, unix.SIGTTIN, unix.SIGTTOU:
		if err := ptraceListen(t.tid); err != nil && err != unix.ESRCH {
			// Never leave it stopped for good: let it run on instead.
			l.b.Incomplete("listen", fmt.Sprintf("PTRACE_LISTEN of task %d failed (%v): a stopped process was resumed early", t.tid, err))
			l.restart(t, 0)
		}
	default:
		l.restart(t, 0)
	}
}

func (l *loop) ptraceEvent(t *task, event int) {
	switch event {
	case unix.PTRACE_EVENT_SECCOMP:
		l.seccompStop(t)
		return
	case unix.PTRACE_EVENT_FORK, unix.PTRACE_EVENT_VFORK, unix.PTRACE_EVENT_CLONE:
		child := l.newChild(t, event)
		l.succeeded(t, int64(child))
	case unix.PTRACE_EVENT_EXEC:
		l.execEvent(t)
		l.succeeded(t, 0)
	}
	l.restart(t, 0)
}

// succeeded records the call in progress as returning ret: an exec or clone
// event already says the call succeeded, so its exit stop is not needed.
func (l *loop) succeeded(t *task, ret int64) {
	if t.inCall && t.awaitExit {
		l.exit(t, ret, false)
	}
}

func (l *loop) restart(t *task, sig int) {
	if err := ptraceRestart(t.restartRequest(), t.tid, sig); err != nil && err != unix.ESRCH {
		l.b.Incomplete("restart", fmt.Sprintf("could not resume task %d (%v): its further calls are missing", t.tid, err))
	}
}

func (l *loop) syscallStop(t *task) {
	if _, err := ptraceGetSyscallInfo(t.tid, &l.info); err != nil {
		l.restart(t, 0)
		return
	}
	switch l.info.Op {
	case syscallInfoEntry:
		l.enter(t, true)
	case syscallInfoExit:
		l.exitStop(t, l.info.rval(), l.info.isError())
	}
	l.restart(t, 0)
}

func (l *loop) seccompStop(t *task) {
	if _, err := ptraceGetSyscallInfo(t.tid, &l.info); err == nil && l.info.Op == syscallInfoSeccomp && !t.sawEntry {
		l.enter(t, false)
	}
	l.restart(t, 0)
}

// enter counts the call in l.info (an entry or a seccomp stop).
func (l *loop) enter(t *task, atEntry bool) {
	l.flushCall(t)
	nr := uint32(l.info.Nr) // the kernel uses only the low 32 bits
	abi := systab.FromAudit(l.info.Arch, nr)
	name, _ := systab.Name(abi, nr)
	c := pendingCall{Call: decode.Call{ABI: abi, Nr: nr, Name: name, Args: l.info.Args}, abi: abi, exe: t.proc.exe}
	if t.proc.stub {
		if !isExec(name) {
			t.call = c
			l.watch(t) // the stub's own calls: not counted, but its threads are threads
			return
		}
		t.proc.stubExec = true // the command's execve: counted
	}
	c.spec = decode.Lookup(abi, nr)
	if c.spec != nil && c.spec.Entry != nil {
		c.args = c.spec.Entry(&c.Call, l.mem.at(t.tid), &l.mem)
	}
	if l.events != nil {
		c.time = time.Now()
	}
	c.step = l.b.Step()
	t.call, t.inCall, t.sawEntry = c, true, atEntry
	t.awaitExit = c.spec.WantsOutcome()
	l.watch(t)
	if !t.awaitExit && !t.proc.slow {
		l.record(t, nil)
	}
}

// exit records the call in progress with its outcome.
func (l *loop) exit(t *task, rval int64, isErr bool) {
	t.sawEntry, t.awaitExit = false, false
	if !t.inCall {
		return
	}
	if t.call.spec != nil && t.call.spec.Exit != nil {
		t.call.args = t.call.spec.Exit(&t.call.Call, rval, t.call.args, l.mem.at(t.tid))
	}
	l.record(t, &outcome{ret: rval, isErr: isErr})
}

// exitStop handles a syscall-exit stop. A clone's event comes before its exit
// and records the call, so a successful clone still in progress here made a
// child the tracer was never told of.
func (l *loop) exitStop(t *task, rval int64, isErr bool) {
	if t.inCall && isClone(t.call.Name) && !isErr && rval > 0 {
		l.untraced++
		l.b.Incomplete("untraced", fmt.Sprintf("untraced: %d children were created without the tracer seeing them (last: %d, by process %d %s); their calls are missing", l.untraced, rval, t.proc.pid, t.proc.exe))
	}
	l.exit(t, rval, isErr)
}

func isClone(name string) bool { return name == "clone" || name == "clone3" }

type outcome struct {
	ret   int64
	isErr bool
}

// record adds the call in progress to the observation and the event stream.
func (l *loop) record(t *task, out *outcome) {
	c := &t.call
	t.inCall = false
	l.guard(t, c)
	h := l.b.CallIn(c.step, c.exe, c.abi.String(), c.Nr, c.Name, c.args)
	errno := ""
	if out != nil && out.isErr {
		errno, _ = decode.Errno(out.ret)
	}
	if out != nil && !isRestart(out.ret) && !isSigreturn(c.Name) {
		l.b.Outcome(h, errno)
	}
	if l.events != nil {
		l.events.call(t, c, out, errno)
	}
}

// flushCall records a call whose exit never came (exit_group, a thread that
// died in it, a call whose exit was not asked for).
func (l *loop) flushCall(t *task) {
	if t.inCall {
		l.record(t, nil)
	}
}

// isRestart tells the kernel's internal restart codes (ERESTARTSYS 512 to
// ERESTART_RESTARTBLOCK 516): the call will enter again.
func isRestart(ret int64) bool { return ret <= -512 && ret >= -516 }

// rt_sigreturn "returns" the interrupted context's register, not an outcome.
func isSigreturn(name string) bool { return name == "rt_sigreturn" || name == "sigreturn" }

func isExec(name string) bool { return name == "execve" || name == "execveat" }

package tracer

import (
	"time"

	"github.com/sysgate/sysgate/observation"
	"github.com/sysgate/sysgate/tracer/decode"
	"github.com/sysgate/sysgate/tracer/systab"
)

// process is a traced thread group.
type process struct {
	pid  int // the thread group id
	ppid int
	exe  string
	argv []string
	// stub is true until the root process has exec'd its target: its calls
	// until then are the stub's, not the command's.
	stub bool
	// stubExec: the stub was seen entering the command's execve; the next
	// exec event is the command's.
	stubExec bool
	// slow: traced with PTRACE_SYSCALL (entry and exit stops), because the
	// process installed a seccomp filter of its own or the mode says so.
	slow bool
}

// task is a traced thread.
type task struct {
	tid  int
	proc *process
	// inCall: a call was seen entering and is not recorded yet (it is
	// recorded at its exit stop, or without outcome when none comes).
	inCall bool
	// sawEntry: the current call was counted at a syscall-entry stop, so its
	// seccomp stop must not count it again.
	sawEntry bool
	// awaitExit: restart with PTRACE_SYSCALL to see the current call's exit.
	awaitExit bool
	call      pendingCall
	// cloneFlags are the flags of the clone in progress, to tell a new
	// thread from a new process at the clone event.
	cloneFlags uint64
}

// pendingCall is a call between its entry and its exit stop.
type pendingCall struct {
	decode.Call
	abi  systab.ABI
	exe  string // the calling program, before any exec
	args observation.Args
	spec *decode.Spec
	time time.Time
	step string // the workload step when it entered
}

func (t *task) restartRequest() int {
	if t.proc.slow || t.awaitExit {
		return ptraceSyscall
	}
	return ptraceCont
}

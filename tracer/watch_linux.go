package tracer

import (
	"encoding/binary"
	"fmt"

	"golang.org/x/sys/unix"
)

// watch acts on the calls that change how the tracer must trace: a clone that
// would escape the trace, a seccomp filter that could hide calls from the
// one-stop fast path.
func (l *loop) watch(t *task) {
	c := &t.call
	switch c.Name {
	case "clone":
		l.cloning(t, c.Args[0], func(flags uint64) error { return setArg0(t.tid, c.abi, flags) })
	case "clone3":
		var b [8]byte
		if n, _ := l.mem.at(t.tid).Read(c.Args[0], b[:]); n == len(b) {
			l.cloning(t, binary.LittleEndian.Uint64(b[:]), func(flags uint64) error {
				_, err := unix.PtracePokeData(t.tid, uintptr(c.Args[0]), binary.LittleEndian.AppendUint64(nil, flags))
				return err
			})
		} else {
			t.cloneFlags = 0
			l.b.Incomplete("clone3-unreadable", fmt.Sprintf("untraced: process %d (%s) called clone3 with unreadable arguments; a child it made may run untraced", t.proc.pid, t.proc.exe))
		}
	case "seccomp":
		// The kernel reads only the low 32 bits of op and flags.
		if uint32(c.Args[0]) == unix.SECCOMP_SET_MODE_FILTER {
			l.goSlow(t, uint32(c.Args[1])&unix.SECCOMP_FILTER_FLAG_TSYNC != 0)
		}
	case "prctl":
		if uint32(c.Args[0]) == unix.PR_SET_SECCOMP {
			l.goSlow(t, false)
		}
	}
}

// cloning notes a clone's flags. CLONE_UNTRACED would make a child the
// tracer never sees (and, in seccomp mode, one whose every call fails for
// want of a tracer): the flag is cleared before the kernel reads it, so the
// child is traced like any other; the call is still recorded with the flags
// it was made with. Where that fails, the observation says so.
func (l *loop) cloning(t *task, flags uint64, rewrite func(uint64) error) {
	t.cloneFlags = flags
	if flags&unix.CLONE_UNTRACED == 0 || t.proc.stub {
		return
	}
	if err := rewrite(flags &^ unix.CLONE_UNTRACED); err != nil {
		l.b.Incomplete("untraced-flag", fmt.Sprintf("untraced: process %d (%s) called %s with CLONE_UNTRACED and the flag could not be cleared (%v); its child runs untraced", t.proc.pid, t.proc.exe, t.call.Name, err))
	}
}

// goSlow switches t's process to entry stops: the filter it installs may
// deny calls with an action stronger than our SECCOMP_RET_TRACE, and only a
// syscall-entry stop, which comes before every filter, still sees them. The
// process's other threads switch at their next stop, which their unchanged
// filters still give; with SECCOMP_FILTER_FLAG_TSYNC the new filter reaches
// them too, so they are interrupted to switch at once (a call they are
// blocked in may then return EINTR, as under any ptrace interrupt).
func (l *loop) goSlow(t *task, tsync bool) {
	p := t.proc
	if p.slow {
		return
	}
	p.slow = true
	if !tsync {
		return
	}
	for tid, other := range l.tasks {
		if other.proc == p && tid != t.tid {
			ptraceInterrupt(tid)
		}
	}
}

package tracer

import (
	"fmt"
	"strconv"
	"strings"
)

// guard notes a call aimed at the tracer itself (Options.Guard): a signal,
// a ptrace or a memory access to its pid, or an open under /proc/PID. The
// kernel refuses most of them (the tracer is not dumpable, and a pid
// namespace's init ignores signals it has no handler for), but the attempt
// is what a reviewer wants to know; it goes to the observation's tampering
// list as well as to its calls.
func (l *loop) guard(t *task, c *pendingCall) {
	g := l.opts.Guard
	if g <= 0 {
		return
	}
	target, ok := targetPID(c)
	if ok && target == g {
		l.b.Tamper(fmt.Sprintf("process %d (%s) called %s on the tracer (pid %d)", t.proc.pid, t.proc.exe, c.Name, g))
		return
	}
	if path, _ := c.args.Get("path"); isUnderProc(path, g) {
		l.b.Tamper(fmt.Sprintf("process %d (%s) called %s on %s, the tracer's /proc entry", t.proc.pid, t.proc.exe, c.Name, path))
	}
}

// targetPID is the pid a call acts on, for the calls that act on another
// process.
func targetPID(c *pendingCall) (int, bool) {
	switch c.Name {
	case "kill", "tkill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo", "pidfd_open",
		"process_vm_readv", "process_vm_writev", "process_madvise", "kcmp", "prlimit64":
		return int(int32(c.Args[0])), true
	case "ptrace":
		return int(int32(c.Args[1])), true
	}
	return 0, false
}

func isUnderProc(path string, pid int) bool {
	dir := "/proc/" + strconv.Itoa(pid)
	return path == dir || strings.HasPrefix(path, dir+"/")
}

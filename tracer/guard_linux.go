package tracer

import (
	"fmt"
	"strconv"
	"strings"
)

// guard notes a call aimed at the tracer itself or its helpers
// (Options.Guard): a signal, a ptrace or a memory access to one of their
// pids, or a call on a path under /proc/PID. The
// kernel refuses most of them (the tracer is not dumpable, and a pid
// namespace's init ignores signals it has no handler for), but the attempt
// is what a reviewer wants to know; it goes to the observation's tampering
// list as well as to its calls.
func (l *loop) guard(t *task, c *pendingCall) {
	if l.opts.Guard == nil {
		return
	}
	if target, ok := targetPID(c); ok && target > 0 {
		if what := l.opts.Guard(target); what != "" {
			l.b.Tamper(fmt.Sprintf("process %d (%s) called %s on %s (pid %d)", t.proc.pid, t.proc.exe, c.Name, what, target))
			return
		}
	}
	path, _ := c.args.Get("path")
	if pid, ok := procPID(path); ok {
		if what := l.opts.Guard(pid); what != "" {
			l.b.Tamper(fmt.Sprintf("process %d (%s) called %s on %s, the /proc entry of %s", t.proc.pid, t.proc.exe, c.Name, path, what))
		}
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

// procPID is the pid of a /proc/PID or /proc/PID/... path.
func procPID(path string) (int, bool) {
	rest, ok := strings.CutPrefix(path, "/proc/")
	if !ok {
		return 0, false
	}
	num, _, _ := strings.Cut(rest, "/")
	pid, err := strconv.Atoi(num)
	return pid, err == nil && pid > 0
}

// Package tracer runs a command under ptrace and records every syscall of
// every process and thread it starts, with the ABI each call was made through
// and its decoded security-relevant arguments.
//
// # Thread model
//
// ptrace requests are only accepted from the thread that attached, so one
// goroutine, locked to its OS thread for its whole life, owns every ptrace and
// wait4 call (Run's loop). Nothing else touches the tracees, except kill(2),
// which any thread may send. Decoded events leave the loop in batches for the
// event writer goroutine; the observation is aggregated on the loop (a map
// increment per call), so memory does not grow with the number of calls.
//
// # Stops
//
// The command starts as a stub (this binary re-executed, see RunStub) that the
// loop seizes with PTRACE_SEIZE before it execs the target, so the target's own
// execve is seen. PTRACE_GET_SYSCALL_INFO is the truth for the kind of stop
// (entry, exit, seccomp), the ABI and the number.
//
// In ModeSeccomp (the default) the stub installs a filter returning
// SECCOMP_RET_TRACE for every call: each call then costs one stop, the
// seccomp stop, before the kernel runs it; the tracer asks for the exit stop
// (PTRACE_SYSCALL) only for calls whose outcome a policy needs (those with a
// decode.Spec). A filter with a stronger action (ERRNO, KILL, USER_NOTIF)
// would hide the call from a seccomp stop, so a thread that installs a
// seccomp filter of its own, and every thread it creates from then on, is
// traced in ModePtrace from that call on: syscall-entry stops come before any
// filter runs, so calls that filter denies are still recorded as attempts.
//
// In ModePtrace every call costs an entry and an exit stop (PTRACE_SYSCALL);
// the seccomp stop, if any, is then ignored.
//
// # Counting
//
// A call is counted once per kernel entry, at its first stop. A call the
// kernel restarts after a signal (ERESTARTSYS and friends) enters again and is
// counted again, and restart_syscall is a call of its own, as strace -c counts
// them; the restart codes are not recorded as outcomes.
package tracer

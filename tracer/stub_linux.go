package tracer

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"

	"golang.org/x/sys/unix"
)

// The stub is this same binary re-executed by the tracer: it waits until the
// tracer has seized it, installs the one-stop-per-call seccomp filter when asked
// to, and then execs the target, so the target's own execve is the first call
// the trace counts. It must run on the process's main thread (cmd/sysgate locks
// it in init), so that the execve comes from the traced thread.

// StubArg is the first argument that makes cmd/sysgate run RunStub.
const StubArg = "__sysgate_stub"

// The stub's inherited descriptors.
const (
	stubGoFD     = 3 // read end: one byte once the tracer has seized the stub
	stubStatusFD = 4 // write end, close-on-exec: "CODE:message" if the exec failed
)

// Exit codes of a start that failed, as env(1) and timeout(1) use them.
const (
	ExitCannotExec = 126
	ExitNotFound   = 127
	ExitFailure    = 125
)

// SpawnerArg, in place of "-- CMD", makes the stub a spawner (Options.Spawner).
const SpawnerArg = "--spawner"

// RunStub is the stub's whole life: args are [mode, "--", CMD, ARG...]. It
// returns only if it could not exec CMD, with the exit code to use. With
// [mode, SpawnerArg] it runs serve once seized (and filtered) and returns
// what serve returns; serve may be nil where no spawner is ever asked for.
func RunStub(args []string, serve func() int) int {
	unix.CloseOnExec(stubGoFD)
	unix.CloseOnExec(stubStatusFD)
	spawner := len(args) == 2 && args[1] == SpawnerArg && serve != nil
	if !spawner && (len(args) < 3 || args[1] != "--") {
		return stubFail(ExitFailure, "sysgate: internal error: bad stub arguments")
	}
	mode := args[0]
	// Nothing may end the stub before the tracer has seized it: seizing a
	// zombie fails like a host that refuses ptrace.
	if err := waitSeized(); err != nil {
		return stubFail(ExitFailure, "sysgate: stub: "+err.Error())
	}
	if spawner {
		if mode == string(ModeSeccomp) {
			if err := installStubFilter(); err != nil {
				return stubFail(ExitFailure, "sysgate: cannot install the tracing seccomp filter: "+err.Error())
			}
		}
		return serve()
	}
	argv := args[2:]
	path, err := exec.LookPath(argv[0])
	if errors.Is(err, exec.ErrDot) {
		err = nil // found through a relative PATH entry: env(1) runs it too
	}
	if err != nil {
		return stubFail(lookPathCode(err), fmt.Sprintf("sysgate: %s: %v", argv[0], lookPathReason(err)))
	}
	if mode == string(ModeSeccomp) {
		if err := installStubFilter(); err != nil {
			return stubFail(ExitFailure, "sysgate: cannot install the tracing seccomp filter: "+err.Error()+
				" (set SYSGATE_TRACE_MODE=ptrace to trace with two stops per call instead)")
		}
	}
	err = unix.Exec(path, argv, os.Environ())
	code := ExitCannotExec
	if errors.Is(err, unix.ENOENT) {
		code = ExitNotFound
	}
	return stubFail(code, fmt.Sprintf("sysgate: cannot execute %s: %v", path, err))
}

func waitSeized() error {
	// Die with the tracer until it has seized us (PTRACE_O_EXITKILL takes over
	// then); clear it before the exec, so the target does not inherit it.
	if err := unix.Prctl(unix.PR_SET_PDEATHSIG, uintptr(unix.SIGKILL), 0, 0, 0); err != nil {
		return fmt.Errorf("set parent-death signal: %w", err)
	}
	var b [1]byte
	for {
		n, err := unix.Read(stubGoFD, b[:])
		if err == unix.EINTR {
			continue
		}
		if err != nil || n != 1 {
			return fmt.Errorf("tracer went away before seizing (%v)", err)
		}
		break
	}
	unix.Close(stubGoFD)
	return unix.Prctl(unix.PR_SET_PDEATHSIG, 0, 0, 0, 0)
}

// installStubFilter installs the SECCOMP_RET_TRACE filter. Without
// CAP_SYS_ADMIN the kernel demands no_new_privs first; a ptraced exec by an
// unprivileged tracer gains no privileges anyway, so that changes nothing.
func installStubFilter() error {
	if err := seccompTraceAll(); err == nil {
		return nil
	}
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		return fmt.Errorf("set no_new_privs: %w", err)
	}
	return seccompTraceAll()
}

func lookPathCode(err error) int {
	if errors.Is(err, exec.ErrNotFound) || errors.Is(err, os.ErrNotExist) {
		return ExitNotFound
	}
	return ExitCannotExec
}

func lookPathReason(err error) string {
	var e *exec.Error
	if errors.As(err, &e) {
		if errors.Is(e.Err, exec.ErrNotFound) {
			return "command not found"
		}
		return e.Err.Error()
	}
	return err.Error()
}

func stubFail(code int, msg string) int {
	unix.Write(stubStatusFD, []byte(strconv.Itoa(code)+":"+msg))
	return code
}

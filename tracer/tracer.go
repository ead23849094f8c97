package tracer

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/sysgate/sysgate/observation"
)

// Mode chooses how many stops a call costs.
type Mode string

// The modes.
const (
	// ModeSeccomp stops once per call, through a SECCOMP_RET_TRACE filter.
	ModeSeccomp Mode = "seccomp"
	// ModePtrace stops at entry and exit of every call (PTRACE_SYSCALL).
	ModePtrace Mode = "ptrace"
)

// ParseMode accepts "seccomp", "ptrace", or "" for the default
// (DefaultMode).
func ParseMode(s string) (Mode, error) {
	switch Mode(s) {
	case "":
		return DefaultMode(), nil
	case ModeSeccomp:
		return ModeSeccomp, nil
	case ModePtrace:
		return ModePtrace, nil
	}
	return "", fmt.Errorf("unknown trace mode %q (want seccomp or ptrace)", s)
}

// DefaultMaxTasks is the default budget of live traced threads.
const DefaultMaxTasks = 4096

// Options say what to trace and where its records go.
type Options struct {
	// Argv is the command; Argv[0] is looked up in PATH.
	Argv []string
	// Env is the command's environment; nil means this process's.
	Env []string
	// Stdin, Stdout and Stderr are passed to the command as they are.
	Stdin, Stdout, Stderr *os.File
	Mode                  Mode
	// MaxTasks bounds the live traced threads; a thread created beyond it is
	// killed at birth and the observation marked incomplete. 0 means
	// DefaultMaxTasks.
	MaxTasks int
	// Events, if set, receives every call as a JSON line, as it happens.
	Events io.Writer
	// Observation aggregates the run; it must be set.
	Observation *observation.Builder
	// Self is the path of this binary, re-executed as the stub; "" means
	// /proc/self/exe.
	Self string
	// Spawner makes the traced root a spawner instead of Argv (which must
	// be empty): the stub, once seized, runs the serve function given to
	// RunStub, which starts commands on request. The spawner's own calls
	// are not recorded, the execve of each command it starts is, and so is
	// everything after it. The run ends when the spawner and every command
	// have exited; Result.Status is the spawner's.
	Spawner bool
	// Guard names the processes calls must not aim at (the agent, PID 1
	// in a container, its threads, its spawner): for a pid as the tracees
	// see it, what it is ("the tracer"), or "" for any other. Such calls
	// are recorded as tampering. nil guards nothing.
	Guard func(pid int) string
	// ExtraFiles are given to the stub from descriptor 5 on (a spawner's
	// request channel, say).
	ExtraFiles []*os.File
}

// Result is how the traced command ended.
type Result struct {
	// Status is the exit status to report: the command's code, or 128+N
	// when signal N killed it.
	Status int
}

// StartError is a command that could not be started (not found, not
// executable); Code is the exit status to use (127 or 126).
type StartError struct {
	Code int
	Msg  string
}

func (e *StartError) Error() string { return e.Msg }

// ErrPtraceRefused is returned when the host does not allow this process to
// trace its own child.
var ErrPtraceRefused = errors.New("ptrace is refused by this host")

// ErrKernelTooOld is returned on kernels without PTRACE_GET_SYSCALL_INFO.
var ErrKernelTooOld = errors.New("kernel too old")

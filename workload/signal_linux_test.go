//go:build amd64 || arm64

package workload

import (
	"syscall"
	"testing"
)

// The signal numbers written out in signal.go are this platform's.
func TestSignalNumbers(t *testing.T) {
	want := map[string]syscall.Signal{
		"SIGABRT": syscall.SIGABRT, "SIGALRM": syscall.SIGALRM, "SIGBUS": syscall.SIGBUS,
		"SIGCHLD": syscall.SIGCHLD, "SIGCONT": syscall.SIGCONT, "SIGFPE": syscall.SIGFPE,
		"SIGHUP": syscall.SIGHUP, "SIGILL": syscall.SIGILL, "SIGINT": syscall.SIGINT,
		"SIGIO": syscall.SIGIO, "SIGKILL": syscall.SIGKILL, "SIGPIPE": syscall.SIGPIPE,
		"SIGPROF": syscall.SIGPROF, "SIGPWR": syscall.SIGPWR, "SIGQUIT": syscall.SIGQUIT,
		"SIGSEGV": syscall.SIGSEGV, "SIGSTKFLT": syscall.SIGSTKFLT, "SIGSTOP": syscall.SIGSTOP,
		"SIGSYS": syscall.SIGSYS, "SIGTERM": syscall.SIGTERM, "SIGTRAP": syscall.SIGTRAP,
		"SIGTSTP": syscall.SIGTSTP, "SIGTTIN": syscall.SIGTTIN, "SIGTTOU": syscall.SIGTTOU,
		"SIGURG": syscall.SIGURG, "SIGUSR1": syscall.SIGUSR1, "SIGUSR2": syscall.SIGUSR2,
		"SIGVTALRM": syscall.SIGVTALRM, "SIGWINCH": syscall.SIGWINCH, "SIGXCPU": syscall.SIGXCPU,
		"SIGXFSZ": syscall.SIGXFSZ,
	}
	if len(want) != len(signals) {
		t.Errorf("%d signals, want %d", len(signals), len(want))
	}
	for name, sig := range want {
		if got, ok := Signal(name); !ok || got != sig {
			t.Errorf("Signal(%q) = %d, %v; want %d", name, got, ok, sig)
		}
	}
}

package workload

import (
	"sort"
	"strings"
	"syscall"
)

// signals are the Linux signals a workload may name, with their numbers on
// amd64 and arm64 (the architectures sysgate traces). The numbers are
// written out rather than taken from package syscall: the signal goes to a
// process in a Linux container, whatever the host, and the package builds
// everywhere. signal_linux_test.go checks them against syscall's.
var signals = map[string]syscall.Signal{
	"SIGABRT":   6,
	"SIGALRM":   14,
	"SIGBUS":    7,
	"SIGCHLD":   17,
	"SIGCONT":   18,
	"SIGFPE":    8,
	"SIGHUP":    1,
	"SIGILL":    4,
	"SIGINT":    2,
	"SIGIO":     29,
	"SIGKILL":   9,
	"SIGPIPE":   13,
	"SIGPROF":   27,
	"SIGPWR":    30,
	"SIGQUIT":   3,
	"SIGSEGV":   11,
	"SIGSTKFLT": 16,
	"SIGSTOP":   19,
	"SIGSYS":    31,
	"SIGTERM":   15,
	"SIGTRAP":   5,
	"SIGTSTP":   20,
	"SIGTTIN":   21,
	"SIGTTOU":   22,
	"SIGURG":    23,
	"SIGUSR1":   10,
	"SIGUSR2":   12,
	"SIGVTALRM": 26,
	"SIGWINCH":  28,
	"SIGXCPU":   24,
	"SIGXFSZ":   25,
}

// Signal gives the number of a signal name: "SIGTERM", or as a workload
// file may write it ("term", "sigterm").
func Signal(name string) (syscall.Signal, bool) {
	sig, ok := signals[canonicalSignal(name)]
	return sig, ok
}

// canonicalSignal upper-cases a name and puts SIG in front.
func canonicalSignal(name string) string {
	s := strings.ToUpper(name)
	if !strings.HasPrefix(s, "SIG") {
		s = "SIG" + s
	}
	return s
}

// signalNames are the names Signal knows, sorted.
func signalNames() []string {
	out := make([]string, 0, len(signals))
	for name := range signals {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

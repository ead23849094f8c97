package tracer

import (
	"os"
	"strings"
)

// DefaultMode is seccomp, unless this process already runs under a seccomp
// filter (a container's profile, say): the command inherits it, and a
// filter's ERRNO or KILL answer takes precedence over the stub filter's
// SECCOMP_RET_TRACE, so the calls it denies would never stop. Syscall-entry
// stops come before any filter, so the ptrace mode sees them as attempts.
func DefaultMode() Mode {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return ModePtrace
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "Seccomp:"); ok {
			if strings.TrimSpace(v) == "0" {
				return ModeSeccomp
			}
			return ModePtrace
		}
	}
	return ModePtrace
}

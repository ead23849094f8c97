package tracer

import (
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// CheckKernel refuses kernels without PTRACE_GET_SYSCALL_INFO (Linux 5.3).
func CheckKernel() error {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return fmt.Errorf("read the kernel version: %w", err)
	}
	return checkRelease(unix.ByteSliceToString(u.Release[:]))
}

func checkRelease(release string) error {
	major, minor, ok := parseRelease(release)
	if !ok {
		return fmt.Errorf("%w: cannot read kernel release %q; sysgate needs Linux 5.3 or newer", ErrKernelTooOld, release)
	}
	if major < 5 || major == 5 && minor < 3 {
		return fmt.Errorf("%w: Linux %d.%d; sysgate needs Linux 5.3 or newer (PTRACE_GET_SYSCALL_INFO)", ErrKernelTooOld, major, minor)
	}
	return nil
}

func parseRelease(release string) (major, minor int, ok bool) {
	parts := strings.SplitN(release, ".", 3)
	if len(parts) < 2 {
		return 0, 0, false
	}
	major, err1 := strconv.Atoi(parts[0])
	minor, err2 := strconv.Atoi(leadingDigits(parts[1]))
	return major, minor, err1 == nil && err2 == nil
}

func leadingDigits(s string) string {
	i := strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' })
	if i < 0 {
		return s
	}
	return s[:i]
}

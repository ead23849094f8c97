package tracer

import (
	"golang.org/x/sys/unix"

	"github.com/sysgate/sysgate/tracer/systab"
)

// Offsets in struct user (user_regs_struct first) of the registers that carry
// the first syscall argument: rdi for the 64-bit and x32 ABIs, rbx for int
// 0x80 (from 64-bit or 32-bit processes alike: a 64-bit tracer sees the
// 64-bit layout for both).
const (
	userRbx = 5 * 8
	userRdi = 14 * 8
)

// setArg0 rewrites the first argument of the syscall a stopped tracee is
// entering.
func setArg0(tid int, abi systab.ABI, v uint64) error {
	off := userRdi
	if abi == systab.I386 {
		off = userRbx
	}
	return ptrace(unix.PTRACE_POKEUSR, tid, uintptr(off), uintptr(v))
}

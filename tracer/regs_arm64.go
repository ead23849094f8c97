package tracer

import (
	"encoding/binary"
	"fmt"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/sysgate/sysgate/tracer/systab"
)

const ntPrstatus = 1

// setArg0 rewrites the first argument (x0, or r0 of a 32-bit arm tracee) of
// the syscall a stopped tracee is entering, through the NT_PRSTATUS regset,
// whose size the kernel reports: 34*8 bytes native, 18*4 compat.
func setArg0(tid int, abi systab.ABI, v uint64) error {
	var buf [34 * 8]byte
	iov := unix.Iovec{Base: &buf[0], Len: uint64(len(buf))}
	if err := ptrace(unix.PTRACE_GETREGSET, tid, ntPrstatus, uintptr(unsafe.Pointer(&iov))); err != nil {
		return err
	}
	switch iov.Len {
	case 34 * 8:
		binary.LittleEndian.PutUint64(buf[0:8], v)
	case 18 * 4:
		binary.LittleEndian.PutUint32(buf[0:4], uint32(v))
	default:
		return fmt.Errorf("unexpected NT_PRSTATUS size %d", iov.Len)
	}
	return ptrace(unix.PTRACE_SETREGSET, tid, ntPrstatus, uintptr(unsafe.Pointer(&iov)))
}

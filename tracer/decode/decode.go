// Package decode turns the raw arguments of a stopped tracee's syscall into the
// security-relevant facts a policy can judge: paths, programs executed, socket
// addresses, namespace and privilege operations. One file per syscall family.
//
// Decoders run on the tracer's stop loop while the tracee is stopped, so they
// read only what they need and every read is bounded.
package decode

import (
	"errors"

	"github.com/sysgate/sysgate/observation"
	"github.com/sysgate/sysgate/tracer/systab"
)

// ErrTruncated is returned by Memory.ReadString, with the bytes read so far,
// when no NUL came within the bound or before an unreadable page.
var ErrTruncated = errors.New("string truncated")

// Memory reads from a stopped tracee's address space.
type Memory interface {
	// ReadString reads a NUL-terminated string at addr of at most max bytes
	// (NUL excluded).
	ReadString(addr uint64, max int) (string, error)
	// Read fills buf from addr and returns how many bytes it read.
	Read(addr uint64, buf []byte) (int, error)
}

// Proc answers what the kernel has already resolved for the tracee.
type Proc interface {
	// Cwd is the target of /proc/PID/cwd.
	Cwd() (string, error)
	// FdPath is the target of /proc/PID/fd/FD.
	FdPath(fd int32) (string, error)
}

// Call is one syscall as seen at its entry.
type Call struct {
	ABI  systab.ABI
	Nr   uint32
	Name string
	Args [6]uint64
}

// Family groups syscalls by what a policy asks of them.
type Family uint8

// The families.
const (
	Bulk Family = iota
	File
	Exec
	Net
	Priv
)

// Spec says how to decode one syscall.
type Spec struct {
	Family Family
	// Entry decodes the arguments at entry.
	Entry func(c *Call, m Memory, p Proc) observation.Args
	// Exit, if set, amends them once the call returned ret (a negative errno
	// on failure), e.g. with the kernel-resolved path of a returned fd.
	Exit func(c *Call, ret int64, args observation.Args, p Proc) observation.Args
}

// Lookup returns the decoder of syscall nr in abi's table, or nil for a call
// with nothing to decode whose outcome no policy needs (read, write, mmap...).
// A non-nil Spec means the outcome is wanted: the tracer stops at its exit.
func Lookup(abi systab.ABI, nr uint32) *Spec {
	return nil // TODO(decode helper)
}

// Errno returns the name of the errno a raw return value carries ("ENOENT"),
// and false when ret is not an error (-4095 <= ret <= -1 are errors).
func Errno(ret int64) (string, bool) {
	return "", false // TODO(decode helper)
}

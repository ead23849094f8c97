// Package decode turns the raw arguments of a stopped tracee's syscall into the
// security-relevant facts a policy can judge: paths, programs executed, socket
// addresses, namespace and privilege operations. One file per syscall family:
// files.go, exec.go, net.go, proc.go (process and privilege), and errno.go for
// return values.
//
// Decoders run on the tracer's stop loop while the tracee is stopped, so they
// read only what they need and every read is bounded.
//
// # Which calls
//
// Decoders are registered by syscall name (ByName), under every name a call
// has on any of the five ABIs (stat64, fstatat64, newfstatat, chown32,
// setuid32...); Lookup maps (ABI, number) to them through systab. Bulk calls
// (read, write, mmap, futex, close, getpid, fork, kill...) have no Spec. Some
// calls have a Spec that decodes nothing (init_module, io_uring_enter,
// settimeofday...): only their outcome is wanted.
//
// # Conventions
//
// Only security-relevant arguments are decoded, since the decoded arguments
// are part of a distinct-record key: never pointers, buffer contents, counts,
// or fd numbers (but see "dirfd"). Keys are lowercase; values are strings; the
// order of the keys is fixed per call.
//
//   - C int arguments are their low 32 bits, as the kernel reads them; longs
//     and pointers lose their high half on i386 and arm.
//   - Bit masks are symbolic names joined with "|" ("O_RDONLY|O_CLOEXEC"),
//     unknown bits last as one hex number ("0x40000000"). A flags argument
//     that is 0 is left out, but open flags and access modes are always
//     there (O_RDONLY and F_OK are 0), and an empty capability set or
//     securebits value is "0". Enumerations
//     are their C names ("AF_INET", "PR_SET_DUMPABLE",
//     "KEYCTL_JOIN_SESSION_KEYRING"), unknown values decimal. Modes are
//     4-digit octal ("0644"); ids decimal with "-1" for "unchanged" (0xffff
//     for the 16-bit chown, setuid... of i386 and arm); signals "SIGCHLD"
//     (realtime ones "SIGRTMIN+n", with the kernel's SIGRTMIN of 32).
//   - "path" is the file a call acts on; "path2" is the second (new) path of
//     rename, link and move_mount. symlink's link is "path" and its content
//     "target", which is never resolved. mount has "source", "target",
//     "fstype" and "flags"; umount "target"; pivot_root "new_root" and
//     "put_old".
//   - Paths are made absolute: a relative one is joined to the directory of
//     its dirfd (Proc.FdPath) or, for AT_FDCWD (an argument whose low 32 bits
//     are -100) and for calls without a dirfd, to Proc.Cwd. Every path is
//     then cleaned lexically with path.Clean: ".." drops the element before it
//     even when that is a symlink, and a trailing slash goes. When the
//     directory cannot be had (or is no path, like "pipe:"), the path stays
//     relative and "dirfd" ("dirfd2" for path2) holds the fd number in decimal
//     (-100 for AT_FDCWD). An empty path stays empty, except with
//     AT_EMPTY_PATH (or the like) where it, or a NULL pointer, is the
//     dirfd's own target. mount's "source" is made absolute only for MS_BIND
//     and MS_MOVE (otherwise it is a device or a name like "proc"); NULL
//     source and fstype, and acct(NULL), are legitimate and just absent.
//   - fd targets (Proc.FdPath) lose their inode number, which changes every
//     run: "pipe:[1234]" is "pipe:", "net:[4026531840]" is "net:";
//     "anon_inode:[eventfd]" and "/memfd:x (deleted)" stay.
//   - Open-like calls (open, openat, openat2, creat, open_by_handle_at) keep
//     "path" as requested; when the call returned an fd whose target differs
//     from "path", their Exit adds it as "resolved".
//   - Process ids appear only where the target process is the point:
//     "pid" of ptrace (not for PTRACE_TRACEME), process_vm_readv/writev and
//     a non-zero capset pid. They differ between runs.
//   - Multiplexed calls name their operation: "op" (i386 socketcall, keyctl,
//     seccomp), "request" (ptrace), "option" (prctl), "cmd" (bpf, reboot,
//     quotactl), "type" (syslog).
//   - Socket addresses ("addr"): inet "127.0.0.1:8080", inet6 "[::1]:8080"
//     ("[fe80::1%2]:80" with a scope), unix paths made absolute against the
//     cwd, abstract unix "@name" with bytes outside printable ASCII and the
//     backslash written \xNN, unnamed unix "unix:unnamed", netlink
//     "netlink:pid=0,groups=0x0", packet "packet:protocol=ETH_P_ALL,ifindex=2",
//     anything else (or too short to decode) "family:N". An address length
//     below 2 gives no "addr". sendmmsg gives the first message's address
//     only.
//   - Memory that cannot be read is never guessed at: the key is left out and
//     one "unreadable" argument, last, lists "key: WHY" entries joined with
//     ", ", WHY being the errno name ("EFAULT"), "NULL" for a NULL pointer
//     the kernel would fault on, or the error's message. When a struct cannot
//     be read, the entry names the first key it would have given ("flags" for
//     openat2 and clone3, "addr" for a sockaddr or msghdr, "args" for
//     socketcall's argument array). A string cut short (ErrTruncated: the
//     bound, or an unmapped page before its NUL) keeps the prefix read, and a
//     "truncated" argument (just before "unreadable") lists such keys, joined
//     with ", ".
//   - Bounds: paths 4096 bytes; argv 256 strings of 4096 bytes and 64 KiB in
//     all (an argv cut on any of these is "truncated"; an argv with a string
//     or pointer that cannot be read is left out, as the kernel fails the
//     exec); sockaddrs 128 bytes (a longer address length is "truncated").
//   - Pointers in the memory of i386, arm and x32 tracees are 4 bytes: argv
//     arrays, struct msghdr (28 bytes), socketcall's argument array.
//   - Return values: Errno names -4095..-1 with the generic Linux numbering
//     that x86, arm and aarch64 share ("ENOENT"), and the kernel-internal
//     restart codes a tracer can see at syscall exit ("ERESTARTSYS"); other
//     numbers are "errno N".
package decode

import (
	"errors"
	"sync"

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
	// Probe calls read metadata (the stat, access and readlink families):
	// their paths are decoded, but their outcome is not worth an exit stop.
	Probe
)

// WantsOutcome reports whether the tracer should stop at the call's exit to
// record its return value: for every decoded family but Probe.
func (s *Spec) WantsOutcome() bool { return s != nil && s.Family != Probe }

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
// Spec.WantsOutcome says whether the tracer should stop at its exit.
//
// The table is built on first use from systab.Number for each decoded name.
// For x32, nr may carry systab.X32Bit or not.
func Lookup(abi systab.ABI, nr uint32) *Spec {
	byNrOnce.Do(buildByNr)
	if abi == systab.X32 {
		nr |= systab.X32Bit
	}
	return byNr[abiNr{abi, nr}]
}

// ByName returns the decoder of the named syscall, under any ABI's spelling
// ("newfstatat", "fstatat64", "setuid32"...), or nil when it has none.
func ByName(name string) *Spec {
	return specs[name]
}

// specs holds the decoders by syscall name; the family files fill it at init.
var specs = map[string]*Spec{}

type (
	entryFunc func(c *Call, m Memory, p Proc) observation.Args
	exitFunc  func(c *Call, ret int64, args observation.Args, p Proc) observation.Args
)

// register gives every name one Spec.
func register(f Family, entry entryFunc, exit exitFunc, names ...string) {
	s := &Spec{Family: f, Entry: entry, Exit: exit}
	for _, n := range names {
		if _, dup := specs[n]; dup {
			panic("decode: " + n + " registered twice")
		}
		specs[n] = s
	}
}

// none is the Entry of calls whose arguments say nothing worth keying.
func none(*Call, Memory, Proc) observation.Args { return nil }

type abiNr struct {
	abi systab.ABI
	nr  uint32
}

var (
	byNrOnce sync.Once
	byNr     map[abiNr]*Spec
)

var abis = [...]systab.ABI{systab.X86_64, systab.I386, systab.X32, systab.AArch64, systab.ARM}

func buildByNr() {
	byNr = make(map[abiNr]*Spec, len(specs)*len(abis))
	for name, s := range specs {
		for _, abi := range abis {
			nr, ok := systab.Number(abi, name)
			if !ok {
				continue
			}
			if abi == systab.X32 {
				nr |= systab.X32Bit
			}
			byNr[abiNr{abi, nr}] = s
		}
	}
}

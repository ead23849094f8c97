package decode

import (
	"encoding/binary"
	"errors"
	"path"
	"strconv"
	"strings"
	"syscall"

	"github.com/sysgate/sysgate/observation"
	"github.com/sysgate/sysgate/tracer/systab"
)

// Read bounds (see the package doc).
const (
	maxPath      = 4096     // PATH_MAX
	maxArgv      = 256      // strings of an argv
	maxArgvStr   = 4096     // bytes of one argv string
	maxArgvTotal = 64 << 10 // bytes of a whole argv
	maxSockaddr  = 128      // sizeof(struct sockaddr_storage)
	pageSize     = 4096
)

// atFDCWD is AT_FDCWD, compared as an int32.
const atFDCWD = -100

// errNULL stands for a NULL pointer where the kernel needs memory.
var errNULL = errors.New("NULL")

// errShort is a read that stopped early without saying why.
var errShort = errors.New("short read")

// wide32 reports whether abi's registers carry 32-bit values, so that the high
// halves of pointer and long arguments are noise.
func wide32(abi systab.ABI) bool {
	return abi == systab.I386 || abi == systab.ARM
}

// ptrSize is the size of a pointer (and of a long) in abi's user memory.
func ptrSize(abi systab.ABI) int {
	switch abi {
	case systab.I386, systab.ARM, systab.X32:
		return 4
	}
	return 8
}

// i32 is argument i as a C int: its low 32 bits.
func (c *Call) i32(i int) int32 { return int32(uint32(c.Args[i])) }

// u32 is argument i as a C unsigned int: its low 32 bits.
func (c *Call) u32(i int) uint32 { return uint32(c.Args[i]) }

// ulong is argument i as a C (unsigned) long or a pointer: the whole register,
// less the high half on 32-bit ABIs.
func (c *Call) ulong(i int) uint64 {
	if wide32(c.ABI) {
		return c.Args[i] & 0xffffffff
	}
	return c.Args[i]
}

// ptr is argument i as a user pointer.
func (c *Call) ptr(i int) uint64 { return c.ulong(i) }

// builder collects the decoded arguments of one call, then the "truncated" and
// "unreadable" notes.
type builder struct {
	c          *Call
	m          Memory
	p          Proc
	args       observation.Args
	unreadable []string
	truncated  []string
}

func newBuilder(c *Call, m Memory, p Proc) *builder {
	return &builder{c: c, m: m, p: p, args: make(observation.Args, 0, 4)}
}

func (b *builder) set(key, value string) {
	b.args = append(b.args, observation.Arg{Key: key, Value: value})
}

func (b *builder) setList(key string, list []string) {
	if list == nil {
		list = []string{}
	}
	b.args = append(b.args, observation.Arg{Key: key, List: list})
}

// fail notes that key could not be read.
func (b *builder) fail(key string, err error) {
	b.unreadable = append(b.unreadable, key+": "+errText(err))
}

// trunc notes that key's value is a prefix.
func (b *builder) trunc(key string) {
	for _, k := range b.truncated {
		if k == key {
			return
		}
	}
	b.truncated = append(b.truncated, key)
}

// done returns the arguments followed by the notes; nil when there are none.
func (b *builder) done() observation.Args {
	if len(b.truncated) > 0 {
		b.set("truncated", strings.Join(b.truncated, ", "))
	}
	if len(b.unreadable) > 0 {
		b.set("unreadable", strings.Join(b.unreadable, ", "))
	}
	if len(b.args) == 0 {
		return nil
	}
	return b.args
}

// errText names a read error: an errno name, "NULL", or the error's message.
func errText(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return ErrnoName(int(errno))
	}
	return err.Error()
}

// str reads the string at addr. It records the failure and returns false when
// there is no value; a NULL addr is a failure unless nullOK.
func (b *builder) str(key string, addr uint64, max int, nullOK bool) (string, bool) {
	if addr == 0 {
		if !nullOK {
			b.fail(key, errNULL)
		}
		return "", false
	}
	s, err := b.m.ReadString(addr, max)
	switch {
	case err == nil:
	case errors.Is(err, ErrTruncated):
		b.trunc(key)
	default:
		b.fail(key, err)
		return "", false
	}
	return s, true
}

// setStr sets key to the string at addr, if it can be read.
func (b *builder) setStr(key string, addr uint64, max int, nullOK bool) {
	if s, ok := b.str(key, addr, max, nullOK); ok {
		b.set(key, s)
	}
}

// readFull fills buf from addr, continuing after partial reads.
func readFull(m Memory, addr uint64, buf []byte) error {
	_, err := readSome(m, addr, buf)
	return err
}

// readSome reads into buf from addr, continuing after partial reads, and
// returns how many bytes it got and, when that is not all, why.
func readSome(m Memory, addr uint64, buf []byte) (int, error) {
	if addr == 0 && len(buf) > 0 {
		return 0, errNULL
	}
	got := 0
	for got < len(buf) {
		n, err := m.Read(addr+uint64(got), buf[got:])
		if n < 0 || n > len(buf)-got {
			return got, errShort
		}
		got += n
		switch {
		case got == len(buf):
		case err != nil:
			return got, err
		case n == 0:
			return got, errShort
		}
	}
	return got, nil
}

// read fills buf from addr, recording a failure under key.
func (b *builder) read(key string, addr uint64, buf []byte) bool {
	if err := readFull(b.m, addr, buf); err != nil {
		b.fail(key, err)
		return false
	}
	return true
}

// word reads a little-endian unsigned integer of size 4 or 8 at off in buf.
func word(buf []byte, off, size int) uint64 {
	if size == 4 {
		return uint64(binary.LittleEndian.Uint32(buf[off:]))
	}
	return binary.LittleEndian.Uint64(buf[off:])
}

// dirPath is the absolute path dirfd stands for (the cwd for AT_FDCWD).
func (b *builder) dirPath(dirfd int32) (string, error) {
	if b.p == nil {
		return "", errNULL
	}
	var (
		s   string
		err error
	)
	if dirfd == atFDCWD {
		s, err = b.p.Cwd()
	} else {
		s, err = b.p.FdPath(dirfd)
	}
	if err != nil {
		return "", err
	}
	if !strings.HasPrefix(s, "/") {
		return "", errors.New("not a path")
	}
	return s, nil
}

// resolve makes s absolute against dirfd; false when it had to stay relative.
// Resolution is lexical (path.Clean): "a/../b" is "b" even if a is a symlink.
func (b *builder) resolve(dirfd int32, s string) (string, bool) {
	if s == "" {
		return "", true
	}
	if s[0] == '/' {
		return path.Clean(s), true
	}
	base, err := b.dirPath(dirfd)
	if err != nil {
		return s, false
	}
	return path.Join(base, s), true
}

// pathAt sets key to the path at addr resolved against dirfd, and dirfdKey to
// dirfd when that cannot be done. With emptyPath (AT_EMPTY_PATH and the like),
// an empty or NULL path names dirfd itself.
func (b *builder) pathAt(key, dirfdKey string, dirfd int32, addr uint64, emptyPath bool) {
	s := ""
	if addr != 0 || !emptyPath {
		var ok bool
		if s, ok = b.str(key, addr, maxPath, false); !ok {
			return
		}
	}
	if s == "" && emptyPath {
		b.fdSelf(key, dirfdKey, dirfd)
		return
	}
	abs, ok := b.resolve(dirfd, s)
	b.set(key, abs)
	if !ok {
		b.set(dirfdKey, strconv.Itoa(int(dirfd)))
	}
}

// fdSelf sets key to what dirfd (AT_FDCWD: the cwd) refers to.
func (b *builder) fdSelf(key, dirfdKey string, dirfd int32) {
	var (
		s   string
		err error
	)
	switch {
	case b.p == nil:
		err = errNULL
	case dirfd == atFDCWD:
		s, err = b.p.Cwd()
	default:
		s, err = b.p.FdPath(dirfd)
	}
	if err != nil {
		b.set(key, "")
		b.set(dirfdKey, strconv.Itoa(int(dirfd)))
		return
	}
	b.set(key, normFdPath(s))
}

// path sets key to the path at addr, relative to the cwd.
func (b *builder) path(key string, addr uint64) {
	b.pathAt(key, "dirfd", atFDCWD, addr, false)
}

// fdPath sets key to the target of fd, or records why it has none.
func (b *builder) fdPath(key string, fd int32) {
	if b.p == nil {
		b.fail(key, errNULL)
		return
	}
	s, err := b.p.FdPath(fd)
	if err != nil {
		b.fail(key, err)
		return
	}
	b.set(key, normFdPath(s))
}

// normFdPath drops the inode number of a non-path fd target, which changes
// every run: "pipe:[1234]" is "pipe:", "net:[4026531840]" is "net:".
// "anon_inode:[eventfd]" and real paths stay.
func normFdPath(s string) string {
	if strings.HasPrefix(s, "/") || !strings.HasSuffix(s, "]") {
		return s
	}
	i := strings.Index(s, ":[")
	if i <= 0 {
		return s
	}
	digits := s[i+2 : len(s)-1]
	if digits == "" {
		return s
	}
	for j := 0; j < len(digits); j++ {
		if digits[j] < '0' || digits[j] > '9' {
			return s
		}
	}
	return s[:i+1]
}

// dec is v in decimal.
func dec(v int64) string { return strconv.FormatInt(v, 10) }

// hex is v as "0x..." in lowercase hex.
func hex(v uint64) string { return "0x" + strconv.FormatUint(v, 16) }

// octal is a permission mode as "0644".
func octal(v uint64) string {
	s := strconv.FormatUint(v, 8)
	for len(s) < 4 {
		s = "0" + s
	}
	return s
}

// id formats a user or group id: decimal, or "-1" for "leave unchanged". With
// legacy16 the id is an old 16-bit one (chown, setuid... on i386 and arm).
func id(v uint32, legacy16 bool) string {
	if legacy16 {
		v &= 0xffff
		if v == 0xffff {
			return "-1"
		}
	} else if v == 0xffffffff {
		return "-1"
	}
	return strconv.FormatUint(uint64(v), 10)
}

// flag names one bit (or set of bits, which must all be present) of a mask.
type flag struct {
	v    uint64
	name string
}

// flags names the bits of v from tab, in tab's order (so list composite
// values first), unknown bits last in hex; "0" when v is 0.
func flags(v uint64, tab []flag) string {
	if v == 0 {
		return "0"
	}
	var sb strings.Builder
	for _, f := range tab {
		if f.v != 0 && v&f.v == f.v {
			if sb.Len() > 0 {
				sb.WriteByte('|')
			}
			sb.WriteString(f.name)
			v &^= f.v
		}
	}
	if v != 0 {
		if sb.Len() > 0 {
			sb.WriteByte('|')
		}
		sb.WriteString(hex(v))
	}
	return sb.String()
}

// setFlags sets key to the names of v's bits, unless v is 0.
func (b *builder) setFlags(key string, v uint64, tab []flag) {
	if v != 0 {
		b.set(key, flags(v, tab))
	}
}

// enum names v from tab, or gives it in decimal.
func enum(v int64, tab map[int64]string) string {
	if s, ok := tab[v]; ok {
		return s
	}
	return dec(v)
}

// escape writes bytes outside printable ASCII, and the backslash, as \xNN.
func escape(p []byte) string {
	var sb strings.Builder
	for _, c := range p {
		if c < 0x20 || c >= 0x7f || c == '\\' {
			const digits = "0123456789abcdef"
			sb.WriteString(`\x`)
			sb.WriteByte(digits[c>>4])
			sb.WriteByte(digits[c&15])
			continue
		}
		sb.WriteByte(c)
	}
	return sb.String()
}

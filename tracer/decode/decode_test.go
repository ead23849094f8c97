package decode

import (
	"encoding/binary"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/sysgate/sysgate/observation"
	"github.com/sysgate/sysgate/tracer/systab"
)

// fakeMem is a sparse address space: mapped regions, plus a range that fails
// with EFAULT. Anything else is unmapped (EFAULT too).
type fakeMem struct {
	regions      []region
	badLo, badHi uint64
}

type region struct {
	addr uint64
	data []byte
}

const (
	badAddr = 0xdead0000 // in the EFAULT range of newMem
	page    = 0x1000
)

func newMem() *fakeMem {
	return &fakeMem{badLo: badAddr, badHi: badAddr + page}
}

func (f *fakeMem) byteAt(a uint64) (byte, bool) {
	if a >= f.badLo && a < f.badHi {
		return 0, false
	}
	for _, r := range f.regions {
		if a >= r.addr && a-r.addr < uint64(len(r.data)) {
			return r.data[a-r.addr], true
		}
	}
	return 0, false
}

func (f *fakeMem) ReadString(addr uint64, max int) (string, error) {
	var out []byte
	for i := 0; ; i++ {
		c, ok := f.byteAt(addr + uint64(i))
		switch {
		case !ok && i == 0:
			return "", syscall.EFAULT
		case !ok:
			return string(out), ErrTruncated
		case c == 0:
			return string(out), nil
		case i == max:
			return string(out), ErrTruncated
		}
		out = append(out, c)
	}
}

func (f *fakeMem) Read(addr uint64, buf []byte) (int, error) {
	for i := range buf {
		c, ok := f.byteAt(addr + uint64(i))
		if !ok {
			return i, syscall.EFAULT
		}
		buf[i] = c
	}
	return len(buf), nil
}

// put maps b at addr.
func (f *fakeMem) put(addr uint64, b []byte) *fakeMem {
	f.regions = append(f.regions, region{addr, b})
	return f
}

// str maps s and its NUL at addr.
func (f *fakeMem) str(addr uint64, s string) *fakeMem {
	return f.put(addr, append([]byte(s), 0))
}

// ptrs maps an array of size-byte pointers at addr.
func (f *fakeMem) ptrs(addr uint64, size int, ps ...uint64) *fakeMem {
	b := make([]byte, size*len(ps))
	for i, p := range ps {
		if size == 4 {
			binary.LittleEndian.PutUint32(b[4*i:], uint32(p))
		} else {
			binary.LittleEndian.PutUint64(b[8*i:], p)
		}
	}
	return f.put(addr, b)
}

// fakeProc knows a cwd and some fds.
type fakeProc struct {
	cwd string
	fds map[int32]string
}

func (p *fakeProc) Cwd() (string, error) {
	if p.cwd == "" {
		return "", syscall.ENOENT
	}
	return p.cwd, nil
}

func (p *fakeProc) FdPath(fd int32) (string, error) {
	if s, ok := p.fds[fd]; ok {
		return s, nil
	}
	return "", syscall.EBADF
}

func stdProc() *fakeProc {
	return &fakeProc{cwd: "/home/u", fds: map[int32]string{
		3: "/srv", 4: "/memfd:x (deleted)", 5: "pipe:[1234]",
		6: "net:[4026531840]", 7: "/lib/modules/m.ko",
	}}
}

// kv builds Args from key, value pairs.
func kv(pairs ...string) observation.Args {
	var a observation.Args
	for i := 0; i+1 < len(pairs); i += 2 {
		a = append(a, observation.Arg{Key: pairs[i], Value: pairs[i+1]})
	}
	return a
}

// list is a list-valued Arg.
func list(key string, l ...string) observation.Arg {
	if l == nil {
		l = []string{}
	}
	return observation.Arg{Key: key, List: l}
}

// atCWD is AT_FDCWD as a sign-extended 64-bit register.
const atCWD = 0xffffffffffffff9c

type decodeCase struct {
	name string
	call string
	abi  systab.ABI // X86_64 when Unknown
	args [6]uint64
	mem  *fakeMem
	proc *fakeProc
	want observation.Args
}

func runCases(t *testing.T, cases []decodeCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := decodeEntry(t, tc)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("%s:\n got %s\nwant %s", tc.call, short(got), short(tc.want))
			}
		})
	}
}

func decodeEntry(t *testing.T, tc decodeCase) observation.Args {
	t.Helper()
	s := ByName(tc.call)
	if s == nil {
		t.Fatalf("no decoder for %s", tc.call)
	}
	abi := tc.abi
	if abi == systab.Unknown {
		abi = systab.X86_64
	}
	m, p := tc.mem, tc.proc
	if m == nil {
		m = newMem()
	}
	if p == nil {
		p = stdProc()
	}
	return s.Entry(&Call{ABI: abi, Name: tc.call, Args: tc.args}, m, p)
}

func TestLookup(t *testing.T) {
	nr, ok := systab.Number(systab.X86_64, "openat")
	if !ok {
		t.Skip("systab tables not generated yet")
	}
	if got := Lookup(systab.X86_64, nr); got == nil || got != ByName("openat") {
		t.Errorf("Lookup(x86_64, openat=%d) = %p, want %p", nr, got, ByName("openat"))
	}
	checks := []struct {
		abi  systab.ABI
		name string
		want *Spec
	}{
		{systab.X86_64, "read", nil},
		{systab.X86_64, "newfstatat", ByName("newfstatat")},
		{systab.I386, "socketcall", ByName("socketcall")},
		{systab.I386, "fstatat64", ByName("fstatat64")},
		{systab.I386, "setuid32", ByName("setuid32")},
		{systab.ARM, "openat", ByName("openat")},
		{systab.AArch64, "execve", ByName("execve")},
		{systab.X32, "execve", ByName("execve")},
	}
	for _, c := range checks {
		n, ok := systab.Number(c.abi, c.name)
		if !ok {
			t.Errorf("systab has no %s on %s", c.name, c.abi)
			continue
		}
		if got := Lookup(c.abi, n); got != c.want {
			t.Errorf("Lookup(%s, %s=%#x) = %p, want %p", c.abi, c.name, n, got, c.want)
		}
		if c.abi == systab.X32 {
			if got := Lookup(c.abi, n&^systab.X32Bit); got != c.want {
				t.Errorf("Lookup(x32, %s without X32Bit) = %p, want %p", c.name, got, c.want)
			}
		}
	}
}

// TestRegisteredNames: every decoded name is a syscall of some ABI.
func TestRegisteredNames(t *testing.T) {
	if _, ok := systab.Number(systab.X86_64, "openat"); !ok {
		t.Skip("systab tables not generated yet")
	}
	for _, name := range specNames() {
		found := false
		for _, abi := range abis {
			if _, ok := systab.Number(abi, name); ok {
				found = true
			}
		}
		if !found {
			t.Errorf("%s is registered but no ABI has it", name)
		}
	}
}

func TestBulkHasNoSpec(t *testing.T) {
	for _, name := range []string{"read", "write", "mmap", "mmap2", "futex", "close",
		"getpid", "fork", "vfork", "kill", "listen", "accept", "fstat", "capget", "_llseek"} {
		if ByName(name) != nil {
			t.Errorf("%s has a Spec", name)
		}
	}
}

func TestFamilies(t *testing.T) {
	want := map[string]Family{
		"openat": File, "newfstatat": Probe, "access": Probe, "readlinkat": Probe,
		"unlinkat": File, "mount": File, "execve": Exec,
		"execveat": Exec, "connect": Net, "socketcall": Net, "clone": Priv,
		"io_uring_enter": Priv, "capset": Priv, "init_module": Priv,
	}
	for name, f := range want {
		if s := ByName(name); s == nil || s.Family != f {
			t.Errorf("%s: spec %+v, want family %d", name, s, f)
		}
		if got := ByName(name).WantsOutcome(); got != (f != Probe) {
			t.Errorf("%s: WantsOutcome = %v", name, got)
		}
	}
}

func TestErrno(t *testing.T) {
	cases := []struct {
		ret  int64
		name string
		ok   bool
	}{
		{-2, "ENOENT", true}, {-1, "EPERM", true}, {-13, "EACCES", true},
		{-133, "EHWPOISON", true}, {-512, "ERESTARTSYS", true},
		{-200, "errno 200", true}, {-41, "errno 41", true},
		{-4095, "errno 4095", true}, {0, "", false}, {3, "", false},
		{-4096, "", false}, {-1 << 40, "", false},
	}
	for _, c := range cases {
		name, ok := Errno(c.ret)
		if name != c.name || ok != c.ok {
			t.Errorf("Errno(%d) = %q, %v; want %q, %v", c.ret, name, ok, c.name, c.ok)
		}
	}
	if got := ErrnoName(14); got != "EFAULT" {
		t.Errorf("ErrnoName(14) = %q", got)
	}
	if got := ErrnoName(0); got != "errno 0" {
		t.Errorf("ErrnoName(0) = %q", got)
	}
}

func TestFakeMem(t *testing.T) {
	m := newMem().put(2*page-3, []byte("abc"))
	if s, err := m.ReadString(2*page-3, 10); s != "abc" || !errors.Is(err, ErrTruncated) {
		t.Errorf("string into unmapped page: %q, %v", s, err)
	}
	if _, err := m.ReadString(badAddr, 10); !errors.Is(err, syscall.EFAULT) {
		t.Errorf("bad range: %v", err)
	}
}

func TestNormFdPath(t *testing.T) {
	cases := map[string]string{
		"pipe:[1234]": "pipe:", "socket:[9]": "socket:", "net:[4026531840]": "net:",
		"anon_inode:[eventfd]": "anon_inode:[eventfd]", "/a/b": "/a/b",
		"/x:[12]": "/x:[12]", "pipe:[]": "pipe:[]", "anon_inode:bpf-prog": "anon_inode:bpf-prog",
	}
	for in, want := range cases {
		if got := normFdPath(in); got != want {
			t.Errorf("normFdPath(%q) = %q, want %q", in, got, want)
		}
	}
}

// short prints args with long strings cut, for failure messages.
func short(a observation.Args) string {
	cut := func(s string) string {
		if len(s) > 60 {
			return fmt.Sprintf("%q...(%d bytes)", s[:40], len(s))
		}
		return strconv.Quote(s)
	}
	var sb strings.Builder
	for _, x := range a {
		fmt.Fprintf(&sb, "%s=", x.Key)
		if x.List != nil {
			sb.WriteString("[")
			for i, s := range x.List {
				if i == 8 {
					fmt.Fprintf(&sb, " ...%d more", len(x.List)-i)
					break
				}
				sb.WriteString(cut(s) + " ")
			}
			sb.WriteString("] ")
			continue
		}
		sb.WriteString(cut(x.Value) + " ")
	}
	return sb.String()
}

func specNames() []string {
	names := make([]string, 0, len(specs))
	for n := range specs {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

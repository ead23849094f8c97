package decode

import (
	"errors"

	"github.com/sysgate/sysgate/observation"
)

func init() {
	register(Exec, execveEntry, nil, "execve")
	register(Exec, execveatEntry, nil, "execveat")
}

// execveEntry: execve(path, argv, envp). The environment is not decoded.
func execveEntry(c *Call, m Memory, p Proc) observation.Args {
	b := newBuilder(c, m, p)
	b.path("path", c.ptr(0))
	b.argv(c.ptr(1))
	return b.done()
}

var execveatFlags = []flag{
	{0x100, "AT_SYMLINK_NOFOLLOW"}, {atEmptyPath, "AT_EMPTY_PATH"},
	{0x10000, "AT_EXECVE_CHECK"},
}

// execveatEntry: execveat(dirfd, path, argv, envp, flags). With AT_EMPTY_PATH
// and an empty path the program is dirfd's target ("/memfd:x (deleted)").
func execveatEntry(c *Call, m Memory, p Proc) observation.Args {
	b := newBuilder(c, m, p)
	fl := uint64(c.u32(4))
	b.pathAt("path", "dirfd", c.i32(0), c.ptr(1), fl&atEmptyPath != 0)
	b.argv(c.ptr(2))
	b.setFlags("flags", fl, execveatFlags)
	return b.done()
}

// argv sets "argv" to the strings of the NULL-terminated pointer array at
// addr (pointers of the ABI's size); a NULL array is an empty argv, as Linux
// takes it. Bounds: maxArgv strings of maxArgvStr bytes, maxArgvTotal in all.
func (b *builder) argv(addr uint64) {
	if addr == 0 {
		b.setList("argv", nil)
		return
	}
	list, trunc, err := readArgv(b.m, addr, ptrSize(b.c.ABI))
	if err != nil {
		b.fail("argv", err)
		return
	}
	b.setList("argv", list)
	if trunc {
		b.trunc("argv")
	}
}

// readArgv reads the array at addr in page-bounded chunks of pointers.
func readArgv(m Memory, addr uint64, ps int) (list []string, trunc bool, err error) {
	var buf [64 * 8]byte
	total := 0
	for {
		// Room for the pointers still allowed and the one after them.
		n := min(len(buf), (maxArgv+1-len(list))*ps, pageSize-int(addr%pageSize))
		n = max(n-n%ps, ps)
		// A short read still gives the pointers before the fault.
		got, rerr := readSome(m, addr, buf[:n])
		for off := 0; off+ps <= got; off += ps {
			p := word(buf[:n], off, ps)
			if p == 0 {
				return list, trunc, nil
			}
			if len(list) == maxArgv || total >= maxArgvTotal {
				return list, true, nil
			}
			lim := min(maxArgvStr, maxArgvTotal-total)
			s, err := m.ReadString(p, lim)
			if err != nil && !errors.Is(err, ErrTruncated) {
				return nil, false, err
			}
			list = append(list, s)
			total += len(s)
			if err != nil {
				trunc = true
				if lim < maxArgvStr {
					return list, true, nil
				}
			}
		}
		if rerr != nil {
			return nil, false, rerr
		}
		addr += uint64(n)
	}
}

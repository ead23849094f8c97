package tracer

import (
	"bytes"
	"errors"
	"os"
	"strconv"

	"golang.org/x/sys/unix"

	"github.com/sysgate/sysgate/tracer/decode"
)

const pageSize = 4096

// pathBufSize holds any path the kernel reports through /proc (PATH_MAX).
const pathBufSize = 4096

// memory reads a stopped tracee's memory page by page with process_vm_readv,
// falling back to /proc/PID/mem where that call is refused (it is missing on
// some kernels and seccomp profiles). It implements decode.Memory and
// decode.Proc for one thread; the loop points it at the stopped thread.
type memory struct {
	tid     int
	page    [pageSize]byte
	link    [pathBufSize]byte // readlink's buffer
	memFile *os.File          // /proc/TID/mem, opened on first fallback
	memTid  int
}

var _ decode.Memory = (*memory)(nil)
var _ decode.Proc = (*memory)(nil)

func (m *memory) at(tid int) *memory {
	m.tid = tid
	return m
}

// Read fills buf from addr, stopping at the first unreadable page.
func (m *memory) Read(addr uint64, buf []byte) (int, error) {
	done := 0
	for done < len(buf) {
		chunk := pageSize - int((addr+uint64(done))%pageSize)
		chunk = min(chunk, len(buf)-done)
		n, err := m.readPage(addr+uint64(done), buf[done:done+chunk])
		done += n
		if err != nil {
			return done, err
		}
		if n < chunk {
			return done, unix.EFAULT
		}
	}
	return done, nil
}

// ReadString reads a NUL-terminated string of at most max bytes.
func (m *memory) ReadString(addr uint64, max int) (string, error) {
	if addr == 0 {
		return "", unix.EFAULT
	}
	var out []byte
	for len(out) <= max {
		chunk := pageSize - int(addr%pageSize)
		chunk = min(chunk, max+1-len(out))
		n, err := m.readPage(addr, m.page[:chunk])
		if i := bytes.IndexByte(m.page[:n], 0); i >= 0 {
			return string(append(out, m.page[:i]...)), nil
		}
		out = append(out, m.page[:n]...)
		if err != nil || n < chunk {
			if len(out) == 0 {
				return "", orFault(err)
			}
			return string(out), decode.ErrTruncated
		}
		addr += uint64(n)
	}
	return string(out[:max]), decode.ErrTruncated
}

func orFault(err error) error {
	if err == nil {
		return unix.EFAULT
	}
	return err
}

// readPage reads buf, which lies within one page of the tracee.
func (m *memory) readPage(addr uint64, buf []byte) (int, error) {
	n, err := readRemote(m.tid, addr, buf)
	if err == nil || errors.Is(err, unix.EFAULT) {
		return max(n, 0), err
	}
	if errors.Is(err, unix.ENOSYS) || errors.Is(err, unix.EPERM) {
		return m.readProcMem(addr, buf)
	}
	return 0, err
}

func (m *memory) readProcMem(addr uint64, buf []byte) (int, error) {
	if m.memFile == nil || m.memTid != m.tid {
		m.forget()
		f, err := os.Open("/proc/" + strconv.Itoa(m.tid) + "/mem")
		if err != nil {
			return 0, unwrapPathErr(err)
		}
		m.memFile, m.memTid = f, m.tid
	}
	n, err := m.memFile.ReadAt(buf, int64(addr))
	if err != nil && n == 0 {
		return 0, unwrapPathErr(err)
	}
	return n, nil
}

// forget closes the /proc/PID/mem file: after an exec it refers to the old
// address space.
func (m *memory) forget() {
	if m.memFile != nil {
		m.memFile.Close()
		m.memFile = nil
	}
}

func unwrapPathErr(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Cwd is what /proc/TID/cwd points to.
func (m *memory) Cwd() (string, error) {
	return readlink("/proc/"+strconv.Itoa(m.tid)+"/cwd", &m.link)
}

// FdPath is what /proc/TID/fd/FD points to.
func (m *memory) FdPath(fd int32) (string, error) {
	return readlink("/proc/"+strconv.Itoa(m.tid)+"/fd/"+strconv.Itoa(int(fd)), &m.link)
}

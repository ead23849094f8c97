package tracer

import (
	"os"
	"strings"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The ptrace requests and structures x/sys/unix lacks or wraps in ways the stop
// loop cannot use (PTRACE_SEIZE with options, PTRACE_LISTEN, PTRACE_INTERRUPT,
// PTRACE_GET_SYSCALL_INFO), in one file. Every call here must come from the
// loop's locked OS thread.

const (
	ptraceReqGetSyscallInfo = 0x420e

	syscallInfoNone    = 0
	syscallInfoEntry   = 1
	syscallInfoExit    = 2
	syscallInfoSeccomp = 3
)

// syscallInfo is struct ptrace_syscall_info (linux/ptrace.h), 88 bytes. The
// union is laid out as entry/seccomp: nr at 24, args at 32..80, ret_data at 80;
// for exit: rval at 24, is_error at 32.
type syscallInfo struct {
	Op   uint8
	_    [3]uint8
	Arch uint32
	IP   uint64
	SP   uint64
	Nr   uint64 // exit: rval
	Args [6]uint64
	Data uint32 // seccomp ret_data
	_    uint32
}

func (s *syscallInfo) rval() int64   { return int64(s.Nr) }
func (s *syscallInfo) isError() bool { return s.Args[0]&0xff != 0 }

func ptrace(req int, pid int, addr, data uintptr) error {
	_, _, e := unix.RawSyscall6(unix.SYS_PTRACE, uintptr(req), uintptr(pid), addr, data, 0, 0)
	if e != 0 {
		return e
	}
	return nil
}

func ptraceSeize(pid int, options int) error {
	return ptrace(unix.PTRACE_SEIZE, pid, 0, uintptr(options))
}

func ptraceInterrupt(pid int) error { return ptrace(unix.PTRACE_INTERRUPT, pid, 0, 0) }

func ptraceListen(pid int) error { return ptrace(unix.PTRACE_LISTEN, pid, 0, 0) }

// ptraceRestart resumes a stopped tracee with req (PTRACE_SYSCALL or
// PTRACE_CONT), delivering sig (0 for none).
func ptraceRestart(req int, pid int, sig int) error {
	return ptrace(req, pid, 0, uintptr(sig))
}

func ptraceGetEventMsg(pid int) (uint64, error) {
	var msg uint64
	err := ptrace(unix.PTRACE_GETEVENTMSG, pid, 0, uintptr(unsafe.Pointer(&msg)))
	return msg, err
}

// ptraceGetSyscallInfo fills info for a stopped tracee and returns the size
// the kernel reported.
func ptraceGetSyscallInfo(pid int, info *syscallInfo) (int, error) {
	n, _, e := unix.RawSyscall6(unix.SYS_PTRACE, ptraceReqGetSyscallInfo, uintptr(pid),
		unsafe.Sizeof(*info), uintptr(unsafe.Pointer(info)), 0, 0)
	if e != 0 {
		return 0, e
	}
	return int(n), nil
}

// readRemote reads from another process's memory with process_vm_readv.
func readRemote(pid int, addr uint64, buf []byte) (int, error) {
	if len(buf) == 0 {
		return 0, nil
	}
	local := unix.Iovec{Base: &buf[0], Len: uint64(len(buf))}
	remote := unix.RemoteIovec{Base: uintptr(addr), Len: len(buf)}
	return unix.ProcessVMReadv(pid, []unix.Iovec{local}, []unix.RemoteIovec{remote}, 0)
}

// wait4 waits for any child or tracee, without the allocation syscall.Wait4's
// rusage handling would add. With raw set it is a raw system call, which the
// Go scheduler does not see: the loop's P stays with it, and the runtime's
// monitor thread no longer takes the P away from a goroutine that looks to
// have run too long (this one never reschedules), nor polls every 20 µs after
// each time (about an eighth of the tracer's CPU time on a fork+exec loop).
// The runtime still gets the goroutine when it needs it: preemptibleWait
// makes its preemption signal interrupt the wait (EINTR), and the goroutine
// then stops at wait4's own prologue, before it waits again (docs/tracer.md,
// "The loop"). Without raw it goes through the scheduler.
//
//go:noinline
func wait4(status *unix.WaitStatus, options int, raw bool) (int, error) {
	var (
		pid uintptr
		e   unix.Errno
	)
	if raw {
		pid, _, e = unix.RawSyscall6(unix.SYS_WAIT4, ^uintptr(0), uintptr(unsafe.Pointer(status)), uintptr(options), 0, 0, 0)
	} else {
		pid, _, e = unix.Syscall6(unix.SYS_WAIT4, ^uintptr(0), uintptr(unsafe.Pointer(status)), uintptr(options), 0, 0, 0)
	}
	if e != 0 {
		return 0, e
	}
	return int(pid), nil
}

// preemptibleWait clears SA_RESTART from the Go runtime's handler of SIGURG,
// its preemption signal, so that the signal ends a raw wait4 with EINTR
// instead of restarting it: a stop-the-world (a garbage collection) or a
// goroutine waiting for the loop's P then waits for the signal, not for the
// next tracee stop. The runtime sends SIGURG only to threads running Go code
// or in raw system calls, never to a goroutine in a scheduler-aware one, so
// no other blocking call sees the change. restore puts the handler back as
// it was. It reports false, and changes nothing, when the runtime does not
// preempt with signals (GODEBUG=asyncpreemptoff=1) or the handler is not the
// runtime's.
func preemptibleWait() (restore func(), ok bool) {
	for _, kv := range strings.Split(os.Getenv("GODEBUG"), ",") {
		if strings.TrimSpace(kv) == "asyncpreemptoff=1" {
			return nil, false
		}
	}
	var old kernelSigaction
	if _, _, e := unix.RawSyscall6(unix.SYS_RT_SIGACTION, uintptr(unix.SIGURG), 0, uintptr(unsafe.Pointer(&old)), 8, 0, 0); e != 0 {
		return nil, false
	}
	if old.handler == 0 || old.handler == 1 || old.flags&saSiginfo == 0 {
		return nil, false // SIG_DFL, SIG_IGN, or not the runtime's handler
	}
	act := old
	act.flags &^= saRestart
	if _, _, e := unix.RawSyscall6(unix.SYS_RT_SIGACTION, uintptr(unix.SIGURG), uintptr(unsafe.Pointer(&act)), 0, 8, 0, 0); e != 0 {
		return nil, false
	}
	return func() {
		unix.RawSyscall6(unix.SYS_RT_SIGACTION, uintptr(unix.SIGURG), uintptr(unsafe.Pointer(&old)), 0, 8, 0, 0)
	}, true
}

// seccompTraceAll installs a filter that returns SECCOMP_RET_TRACE for every
// call of the calling thread, so the tracer gets one stop per call.
func seccompTraceAll() error {
	filter := []unix.SockFilter{{Code: unix.BPF_RET | unix.BPF_K, K: unix.SECCOMP_RET_TRACE}}
	prog := unix.SockFprog{Len: uint16(len(filter)), Filter: &filter[0]}
	_, _, e := unix.RawSyscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, 0, uintptr(unsafe.Pointer(&prog)))
	if e != 0 {
		return e
	}
	return nil
}

// kernelSigaction is the kernel's struct sigaction on x86_64 and arm64.
type kernelSigaction struct {
	handler  uintptr
	flags    uint64
	restorer uintptr
	mask     uint64
}

// quietSIGCHLD sets SIGCHLD to its default disposition with SA_NOCLDSTOP.
// Every tracee stop would otherwise deliver a SIGCHLD to the Go runtime's
// handler, a signal frame and a sigreturn per stop for nothing: the loop
// learns of stops from wait4 alone, and SIG_DFL (unlike SIG_IGN) keeps the
// zombies wait4 reports exits from. sysgate never asks for SIGCHLD itself.
func quietSIGCHLD() error {
	act := kernelSigaction{flags: saRestart | saNoCldStop}
	_, _, e := unix.RawSyscall6(unix.SYS_RT_SIGACTION, uintptr(unix.SIGCHLD), uintptr(unsafe.Pointer(&act)), 0, 8, 0, 0)
	if e != 0 {
		return e
	}
	return nil
}

const (
	saNoCldStop = 0x1
	saSiginfo   = 0x4
	saRestart   = 0x10000000
)

package decode

import (
	"encoding/binary"
	"strconv"

	"github.com/sysgate/sysgate/observation"
	"github.com/sysgate/sysgate/tracer/systab"
)

func init() {
	registerProcs()
	registerIDs()
	registerKernel()
}

// registerProcs: processes, namespaces, tracing, process control.
func registerProcs() {
	register(Priv, cloneEntry, nil, "clone")
	register(Priv, clone3Entry, nil, "clone3")
	register(Priv, unshareEntry, nil, "unshare")
	register(Priv, setnsEntry, nil, "setns")
	register(Priv, ptraceEntry, nil, "ptrace")
	register(Priv, prctlEntry, nil, "prctl")
	register(Priv, personalityEntry, nil, "personality")
	register(Priv, pidEntry, nil, "process_vm_readv", "process_vm_writev")
	register(Priv, flagsEntry(1, pidfdOpenFlags), nil, "pidfd_open")
	register(Priv, none, nil, "pidfd_getfd")
	register(Priv, flagsEntry(0, userfaultfdFlags), nil, "userfaultfd")
	register(Priv, memfdCreateEntry, nil, "memfd_create")
	register(Priv, flagsEntry(0, memfdSecretFlags), nil, "memfd_secret")
	register(Priv, seccompEntry, nil, "seccomp")
	register(Priv, ioUringSetupEntry, nil, "io_uring_setup")
	register(Priv, none, nil, "io_uring_enter", "io_uring_register")
}

// registerIDs: credentials and capabilities.
func registerIDs() {
	idCalls := []struct {
		name string
		keys []string
	}{
		{"setuid", []string{"uid"}}, {"setgid", []string{"gid"}},
		{"setreuid", []string{"ruid", "euid"}}, {"setregid", []string{"rgid", "egid"}},
		{"setresuid", []string{"ruid", "euid", "suid"}},
		{"setresgid", []string{"rgid", "egid", "sgid"}},
		{"setfsuid", []string{"fsuid"}}, {"setfsgid", []string{"fsgid"}},
	}
	for _, c := range idCalls {
		register(Priv, idEntry(c.keys, true), nil, c.name)
		register(Priv, idEntry(c.keys, false), nil, c.name+"32")
	}
	register(Priv, setgroupsEntry, nil, "setgroups", "setgroups32")
	register(Priv, capsetEntry, nil, "capset")
}

// registerKernel: keys, bpf, modules, kexec, perf, system-wide settings.
func registerKernel() {
	register(Priv, keyctlEntry, nil, "keyctl")
	register(Priv, addKeyEntry, nil, "add_key", "request_key")
	register(Priv, bpfEntry, nil, "bpf")
	register(Priv, none, nil, "init_module")
	register(Priv, finitModuleEntry, nil, "finit_module")
	register(Priv, deleteModuleEntry, nil, "delete_module")
	register(Priv, kexecLoadEntry, nil, "kexec_load")
	register(Priv, flagsEntry(4, kexecFileFlags), nil, "kexec_file_load")
	register(Priv, perfEventOpenEntry, nil, "perf_event_open")
	register(Priv, rebootEntry, nil, "reboot")
	register(Priv, pathEntry(0), nil, "swapon", "swapoff")
	register(Priv, syslogEntry, nil, "syslog")
	register(Priv, ioplEntry, nil, "iopl")
	register(Priv, iopermEntry, nil, "ioperm")
	register(Priv, acctEntry, nil, "acct")
	register(Priv, none, nil, "settimeofday", "stime", "clock_settime",
		"clock_settime64", "adjtimex", "clock_adjtime", "clock_adjtime64",
		"lookup_dcookie", "nfsservctl", "vhangup")
	register(Priv, hostnameEntry, nil, "sethostname", "setdomainname")
	register(Priv, quotactlEntry, nil, "quotactl")
	register(Priv, quotactlFdEntry, nil, "quotactl_fd")
	register(Priv, openByHandleEntry, openExit, "open_by_handle_at")
	register(Priv, atEntry(0, 1, 4, atHandle), nil, "name_to_handle_at")
	register(Priv, flagsEntry(0, fanotifyInitFlags), nil, "fanotify_init")
	register(Priv, fanotifyMarkEntry, nil, "fanotify_mark")
	register(Priv, pathEntry(1), nil, "inotify_add_watch")
}

// flagsEntry decodes a call whose only argument of note is the flags at arg
// i (as a C unsigned int).
func flagsEntry(i int, tab []flag) entryFunc {
	return func(c *Call, m Memory, p Proc) observation.Args {
		b := newBuilder(c, m, p)
		b.setFlags("flags", uint64(c.u32(i)), tab)
		return b.done()
	}
}

// signal names a signal number ("SIGCHLD"; "SIGRTMIN+n" from the kernel's 32).
func signal(n uint64) string {
	switch {
	case n > 0 && n < uint64(len(signalNames)):
		return signalNames[n]
	case n >= 32 && n <= 64:
		return "SIGRTMIN+" + strconv.FormatUint(n-32, 10)
	}
	return strconv.FormatUint(n, 10)
}

// signalNames: the numbering x86, arm and aarch64 share.
var signalNames = [...]string{
	1: "SIGHUP", 2: "SIGINT", 3: "SIGQUIT", 4: "SIGILL", 5: "SIGTRAP",
	6: "SIGABRT", 7: "SIGBUS", 8: "SIGFPE", 9: "SIGKILL", 10: "SIGUSR1",
	11: "SIGSEGV", 12: "SIGUSR2", 13: "SIGPIPE", 14: "SIGALRM",
	15: "SIGTERM", 16: "SIGSTKFLT", 17: "SIGCHLD", 18: "SIGCONT",
	19: "SIGSTOP", 20: "SIGTSTP", 21: "SIGTTIN", 22: "SIGTTOU", 23: "SIGURG",
	24: "SIGXCPU", 25: "SIGXFSZ", 26: "SIGVTALRM", 27: "SIGPROF",
	28: "SIGWINCH", 29: "SIGIO", 30: "SIGPWR", 31: "SIGSYS",
}

const cloneNewTime = 0x80

// cloneFlags are the CLONE_* bits above clone's exit-signal byte.
var cloneFlags = []flag{
	{0x100, "CLONE_VM"}, {0x200, "CLONE_FS"}, {0x400, "CLONE_FILES"},
	{0x800, "CLONE_SIGHAND"}, {0x1000, "CLONE_PIDFD"}, {0x2000, "CLONE_PTRACE"},
	{0x4000, "CLONE_VFORK"}, {0x8000, "CLONE_PARENT"}, {0x10000, "CLONE_THREAD"},
	{0x20000, "CLONE_NEWNS"}, {0x40000, "CLONE_SYSVSEM"},
	{0x80000, "CLONE_SETTLS"}, {0x100000, "CLONE_PARENT_SETTID"},
	{0x200000, "CLONE_CHILD_CLEARTID"}, {0x400000, "CLONE_DETACHED"},
	{0x800000, "CLONE_UNTRACED"}, {0x1000000, "CLONE_CHILD_SETTID"},
	{0x2000000, "CLONE_NEWCGROUP"}, {0x4000000, "CLONE_NEWUTS"},
	{0x8000000, "CLONE_NEWIPC"}, {0x10000000, "CLONE_NEWUSER"},
	{0x20000000, "CLONE_NEWPID"}, {0x40000000, "CLONE_NEWNET"},
	{0x80000000, "CLONE_IO"}, {0x100000000, "CLONE_CLEAR_SIGHAND"},
	{0x200000000, "CLONE_INTO_CGROUP"},
}

// nsFlags are the CLONE_* bits of clone3, unshare and setns, where 0x80 is
// CLONE_NEWTIME.
var nsFlags = append([]flag{{cloneNewTime, "CLONE_NEWTIME"}}, cloneFlags...)

// cloneEntry: clone's flags are arg 0 on every ABI (the others differ): the
// low 32 bits, the low byte of which is the exit signal.
func cloneEntry(c *Call, m Memory, p Proc) observation.Args {
	b := newBuilder(c, m, p)
	fl := c.u32(0)
	b.setFlags("flags", uint64(fl&^0xff), cloneFlags)
	if sig := fl & 0xff; sig != 0 {
		b.set("signal", signal(uint64(sig)))
	}
	return b.done()
}

// clone3Entry reads struct clone_args {u64 flags, pidfd, child_tid,
// parent_tid, exit_signal, ...} at arg 0.
func clone3Entry(c *Call, m Memory, p Proc) observation.Args {
	b := newBuilder(c, m, p)
	var ca [40]byte
	if b.read("flags", c.ptr(0), ca[:]) {
		b.setFlags("flags", word(ca[:], 0, 8), nsFlags)
		if sig := word(ca[:], 32, 8); sig != 0 {
			b.set("signal", signal(sig))
		}
	}
	return b.done()
}

func unshareEntry(c *Call, m Memory, p Proc) observation.Args {
	b := newBuilder(c, m, p)
	b.setFlags("flags", uint64(c.u32(0)), nsFlags)
	return b.done()
}

// setnsEntry: setns(fd, nstype). "ns" is the fd's target without its inode
// ("net:", "anon_inode:[pidfd]").
func setnsEntry(c *Call, m Memory, p Proc) observation.Args {
	b := newBuilder(c, m, p)
	b.fdPath("ns", c.i32(0))
	b.setFlags("nstype", uint64(c.u32(1)), nsFlags)
	return b.done()
}

var ptraceRequests = map[int64]string{
	0: "PTRACE_TRACEME", 1: "PTRACE_PEEKTEXT", 2: "PTRACE_PEEKDATA",
	3: "PTRACE_PEEKUSR", 4: "PTRACE_POKETEXT", 5: "PTRACE_POKEDATA",
	6: "PTRACE_POKEUSR", 7: "PTRACE_CONT", 8: "PTRACE_KILL",
	9: "PTRACE_SINGLESTEP", 16: "PTRACE_ATTACH", 17: "PTRACE_DETACH",
	24:     "PTRACE_SYSCALL",
	0x4200: "PTRACE_SETOPTIONS", 0x4201: "PTRACE_GETEVENTMSG",
	0x4202: "PTRACE_GETSIGINFO", 0x4203: "PTRACE_SETSIGINFO",
	0x4204: "PTRACE_GETREGSET", 0x4205: "PTRACE_SETREGSET",
	0x4206: "PTRACE_SEIZE", 0x4207: "PTRACE_INTERRUPT",
	0x4208: "PTRACE_LISTEN", 0x4209: "PTRACE_PEEKSIGINFO",
	0x420a: "PTRACE_GETSIGMASK", 0x420b: "PTRACE_SETSIGMASK",
	0x420c: "PTRACE_SECCOMP_GET_FILTER", 0x420d: "PTRACE_SECCOMP_GET_METADATA",
	0x420e: "PTRACE_GET_SYSCALL_INFO", 0x420f: "PTRACE_GET_RSEQ_CONFIGURATION",
	0x4210: "PTRACE_SET_SYSCALL_USER_DISPATCH_CONFIG",
	0x4211: "PTRACE_GET_SYSCALL_USER_DISPATCH_CONFIG",
	0x4212: "PTRACE_SET_SYSCALL_INFO",
}

var ptraceX86 = map[int64]string{
	12: "PTRACE_GETREGS", 13: "PTRACE_SETREGS", 14: "PTRACE_GETFPREGS",
	15: "PTRACE_SETFPREGS", 18: "PTRACE_GETFPXREGS", 19: "PTRACE_SETFPXREGS",
	25: "PTRACE_GET_THREAD_AREA", 26: "PTRACE_SET_THREAD_AREA",
	30: "PTRACE_ARCH_PRCTL", 31: "PTRACE_SYSEMU",
	32: "PTRACE_SYSEMU_SINGLESTEP", 33: "PTRACE_SINGLEBLOCK",
}

var ptraceARM = map[int64]string{
	12: "PTRACE_GETREGS", 13: "PTRACE_SETREGS", 14: "PTRACE_GETFPREGS",
	15: "PTRACE_SETFPREGS", 18: "PTRACE_GETWMMXREGS", 19: "PTRACE_SETWMMXREGS",
	22: "PTRACE_GET_THREAD_AREA", 23: "PTRACE_SET_SYSCALL",
	25: "PTRACE_GETCRUNCHREGS", 26: "PTRACE_SETCRUNCHREGS",
	27: "PTRACE_GETVFPREGS", 28: "PTRACE_SETVFPREGS",
	29: "PTRACE_GETHBPREGS", 30: "PTRACE_SETHBPREGS", 31: "PTRACE_GETFDPIC",
}

var ptraceAArch64 = map[int64]string{33: "PTRACE_PEEKMTETAGS", 34: "PTRACE_POKEMTETAGS"}

func ptraceRequest(abi systab.ABI, req int64) string {
	if s, ok := ptraceRequests[req]; ok {
		return s
	}
	switch abi {
	case systab.X86_64, systab.I386, systab.X32:
		return enum(req, ptraceX86)
	case systab.ARM:
		return enum(req, ptraceARM)
	case systab.AArch64:
		return enum(req, ptraceAArch64)
	}
	return dec(req)
}

// ptraceEntry: ptrace(request, pid, addr, data): "request", and "pid" but for
// PTRACE_TRACEME, which has none.
func ptraceEntry(c *Call, m Memory, p Proc) observation.Args {
	b := newBuilder(c, m, p)
	req := int64(c.ulong(0)) // a long; x32's compat ptrace takes an int
	if ptrSize(c.ABI) == 4 {
		req = int64(c.i32(0))
	}
	b.set("request", ptraceRequest(c.ABI, req))
	if req != 0 {
		b.set("pid", dec(int64(c.i32(1))))
	}
	return b.done()
}

// prctl options (linux/prctl.h).
const (
	prSetPdeathsig       = 1
	prSetDumpable        = 4
	prSetKeepcaps        = 8
	prSetName            = 15
	prSetSeccomp         = 22
	prCapbsetDrop        = 24
	prSetSecurebits      = 28
	prSetChildSubreaper  = 36
	prSetNoNewPrivs      = 38
	prCapAmbient         = 47
	prSetPtracer         = 0x59616d61
	taskCommLen          = 16
	prCapAmbientClearAll = 4
)

var prctlOptions = map[int64]string{
	prSetPdeathsig: "PR_SET_PDEATHSIG", 2: "PR_GET_PDEATHSIG",
	3: "PR_GET_DUMPABLE", prSetDumpable: "PR_SET_DUMPABLE",
	5: "PR_GET_UNALIGN", 6: "PR_SET_UNALIGN", 7: "PR_GET_KEEPCAPS",
	prSetKeepcaps: "PR_SET_KEEPCAPS", 9: "PR_GET_FPEMU", 10: "PR_SET_FPEMU",
	11: "PR_GET_FPEXC", 12: "PR_SET_FPEXC", 13: "PR_GET_TIMING",
	14: "PR_SET_TIMING", prSetName: "PR_SET_NAME", 16: "PR_GET_NAME",
	19: "PR_GET_ENDIAN", 20: "PR_SET_ENDIAN", 21: "PR_GET_SECCOMP",
	prSetSeccomp: "PR_SET_SECCOMP", 23: "PR_CAPBSET_READ",
	prCapbsetDrop: "PR_CAPBSET_DROP", 25: "PR_GET_TSC", 26: "PR_SET_TSC",
	27: "PR_GET_SECUREBITS", prSetSecurebits: "PR_SET_SECUREBITS",
	29: "PR_SET_TIMERSLACK", 30: "PR_GET_TIMERSLACK",
	31: "PR_TASK_PERF_EVENTS_DISABLE", 32: "PR_TASK_PERF_EVENTS_ENABLE",
	33: "PR_MCE_KILL", 34: "PR_MCE_KILL_GET", 35: "PR_SET_MM",
	prSetChildSubreaper: "PR_SET_CHILD_SUBREAPER", 37: "PR_GET_CHILD_SUBREAPER",
	prSetNoNewPrivs: "PR_SET_NO_NEW_PRIVS", 39: "PR_GET_NO_NEW_PRIVS",
	40: "PR_GET_TID_ADDRESS", 41: "PR_SET_THP_DISABLE",
	42: "PR_GET_THP_DISABLE", 43: "PR_MPX_ENABLE_MANAGEMENT",
	44: "PR_MPX_DISABLE_MANAGEMENT", 45: "PR_SET_FP_MODE",
	46: "PR_GET_FP_MODE", prCapAmbient: "PR_CAP_AMBIENT",
	50: "PR_SVE_SET_VL", 51: "PR_SVE_GET_VL", 52: "PR_GET_SPECULATION_CTRL",
	53: "PR_SET_SPECULATION_CTRL", 54: "PR_PAC_RESET_KEYS",
	55: "PR_SET_TAGGED_ADDR_CTRL", 56: "PR_GET_TAGGED_ADDR_CTRL",
	57: "PR_SET_IO_FLUSHER", 58: "PR_GET_IO_FLUSHER",
	59: "PR_SET_SYSCALL_USER_DISPATCH", 60: "PR_PAC_SET_ENABLED_KEYS",
	61: "PR_PAC_GET_ENABLED_KEYS", 62: "PR_SCHED_CORE", 63: "PR_SME_SET_VL",
	64: "PR_SME_GET_VL", 65: "PR_SET_MDWE", 66: "PR_GET_MDWE",
	67: "PR_SET_MEMORY_MERGE", 68: "PR_GET_MEMORY_MERGE",
	prSetPtracer: "PR_SET_PTRACER", 0x53564d41: "PR_SET_VMA",
}

var seccompModes = map[int64]string{0: "SECCOMP_MODE_DISABLED", 1: "SECCOMP_MODE_STRICT", 2: "SECCOMP_MODE_FILTER"}

var ambientOps = map[int64]string{
	1: "PR_CAP_AMBIENT_IS_SET", 2: "PR_CAP_AMBIENT_RAISE",
	3: "PR_CAP_AMBIENT_LOWER", prCapAmbientClearAll: "PR_CAP_AMBIENT_CLEAR_ALL",
}

var securebits = []flag{
	{0x1, "SECBIT_NOROOT"}, {0x2, "SECBIT_NOROOT_LOCKED"},
	{0x4, "SECBIT_NO_SETUID_FIXUP"}, {0x8, "SECBIT_NO_SETUID_FIXUP_LOCKED"},
	{0x10, "SECBIT_KEEP_CAPS"}, {0x20, "SECBIT_KEEP_CAPS_LOCKED"},
	{0x40, "SECBIT_NO_CAP_AMBIENT_RAISE"}, {0x80, "SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED"},
	{0x100, "SECBIT_EXEC_RESTRICT_FILE"}, {0x200, "SECBIT_EXEC_RESTRICT_FILE_LOCKED"},
	{0x400, "SECBIT_EXEC_DENY_INTERACTIVE"}, {0x800, "SECBIT_EXEC_DENY_INTERACTIVE_LOCKED"},
}

// prctlEntry: prctl(option, arg2, ...): "option", and for the options that
// change privilege "arg2" ("arg3" for PR_CAP_AMBIENT), or "name" for
// PR_SET_NAME.
func prctlEntry(c *Call, m Memory, p Proc) observation.Args {
	b := newBuilder(c, m, p)
	opt := int64(c.i32(0))
	b.set("option", enum(opt, prctlOptions))
	arg2 := c.ulong(1)
	switch opt {
	case prSetDumpable, prSetKeepcaps, prSetChildSubreaper, prSetNoNewPrivs:
		b.set("arg2", strconv.FormatUint(arg2, 10))
	case prSetPdeathsig:
		b.set("arg2", signal(arg2))
	case prSetSeccomp:
		b.set("arg2", enum(int64(arg2), seccompModes))
	case prCapbsetDrop:
		b.set("arg2", capName(arg2))
	case prSetSecurebits:
		b.set("arg2", flags(arg2, securebits))
	case prCapAmbient:
		b.set("arg2", enum(int64(arg2), ambientOps))
		if arg2 != prCapAmbientClearAll {
			b.set("arg3", capName(c.ulong(2)))
		}
	case prSetPtracer:
		b.set("arg2", ptracer(c, arg2))
	case prSetName:
		b.setStr("name", c.ptr(1), taskCommLen-1, false)
	}
	return b.done()
}

// ptracer formats PR_SET_PTRACER's pid, or PR_SET_PTRACER_ANY: -1 as an
// unsigned long.
func ptracer(c *Call, v uint64) string {
	if v == ^uint64(0) || (wide32(c.ABI) && v == 0xffffffff) {
		return "PR_SET_PTRACER_ANY"
	}
	return strconv.FormatUint(v, 10)
}

var personaFlags = []flag{
	{0x0020000, "UNAME26"}, {0x0040000, "ADDR_NO_RANDOMIZE"},
	{0x0080000, "FDPIC_FUNCPTRS"}, {0x0100000, "MMAP_PAGE_ZERO"},
	{0x0200000, "ADDR_COMPAT_LAYOUT"}, {0x0400000, "READ_IMPLIES_EXEC"},
	{0x0800000, "ADDR_LIMIT_32BIT"}, {0x1000000, "SHORT_INODE"},
	{0x2000000, "WHOLE_SECONDS"}, {0x4000000, "STICKY_TIMEOUTS"},
	{0x8000000, "ADDR_LIMIT_3GB"},
}

// personalityEntry: "persona" is PER_LINUX or PER_LINUX32 (others hex) with
// the flags, e.g. "PER_LINUX|ADDR_NO_RANDOMIZE"; the query 0xffffffff is
// given as is.
func personalityEntry(c *Call, m Memory, p Proc) observation.Args {
	b := newBuilder(c, m, p)
	v := c.u32(0)
	var s string
	switch {
	case v == 0xffffffff:
		s = hex(uint64(v))
	case v&0xff == 0:
		s = "PER_LINUX"
	case v&0xff == 8:
		s = "PER_LINUX32"
	default:
		s = hex(uint64(v & 0xff))
	}
	if rest := uint64(v &^ 0xff); rest != 0 && v != 0xffffffff {
		s += "|" + flags(rest, personaFlags)
	}
	b.set("persona", s)
	return b.done()
}

// pidEntry: "pid" at arg 0.
func pidEntry(c *Call, m Memory, p Proc) observation.Args {
	b := newBuilder(c, m, p)
	b.set("pid", dec(int64(c.i32(0))))
	return b.done()
}

var (
	pidfdOpenFlags   = []flag{{oNonblock, "PIDFD_NONBLOCK"}, {0x80, "PIDFD_THREAD"}}
	userfaultfdFlags = []flag{{1, "UFFD_USER_MODE_ONLY"}, {oNonblock, "O_NONBLOCK"}, {oCloexec, "O_CLOEXEC"}}
	memfdSecretFlags = []flag{{oCloexec, "O_CLOEXEC"}}
	memfdFlags       = []flag{
		{0x1, "MFD_CLOEXEC"}, {0x2, "MFD_ALLOW_SEALING"}, {0x4, "MFD_HUGETLB"},
		{0x8, "MFD_NOEXEC_SEAL"}, {0x10, "MFD_EXEC"},
	}
)

// memfdNameMax is MFD_NAME_MAX_LEN: NAME_MAX less "memfd:".
const memfdNameMax = 255 - 6

func memfdCreateEntry(c *Call, m Memory, p Proc) observation.Args {
	b := newBuilder(c, m, p)
	b.setStr("name", c.ptr(0), memfdNameMax, false)
	b.setFlags("flags", uint64(c.u32(1)), memfdFlags)
	return b.done()
}

var seccompOps = map[int64]string{
	0: "SECCOMP_SET_MODE_STRICT", 1: "SECCOMP_SET_MODE_FILTER",
	2: "SECCOMP_GET_ACTION_AVAIL", 3: "SECCOMP_GET_NOTIF_SIZES",
}

var seccompFlags = []flag{
	{1, "SECCOMP_FILTER_FLAG_TSYNC"}, {2, "SECCOMP_FILTER_FLAG_LOG"},
	{4, "SECCOMP_FILTER_FLAG_SPEC_ALLOW"}, {8, "SECCOMP_FILTER_FLAG_NEW_LISTENER"},
	{16, "SECCOMP_FILTER_FLAG_TSYNC_ESRCH"}, {32, "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"},
}

// seccompEntry: seccomp(op, flags, args).
func seccompEntry(c *Call, m Memory, p Proc) observation.Args {
	b := newBuilder(c, m, p)
	b.set("op", enum(int64(c.u32(0)), seccompOps))
	b.setFlags("flags", uint64(c.u32(1)), seccompFlags)
	return b.done()
}

var ioUringFlags = []flag{
	{1 << 0, "IORING_SETUP_IOPOLL"}, {1 << 1, "IORING_SETUP_SQPOLL"},
	{1 << 2, "IORING_SETUP_SQ_AFF"}, {1 << 3, "IORING_SETUP_CQSIZE"},
	{1 << 4, "IORING_SETUP_CLAMP"}, {1 << 5, "IORING_SETUP_ATTACH_WQ"},
	{1 << 6, "IORING_SETUP_R_DISABLED"}, {1 << 7, "IORING_SETUP_SUBMIT_ALL"},
	{1 << 8, "IORING_SETUP_COOP_TASKRUN"}, {1 << 9, "IORING_SETUP_TASKRUN_FLAG"},
	{1 << 10, "IORING_SETUP_SQE128"}, {1 << 11, "IORING_SETUP_CQE32"},
	{1 << 12, "IORING_SETUP_SINGLE_ISSUER"}, {1 << 13, "IORING_SETUP_DEFER_TASKRUN"},
	{1 << 14, "IORING_SETUP_NO_MMAP"}, {1 << 15, "IORING_SETUP_REGISTERED_FD_ONLY"},
	{1 << 16, "IORING_SETUP_NO_SQARRAY"}, {1 << 17, "IORING_SETUP_HYBRID_IOPOLL"},
}

// ioUringSetupEntry: io_uring_setup(entries, params): the flags are the u32
// at offset 8 of struct io_uring_params.
func ioUringSetupEntry(c *Call, m Memory, p Proc) observation.Args {
	b := newBuilder(c, m, p)
	var fl [4]byte
	if b.read("flags", c.ptr(1)+8, fl[:]) {
		b.setFlags("flags", uint64(binary.LittleEndian.Uint32(fl[:])), ioUringFlags)
	}
	return b.done()
}

// idEntry decodes the ids of a set*id call (keys name its arguments); old:
// the names without "32", whose ids are 16-bit on i386 and arm.
func idEntry(keys []string, old bool) entryFunc {
	return func(c *Call, m Memory, p Proc) observation.Args {
		b := newBuilder(c, m, p)
		for i, k := range keys {
			b.set(k, id(c.u32(i), legacy16(c.ABI, old)))
		}
		return b.done()
	}
}

// setgroupsEntry: setgroups(size, list): "count".
func setgroupsEntry(c *Call, m Memory, p Proc) observation.Args {
	b := newBuilder(c, m, p)
	b.set("count", dec(int64(c.i32(0))))
	return b.done()
}

// Capability versions (linux/capability.h) and how many u32 words each set has.
var capVersions = map[uint32]struct {
	name  string
	words int
}{
	0x19980330: {"_LINUX_CAPABILITY_VERSION_1", 1},
	0x20071026: {"_LINUX_CAPABILITY_VERSION_2", 2},
	0x20080522: {"_LINUX_CAPABILITY_VERSION_3", 2},
}

var capNames = [...]string{
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER",
	"CAP_FSETID", "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP",
	"CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST",
	"CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER",
	"CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE",
	"CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
	"CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD",
	"CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP",
	"CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM",
	"CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF",
	"CAP_CHECKPOINT_RESTORE",
}

// capFlags names each capability's bit.
var capFlags = func() []flag {
	f := make([]flag, len(capNames))
	for i, n := range capNames {
		f[i] = flag{1 << i, n}
	}
	return f
}()

// capName names capability number n.
func capName(n uint64) string {
	if n < uint64(len(capNames)) {
		return capNames[n]
	}
	return strconv.FormatUint(n, 10)
}

// capsetEntry: capset(hdr, data): "version" and, for a version the kernel
// knows, "pid" (when not 0) and the three sets of the data as CAP_* names.
func capsetEntry(c *Call, m Memory, p Proc) observation.Args {
	b := newBuilder(c, m, p)
	var hdr [8]byte
	if !b.read("version", c.ptr(0), hdr[:]) {
		return b.done()
	}
	ver, ok := capVersions[binary.LittleEndian.Uint32(hdr[:])]
	if !ok {
		b.set("version", hex(uint64(binary.LittleEndian.Uint32(hdr[:]))))
		return b.done()
	}
	b.set("version", ver.name)
	if pid := int32(binary.LittleEndian.Uint32(hdr[4:])); pid != 0 {
		b.set("pid", dec(int64(pid)))
	}
	var data [24]byte
	if !b.read("effective", c.ptr(1), data[:12*ver.words]) {
		return b.done()
	}
	for i, k := range [...]string{"effective", "permitted", "inheritable"} {
		v := word(data[:], 4*i, 4)
		if ver.words == 2 {
			v |= word(data[:], 12+4*i, 4) << 32
		}
		b.set(k, flags(v, capFlags))
	}
	return b.done()
}

var keyctlOps = map[int64]string{
	0: "KEYCTL_GET_KEYRING_ID", 1: "KEYCTL_JOIN_SESSION_KEYRING",
	2: "KEYCTL_UPDATE", 3: "KEYCTL_REVOKE", 4: "KEYCTL_CHOWN",
	5: "KEYCTL_SETPERM", 6: "KEYCTL_DESCRIBE", 7: "KEYCTL_CLEAR",
	8: "KEYCTL_LINK", 9: "KEYCTL_UNLINK", 10: "KEYCTL_SEARCH",
	11: "KEYCTL_READ", 12: "KEYCTL_INSTANTIATE", 13: "KEYCTL_NEGATE",
	14: "KEYCTL_SET_REQKEY_KEYRING", 15: "KEYCTL_SET_TIMEOUT",
	16: "KEYCTL_ASSUME_AUTHORITY", 17: "KEYCTL_GET_SECURITY",
	18: "KEYCTL_SESSION_TO_PARENT", 19: "KEYCTL_REJECT",
	20: "KEYCTL_INSTANTIATE_IOV", 21: "KEYCTL_INVALIDATE",
	22: "KEYCTL_GET_PERSISTENT", 23: "KEYCTL_DH_COMPUTE",
	24: "KEYCTL_PKEY_QUERY", 25: "KEYCTL_PKEY_ENCRYPT",
	26: "KEYCTL_PKEY_DECRYPT", 27: "KEYCTL_PKEY_SIGN",
	28: "KEYCTL_PKEY_VERIFY", 29: "KEYCTL_RESTRICT_KEYRING",
	30: "KEYCTL_MOVE", 31: "KEYCTL_CAPABILITIES", 32: "KEYCTL_WATCH_KEY",
}

func keyctlEntry(c *Call, m Memory, p Proc) observation.Args {
	b := newBuilder(c, m, p)
	b.set("op", enum(int64(c.i32(0)), keyctlOps))
	return b.done()
}

// keyTypeMax bounds a key type name (the kernel's is 32 with the NUL).
const keyTypeMax = 32

// addKeyEntry serves add_key and request_key: (type, description, ...).
func addKeyEntry(c *Call, m Memory, p Proc) observation.Args {
	b := newBuilder(c, m, p)
	b.setStr("type", c.ptr(0), keyTypeMax, false)
	b.setStr("description", c.ptr(1), pageSize, false)
	return b.done()
}

var bpfCmds = map[int64]string{
	0: "BPF_MAP_CREATE", 1: "BPF_MAP_LOOKUP_ELEM", 2: "BPF_MAP_UPDATE_ELEM",
	3: "BPF_MAP_DELETE_ELEM", 4: "BPF_MAP_GET_NEXT_KEY", 5: "BPF_PROG_LOAD",
	6: "BPF_OBJ_PIN", 7: "BPF_OBJ_GET", 8: "BPF_PROG_ATTACH",
	9: "BPF_PROG_DETACH", 10: "BPF_PROG_TEST_RUN", 11: "BPF_PROG_GET_NEXT_ID",
	12: "BPF_MAP_GET_NEXT_ID", 13: "BPF_PROG_GET_FD_BY_ID",
	14: "BPF_MAP_GET_FD_BY_ID", 15: "BPF_OBJ_GET_INFO_BY_FD",
	16: "BPF_PROG_QUERY", 17: "BPF_RAW_TRACEPOINT_OPEN", 18: "BPF_BTF_LOAD",
	19: "BPF_BTF_GET_FD_BY_ID", 20: "BPF_TASK_FD_QUERY",
	21: "BPF_MAP_LOOKUP_AND_DELETE_ELEM", 22: "BPF_MAP_FREEZE",
	23: "BPF_BTF_GET_NEXT_ID", 24: "BPF_MAP_LOOKUP_BATCH",
	25: "BPF_MAP_LOOKUP_AND_DELETE_BATCH", 26: "BPF_MAP_UPDATE_BATCH",
	27: "BPF_MAP_DELETE_BATCH", 28: "BPF_LINK_CREATE", 29: "BPF_LINK_UPDATE",
	30: "BPF_LINK_GET_FD_BY_ID", 31: "BPF_LINK_GET_NEXT_ID",
	32: "BPF_ENABLE_STATS", 33: "BPF_ITER_CREATE", 34: "BPF_LINK_DETACH",
	35: "BPF_PROG_BIND_MAP", 36: "BPF_TOKEN_CREATE",
}

func bpfEntry(c *Call, m Memory, p Proc) observation.Args {
	b := newBuilder(c, m, p)
	b.set("cmd", enum(int64(c.i32(0)), bpfCmds))
	return b.done()
}

var moduleFlags = []flag{
	{1, "MODULE_INIT_IGNORE_MODVERSIONS"}, {2, "MODULE_INIT_IGNORE_VERMAGIC"},
	{4, "MODULE_INIT_COMPRESSED_FILE"},
}

// finitModuleEntry: finit_module(fd, params, flags): "path" is the fd's target.
func finitModuleEntry(c *Call, m Memory, p Proc) observation.Args {
	b := newBuilder(c, m, p)
	b.fdPath("path", c.i32(0))
	b.setFlags("flags", uint64(c.u32(2)), moduleFlags)
	return b.done()
}

// moduleNameMax is MODULE_NAME_LEN less its NUL, on 64-bit.
const moduleNameMax = 64 - 8 - 1

var deleteModuleFlags = []flag{{oNonblock, "O_NONBLOCK"}, {0x200, "O_TRUNC"}}

func deleteModuleEntry(c *Call, m Memory, p Proc) observation.Args {
	b := newBuilder(c, m, p)
	b.setStr("name", c.ptr(0), moduleNameMax, false)
	b.setFlags("flags", uint64(c.u32(1)), deleteModuleFlags)
	return b.done()
}

var kexecFlags = []flag{
	{1, "KEXEC_ON_CRASH"}, {2, "KEXEC_PRESERVE_CONTEXT"},
	{4, "KEXEC_UPDATE_ELFCOREHDR"}, {8, "KEXEC_CRASH_HOTPLUG_SUPPORT"},
}

var kexecArchs = map[int64]string{
	0: "KEXEC_ARCH_DEFAULT", 3: "KEXEC_ARCH_386", 40: "KEXEC_ARCH_ARM",
	62: "KEXEC_ARCH_X86_64", 183: "KEXEC_ARCH_AARCH64",
}

// kexecLoadEntry: kexec_load(entry, nr, segments, flags): "flags" as
// KEXEC_ARCH_*|KEXEC_* (the arch, high 16 bits, always; unknown: decimal).
func kexecLoadEntry(c *Call, m Memory, p Proc) observation.Args {
	b := newBuilder(c, m, p)
	v := c.ulong(3)
	s := enum(int64((v>>16)&0xffff), kexecArchs)
	if rest := v &^ 0xffff0000; rest != 0 {
		s += "|" + flags(rest, kexecFlags)
	}
	b.set("flags", s)
	return b.done()
}

var kexecFileFlags = []flag{
	{1, "KEXEC_FILE_UNLOAD"}, {2, "KEXEC_FILE_ON_CRASH"},
	{4, "KEXEC_FILE_NO_INITRAMFS"}, {8, "KEXEC_FILE_DEBUG"},
	{16, "KEXEC_FILE_NO_CMA"},
}

var perfTypes = map[int64]string{
	0: "PERF_TYPE_HARDWARE", 1: "PERF_TYPE_SOFTWARE", 2: "PERF_TYPE_TRACEPOINT",
	3: "PERF_TYPE_HW_CACHE", 4: "PERF_TYPE_RAW", 5: "PERF_TYPE_BREAKPOINT",
}

// perfEventOpenEntry: "type" is the u32 at offset 0 of struct perf_event_attr.
func perfEventOpenEntry(c *Call, m Memory, p Proc) observation.Args {
	b := newBuilder(c, m, p)
	var t [4]byte
	if b.read("type", c.ptr(0), t[:]) {
		b.set("type", enum(int64(binary.LittleEndian.Uint32(t[:])), perfTypes))
	}
	return b.done()
}

var rebootCmds = map[int64]string{
	0x01234567: "LINUX_REBOOT_CMD_RESTART", 0xcdef0123: "LINUX_REBOOT_CMD_HALT",
	0x89abcdef: "LINUX_REBOOT_CMD_CAD_ON", 0: "LINUX_REBOOT_CMD_CAD_OFF",
	0x4321fedc: "LINUX_REBOOT_CMD_POWER_OFF", 0xa1b2c3d4: "LINUX_REBOOT_CMD_RESTART2",
	0xd000fce2: "LINUX_REBOOT_CMD_SW_SUSPEND", 0x45584543: "LINUX_REBOOT_CMD_KEXEC",
}

// rebootEntry: reboot(magic, magic2, cmd, arg): "cmd".
func rebootEntry(c *Call, m Memory, p Proc) observation.Args {
	b := newBuilder(c, m, p)
	b.set("cmd", enum(int64(c.u32(2)), rebootCmds))
	return b.done()
}

var syslogTypes = map[int64]string{
	0: "SYSLOG_ACTION_CLOSE", 1: "SYSLOG_ACTION_OPEN", 2: "SYSLOG_ACTION_READ",
	3: "SYSLOG_ACTION_READ_ALL", 4: "SYSLOG_ACTION_READ_CLEAR",
	5: "SYSLOG_ACTION_CLEAR", 6: "SYSLOG_ACTION_CONSOLE_OFF",
	7: "SYSLOG_ACTION_CONSOLE_ON", 8: "SYSLOG_ACTION_CONSOLE_LEVEL",
	9: "SYSLOG_ACTION_SIZE_UNREAD", 10: "SYSLOG_ACTION_SIZE_BUFFER",
}

func syslogEntry(c *Call, m Memory, p Proc) observation.Args {
	b := newBuilder(c, m, p)
	b.set("type", enum(int64(c.i32(0)), syslogTypes))
	return b.done()
}

func ioplEntry(c *Call, m Memory, p Proc) observation.Args {
	b := newBuilder(c, m, p)
	b.set("level", dec(int64(c.u32(0))))
	return b.done()
}

// iopermEntry: ioperm(from, num, turn_on): the port range and whether it is
// granted.
func iopermEntry(c *Call, m Memory, p Proc) observation.Args {
	b := newBuilder(c, m, p)
	b.set("from", hex(c.ulong(0)))
	b.set("num", strconv.FormatUint(c.ulong(1), 10))
	b.set("turn_on", dec(int64(c.i32(2))))
	return b.done()
}

// acctEntry: acct(path); acct(NULL), which turns accounting off, gives no
// arguments.
func acctEntry(c *Call, m Memory, p Proc) observation.Args {
	b := newBuilder(c, m, p)
	if c.ptr(0) != 0 {
		b.path("path", c.ptr(0))
	}
	return b.done()
}

// utsLen is __NEW_UTS_LEN.
const utsLen = 64

// hostnameEntry serves sethostname and setdomainname(name, len): the name is
// len bytes, not NUL-terminated.
func hostnameEntry(c *Call, m Memory, p Proc) observation.Args {
	b := newBuilder(c, m, p)
	n := c.i32(1)
	if n < 0 {
		return b.done()
	}
	if n > utsLen {
		n = utsLen
		b.trunc("name")
	}
	var buf [utsLen]byte
	if n == 0 {
		b.set("name", "")
	} else if b.read("name", c.ptr(0), buf[:n]) {
		b.set("name", string(buf[:n]))
	}
	return b.done()
}

var quotaCmds = map[int64]string{
	0x800001: "Q_SYNC", 0x800002: "Q_QUOTAON", 0x800003: "Q_QUOTAOFF",
	0x800004: "Q_GETFMT", 0x800005: "Q_GETINFO", 0x800006: "Q_SETINFO",
	0x800007: "Q_GETQUOTA", 0x800008: "Q_SETQUOTA", 0x800009: "Q_GETNEXTQUOTA",
	0x5801: "Q_XQUOTAON", 0x5802: "Q_XQUOTAOFF", 0x5803: "Q_XGETQUOTA",
	0x5804: "Q_XSETQLIM", 0x5805: "Q_XGETQSTAT", 0x5806: "Q_XQUOTARM",
	0x5807: "Q_XQUOTASYNC", 0x5808: "Q_XGETQSTATV", 0x5809: "Q_XGETNEXTQUOTA",
}

var quotaTypes = map[int64]string{0: "USRQUOTA", 1: "GRPQUOTA", 2: "PRJQUOTA"}

// setQuotaCmd sets "cmd" and "type" from QCMD(cmd, type).
func (b *builder) setQuotaCmd(cmd uint32) {
	b.set("cmd", enum(int64(cmd>>8), quotaCmds))
	b.set("type", enum(int64(cmd&0xff), quotaTypes))
}

// quotactlEntry: quotactl(cmd, special, id, addr): special (the block
// device) may be NULL.
func quotactlEntry(c *Call, m Memory, p Proc) observation.Args {
	b := newBuilder(c, m, p)
	b.setQuotaCmd(c.u32(0))
	if c.ptr(1) != 0 {
		b.path("path", c.ptr(1))
	}
	return b.done()
}

// quotactlFdEntry: quotactl_fd(fd, cmd, id, addr).
func quotactlFdEntry(c *Call, m Memory, p Proc) observation.Args {
	b := newBuilder(c, m, p)
	b.setQuotaCmd(c.u32(1))
	b.fdPath("path", c.i32(0))
	return b.done()
}

// openByHandleEntry: open_by_handle_at(mount_fd, handle, flags); the file
// shows at exit as "resolved".
func openByHandleEntry(c *Call, m Memory, p Proc) observation.Args {
	b := newBuilder(c, m, p)
	b.set("flags", openFlags(c.ABI, uint64(c.u32(2))))
	return b.done()
}

var fanotifyInitFlags = []flag{
	{0x1, "FAN_CLOEXEC"}, {0x2, "FAN_NONBLOCK"}, {0x4, "FAN_CLASS_CONTENT"},
	{0x8, "FAN_CLASS_PRE_CONTENT"}, {0x10, "FAN_UNLIMITED_QUEUE"},
	{0x20, "FAN_UNLIMITED_MARKS"}, {0x40, "FAN_ENABLE_AUDIT"},
	{0x80, "FAN_REPORT_PIDFD"}, {0x100, "FAN_REPORT_TID"},
	{0x200, "FAN_REPORT_FID"}, {0x400, "FAN_REPORT_DIR_FID"},
	{0x800, "FAN_REPORT_NAME"}, {0x1000, "FAN_REPORT_TARGET_FID"},
	{0x2000, "FAN_REPORT_FD_ERROR"}, {0x4000, "FAN_REPORT_MNT"},
}

var fanotifyMarkFlags = []flag{
	{0x1, "FAN_MARK_ADD"}, {0x2, "FAN_MARK_REMOVE"},
	{0x4, "FAN_MARK_DONT_FOLLOW"}, {0x8, "FAN_MARK_ONLYDIR"},
	{0x10, "FAN_MARK_MOUNT"}, {0x20, "FAN_MARK_IGNORED_MASK"},
	{0x40, "FAN_MARK_IGNORED_SURV_MODIFY"}, {0x80, "FAN_MARK_FLUSH"},
	{0x100, "FAN_MARK_FILESYSTEM"}, {0x200, "FAN_MARK_EVICTABLE"},
	{0x400, "FAN_MARK_IGNORE"},
}

// fanotifyMarkEntry: fanotify_mark(fd, flags, mask, dirfd, path), where the
// u64 mask takes two registers on i386 and arm. A NULL path marks dirfd.
func fanotifyMarkEntry(c *Call, m Memory, p Proc) observation.Args {
	b := newBuilder(c, m, p)
	d := 3
	if wide32(c.ABI) {
		d = 4
	}
	b.pathAt("path", "dirfd", c.i32(d), c.ptr(d+1), c.ptr(d+1) == 0)
	b.setFlags("flags", uint64(c.u32(1)), fanotifyMarkFlags)
	return b.done()
}

package decode

import (
	"testing"

	"github.com/sysgate/sysgate/tracer/systab"
)

func cloneArgs(flags, exitSignal uint64) []byte {
	var b []byte
	for _, v := range []uint64{flags, 0, 0, 0, exitSignal, 0, 0, 0} {
		b = append(b, le64(v)...)
	}
	return b
}

func TestClone(t *testing.T) {
	runCases(t, []decodeCase{{
		name: "namespaces and SIGCHLD",
		call: "clone", args: [6]uint64{0x800000 | 0x40000000 | 17},
		want: kv("flags", "CLONE_UNTRACED|CLONE_NEWNET", "signal", "SIGCHLD"),
	}, {
		name: "thread",
		call: "clone", args: [6]uint64{0x3d0f00, structA},
		want: kv("flags", "CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|"+
			"CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID"),
	}, {
		name: "fork-like, high register half ignored",
		call: "clone", args: [6]uint64{0xffffffff00000011},
		want: kv("signal", "SIGCHLD"),
	}, {
		name: "i386 vfork-like",
		call: "clone", abi: systab.I386, args: [6]uint64{0x4000 | 0x100 | 17},
		want: kv("flags", "CLONE_VM|CLONE_VFORK", "signal", "SIGCHLD"),
	}, {
		name: "realtime exit signal",
		call: "clone", abi: systab.ARM, args: [6]uint64{34},
		want: kv("signal", "SIGRTMIN+2"),
	}, {
		name: "clone3",
		call: "clone3", args: [6]uint64{structA, 88},
		mem:  newMem().put(structA, cloneArgs(0x10000000|0x80|0x200000000|0x1000, 17)),
		want: kv("flags", "CLONE_NEWTIME|CLONE_PIDFD|CLONE_NEWUSER|CLONE_INTO_CGROUP", "signal", "SIGCHLD"),
	}, {
		name: "clone3 thread, no signal",
		call: "clone3", args: [6]uint64{structA, 88},
		mem:  newMem().put(structA, cloneArgs(0x10f00, 0)),
		want: kv("flags", "CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD"),
	}, {
		name: "clone3 unreadable",
		call: "clone3", args: [6]uint64{badAddr, 88},
		want: kv("unreadable", "flags: EFAULT"),
	}, {
		name: "unshare",
		call: "unshare", args: [6]uint64{0x20000 | 0x10000000 | 0x80},
		want: kv("flags", "CLONE_NEWTIME|CLONE_NEWNS|CLONE_NEWUSER"),
	}, {
		name: "setns",
		call: "setns", args: [6]uint64{6, 0x40000000},
		want: kv("ns", "net:", "nstype", "CLONE_NEWNET"),
	}, {
		name: "setns bad fd",
		call: "setns", args: [6]uint64{99, 0},
		want: kv("unreadable", "ns: EBADF"),
	}})
}

func TestPtrace(t *testing.T) {
	runCases(t, []decodeCase{{
		name: "TRACEME",
		call: "ptrace", args: [6]uint64{0, 1234},
		want: kv("request", "PTRACE_TRACEME"),
	}, {
		name: "ATTACH",
		call: "ptrace", args: [6]uint64{16, 1234},
		want: kv("request", "PTRACE_ATTACH", "pid", "1234"),
	}, {
		name: "SEIZE on i386",
		call: "ptrace", abi: systab.I386, args: [6]uint64{0x4206, 7},
		want: kv("request", "PTRACE_SEIZE", "pid", "7"),
	}, {
		name: "POKEDATA",
		call: "ptrace", args: [6]uint64{5, 99, structA, 0},
		want: kv("request", "PTRACE_POKEDATA", "pid", "99"),
	}, {
		name: "x86 GETREGS",
		call: "ptrace", args: [6]uint64{12, 5},
		want: kv("request", "PTRACE_GETREGS", "pid", "5"),
	}, {
		name: "arm request",
		call: "ptrace", abi: systab.ARM, args: [6]uint64{22, 5},
		want: kv("request", "PTRACE_GET_THREAD_AREA", "pid", "5"),
	}, {
		name: "unknown on aarch64",
		call: "ptrace", abi: systab.AArch64, args: [6]uint64{12, 5},
		want: kv("request", "12", "pid", "5"),
	}})
}

func TestPrctl(t *testing.T) {
	runCases(t, []decodeCase{{
		name: "PR_SET_DUMPABLE 0",
		call: "prctl", args: [6]uint64{4, 0},
		want: kv("option", "PR_SET_DUMPABLE", "arg2", "0"),
	}, {
		name: "PR_SET_NO_NEW_PRIVS",
		call: "prctl", args: [6]uint64{38, 1, 0, 0, 0},
		want: kv("option", "PR_SET_NO_NEW_PRIVS", "arg2", "1"),
	}, {
		name: "PR_SET_SECCOMP",
		call: "prctl", args: [6]uint64{22, 2, structA},
		want: kv("option", "PR_SET_SECCOMP", "arg2", "SECCOMP_MODE_FILTER"),
	}, {
		name: "PR_CAPBSET_DROP",
		call: "prctl", args: [6]uint64{24, 21},
		want: kv("option", "PR_CAPBSET_DROP", "arg2", "CAP_SYS_ADMIN"),
	}, {
		name: "PR_SET_PDEATHSIG",
		call: "prctl", args: [6]uint64{1, 9},
		want: kv("option", "PR_SET_PDEATHSIG", "arg2", "SIGKILL"),
	}, {
		name: "PR_SET_CHILD_SUBREAPER",
		call: "prctl", args: [6]uint64{36, 1},
		want: kv("option", "PR_SET_CHILD_SUBREAPER", "arg2", "1"),
	}, {
		name: "PR_SET_PTRACER_ANY",
		call: "prctl", args: [6]uint64{0x59616d61, ^uint64(0)},
		want: kv("option", "PR_SET_PTRACER", "arg2", "PR_SET_PTRACER_ANY"),
	}, {
		name: "PR_SET_PTRACER_ANY on i386",
		call: "prctl", abi: systab.I386, args: [6]uint64{0x59616d61, 0xffffffff},
		want: kv("option", "PR_SET_PTRACER", "arg2", "PR_SET_PTRACER_ANY"),
	}, {
		name: "PR_SET_PTRACER pid",
		call: "prctl", args: [6]uint64{0x59616d61, 42},
		want: kv("option", "PR_SET_PTRACER", "arg2", "42"),
	}, {
		name: "PR_CAP_AMBIENT raise",
		call: "prctl", args: [6]uint64{47, 2, 12},
		want: kv("option", "PR_CAP_AMBIENT", "arg2", "PR_CAP_AMBIENT_RAISE", "arg3", "CAP_NET_ADMIN"),
	}, {
		name: "PR_SET_SECUREBITS",
		call: "prctl", args: [6]uint64{28, 0x2f},
		want: kv("option", "PR_SET_SECUREBITS", "arg2",
			"SECBIT_NOROOT|SECBIT_NOROOT_LOCKED|SECBIT_NO_SETUID_FIXUP|SECBIT_NO_SETUID_FIXUP_LOCKED|SECBIT_KEEP_CAPS_LOCKED"),
	}, {
		name: "PR_SET_NAME",
		call: "prctl", args: [6]uint64{15, pathA},
		mem:  newMem().str(pathA, "worker"),
		want: kv("option", "PR_SET_NAME", "name", "worker"),
	}, {
		name: "PR_SET_NAME too long",
		call: "prctl", args: [6]uint64{15, pathA},
		mem:  newMem().str(pathA, "a-rather-long-thread-name"),
		want: kv("option", "PR_SET_NAME", "name", "a-rather-long-t", "truncated", "name"),
	}, {
		name: "a getter",
		call: "prctl", args: [6]uint64{3, 77},
		want: kv("option", "PR_GET_DUMPABLE"),
	}, {
		name: "unknown option",
		call: "prctl", args: [6]uint64{1000},
		want: kv("option", "1000"),
	}})
}

func capData(words ...uint32) []byte {
	var b []byte
	for _, w := range words {
		b = append(b, le32(w)...)
	}
	return b
}

func TestCreds(t *testing.T) {
	const netAdmin, sysAdmin, perfmon = 1 << 12, 1 << 21, 1 << (38 - 32)
	runCases(t, []decodeCase{{
		name: "setuid",
		call: "setuid", args: [6]uint64{0},
		want: kv("uid", "0"),
	}, {
		name: "setuid on i386 is 16-bit",
		call: "setuid", abi: systab.I386, args: [6]uint64{0xffff},
		want: kv("uid", "-1"),
	}, {
		name: "setuid32 on i386",
		call: "setuid32", abi: systab.I386, args: [6]uint64{0x10000 + 1000},
		want: kv("uid", "66536"),
	}, {
		name: "setresuid",
		call: "setresuid", args: [6]uint64{0xffffffff, 0, 0xffffffffffffffff},
		want: kv("ruid", "-1", "euid", "0", "suid", "-1"),
	}, {
		name: "setregid32 on arm",
		call: "setregid32", abi: systab.ARM, args: [6]uint64{100, 0xffffffff},
		want: kv("rgid", "100", "egid", "-1"),
	}, {
		name: "setfsgid",
		call: "setfsgid", args: [6]uint64{5},
		want: kv("fsgid", "5"),
	}, {
		name: "setgroups",
		call: "setgroups", args: [6]uint64{3, structA},
		want: kv("count", "3"),
	}, {
		name: "capset v3",
		call: "capset", args: [6]uint64{structA, addrA},
		mem: newMem().put(structA, capData(0x20080522, 0)).
			put(addrA, capData(netAdmin|sysAdmin, netAdmin|sysAdmin, 0, perfmon, perfmon, 1<<20)),
		want: kv("version", "_LINUX_CAPABILITY_VERSION_3",
			"effective", "CAP_NET_ADMIN|CAP_SYS_ADMIN|CAP_PERFMON",
			"permitted", "CAP_NET_ADMIN|CAP_SYS_ADMIN|CAP_PERFMON", "inheritable", "0x10000000000000"),
	}, {
		name: "capset v1 with pid",
		call: "capset", args: [6]uint64{structA, addrA},
		mem: newMem().put(structA, capData(0x19980330, 1234)).put(addrA, capData(1, 3, 0x80000000)),
		want: kv("version", "_LINUX_CAPABILITY_VERSION_1", "pid", "1234", "effective", "CAP_CHOWN",
			"permitted", "CAP_CHOWN|CAP_DAC_OVERRIDE", "inheritable", "CAP_SETFCAP"),
	}, {
		name: "capset unknown version",
		call: "capset", args: [6]uint64{structA, addrA},
		mem:  newMem().put(structA, capData(0x12345678, 0)),
		want: kv("version", "0x12345678"),
	}, {
		name: "capset data unreadable",
		call: "capset", args: [6]uint64{structA, badAddr},
		mem:  newMem().put(structA, capData(0x20080522, 0)),
		want: kv("version", "_LINUX_CAPABILITY_VERSION_3", "unreadable", "effective: EFAULT"),
	}, {
		name: "capset header NULL",
		call: "capset", args: [6]uint64{0, addrA},
		want: kv("unreadable", "version: NULL"),
	}})
}

func TestKernelCalls(t *testing.T) {
	runCases(t, []decodeCase{{
		name: "keyctl",
		call: "keyctl", args: [6]uint64{1, 0},
		want: kv("op", "KEYCTL_JOIN_SESSION_KEYRING"),
	}, {
		name: "add_key",
		call: "add_key", args: [6]uint64{pathA, pathB, structA, 4, 0xfffffffd},
		mem:  newMem().str(pathA, "user").str(pathB, "mykey"),
		want: kv("type", "user", "description", "mykey"),
	}, {
		name: "request_key unreadable description",
		call: "request_key", args: [6]uint64{pathA, badAddr},
		mem:  newMem().str(pathA, "keyring"),
		want: kv("type", "keyring", "unreadable", "description: EFAULT"),
	}, {
		name: "bpf",
		call: "bpf", args: [6]uint64{5, structA, 128},
		want: kv("cmd", "BPF_PROG_LOAD"),
	}, {
		name: "seccomp filter",
		call: "seccomp", args: [6]uint64{1, 1 | 8, structA},
		want: kv("op", "SECCOMP_SET_MODE_FILTER",
			"flags", "SECCOMP_FILTER_FLAG_TSYNC|SECCOMP_FILTER_FLAG_NEW_LISTENER"),
	}, {
		name: "seccomp strict",
		call: "seccomp", args: [6]uint64{0, 0, 0},
		want: kv("op", "SECCOMP_SET_MODE_STRICT"),
	}, {
		name: "io_uring_setup SQPOLL",
		call: "io_uring_setup", args: [6]uint64{8, structA},
		mem:  newMem().put(structA, capData(0, 0, 2|4, 0, 0)),
		want: kv("flags", "IORING_SETUP_SQPOLL|IORING_SETUP_SQ_AFF"),
	}, {
		name: "io_uring_setup unreadable",
		call: "io_uring_setup", args: [6]uint64{8, badAddr},
		want: kv("unreadable", "flags: EFAULT"),
	}, {
		name: "io_uring_enter",
		call: "io_uring_enter", args: [6]uint64{3, 1, 1, 0},
	}, {
		name: "memfd_create",
		call: "memfd_create", args: [6]uint64{pathA, 3},
		mem:  newMem().str(pathA, "x"),
		want: kv("name", "x", "flags", "MFD_CLOEXEC|MFD_ALLOW_SEALING"),
	}, {
		name: "memfd_secret",
		call: "memfd_secret", args: [6]uint64{0x80000},
		want: kv("flags", "O_CLOEXEC"),
	}, {
		name: "finit_module",
		call: "finit_module", args: [6]uint64{7, pathA, 1},
		want: kv("path", "/lib/modules/m.ko", "flags", "MODULE_INIT_IGNORE_MODVERSIONS"),
	}, {
		name: "delete_module",
		call: "delete_module", args: [6]uint64{pathA, 0x800},
		mem:  newMem().str(pathA, "nf_tables"),
		want: kv("name", "nf_tables", "flags", "O_NONBLOCK"),
	}, {
		name: "kexec_load",
		call: "kexec_load", args: [6]uint64{0, 1, structA, 62<<16 | 1},
		want: kv("flags", "KEXEC_ARCH_X86_64|KEXEC_ON_CRASH"),
	}, {
		name: "kexec_file_load",
		call: "kexec_file_load", args: [6]uint64{3, 4, 0, 0, 1},
		want: kv("flags", "KEXEC_FILE_UNLOAD"),
	}, {
		name: "perf_event_open",
		call: "perf_event_open", args: [6]uint64{structA, 0, 0xffffffff, 0xffffffff, 8},
		mem:  newMem().put(structA, capData(1, 128)),
		want: kv("type", "PERF_TYPE_SOFTWARE"),
	}, {
		name: "reboot",
		call: "reboot", args: [6]uint64{0xfee1dead, 672274793, 0x4321fedc},
		want: kv("cmd", "LINUX_REBOOT_CMD_POWER_OFF"),
	}, {
		name: "syslog",
		call: "syslog", args: [6]uint64{2, structA, 100},
		want: kv("type", "SYSLOG_ACTION_READ"),
	}, {
		name: "iopl",
		call: "iopl", args: [6]uint64{3},
		want: kv("level", "3"),
	}, {
		name: "ioperm",
		call: "ioperm", args: [6]uint64{0x3f8, 8, 1},
		want: kv("from", "0x3f8", "num", "8", "turn_on", "1"),
	}, {
		name: "acct off",
		call: "acct", args: [6]uint64{0},
	}, {
		name: "acct on",
		call: "acct", args: [6]uint64{pathA},
		mem:  newMem().str(pathA, "/var/log/acct"),
		want: kv("path", "/var/log/acct"),
	}, {
		name: "sethostname",
		call: "sethostname", args: [6]uint64{pathA, 3},
		mem:  newMem().str(pathA, "boxes"),
		want: kv("name", "box"),
	}, {
		name: "setdomainname too long",
		call: "setdomainname", args: [6]uint64{pathA, 100},
		mem:  newMem().put(pathA, []byte("0123456789012345678901234567890123456789012345678901234567890123")),
		want: kv("name", "0123456789012345678901234567890123456789012345678901234567890123", "truncated", "name"),
	}, {
		name: "swapon",
		call: "swapon", args: [6]uint64{pathA, 0},
		mem:  newMem().str(pathA, "/swapfile"),
		want: kv("path", "/swapfile"),
	}, {
		name: "settimeofday",
		call: "settimeofday", args: [6]uint64{structA, 0},
	}, {
		name: "quotactl",
		call: "quotactl", args: [6]uint64{0x80000200, pathA, 0, structA},
		mem:  newMem().str(pathA, "/dev/sda1"),
		want: kv("cmd", "Q_QUOTAON", "type", "USRQUOTA", "path", "/dev/sda1"),
	}, {
		name: "open_by_handle_at",
		call: "open_by_handle_at", args: [6]uint64{3, structA, 0x80000},
		want: kv("flags", "O_RDONLY|O_CLOEXEC"),
	}, {
		name: "name_to_handle_at",
		call: "name_to_handle_at", args: [6]uint64{atCWD, pathA, structA, addrA, 0x400},
		mem:  newMem().str(pathA, "f"),
		want: kv("path", "/home/u/f", "flags", "AT_SYMLINK_FOLLOW"),
	}, {
		name: "fanotify_init",
		call: "fanotify_init", args: [6]uint64{0x4 | 0x1, 0},
		want: kv("flags", "FAN_CLOEXEC|FAN_CLASS_CONTENT"),
	}, {
		name: "fanotify_mark x86_64",
		call: "fanotify_mark", args: [6]uint64{3, 0x11, 0x10000, atCWD, pathA},
		mem:  newMem().str(pathA, "/home"),
		want: kv("path", "/home", "flags", "FAN_MARK_ADD|FAN_MARK_MOUNT"),
	}, {
		name: "fanotify_mark i386 splits the mask",
		call: "fanotify_mark", abi: systab.I386, args: [6]uint64{3, 1, 0x10000, 0, 0xffffff9c, pathA},
		mem:  newMem().str(pathA, "x"),
		want: kv("path", "/home/u/x", "flags", "FAN_MARK_ADD"),
	}, {
		name: "fanotify_mark NULL path marks dirfd",
		call: "fanotify_mark", args: [6]uint64{9, 1, 0x20, 3, 0},
		want: kv("path", "/srv", "flags", "FAN_MARK_ADD"),
	}, {
		name: "inotify_add_watch",
		call: "inotify_add_watch", args: [6]uint64{3, pathA, 0xfff},
		mem:  newMem().str(pathA, "/etc"),
		want: kv("path", "/etc"),
	}, {
		name: "process_vm_writev",
		call: "process_vm_writev", args: [6]uint64{321, structA, 1, addrA, 1, 0},
		want: kv("pid", "321"),
	}, {
		name: "pidfd_open",
		call: "pidfd_open", args: [6]uint64{321, 0x800},
		want: kv("flags", "PIDFD_NONBLOCK"),
	}, {
		name: "userfaultfd",
		call: "userfaultfd", args: [6]uint64{1 | 0x80000},
		want: kv("flags", "UFFD_USER_MODE_ONLY|O_CLOEXEC"),
	}, {
		name: "personality",
		call: "personality", args: [6]uint64{0x0040000},
		want: kv("persona", "PER_LINUX|ADDR_NO_RANDOMIZE"),
	}, {
		name: "personality linux32",
		call: "personality", args: [6]uint64{8 | 0x0400000},
		want: kv("persona", "PER_LINUX32|READ_IMPLIES_EXEC"),
	}, {
		name: "personality query",
		call: "personality", args: [6]uint64{0xffffffff},
		want: kv("persona", "0xffffffff"),
	}})
}

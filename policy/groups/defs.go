package groups

// def is one group as written: syscall names and nested "@group" names.
type def struct {
	name, desc string
	members    []string
}

// defs follow systemd's SystemCallFilter= sets (src/shared/seccomp-util.c,
// systemd v256), less the names of ABIs sysgate does not trace (s390, riscv,
// powerpc) and plus the names the five traced ABIs add (fstatat64,
// ugetrlimit, arm's set_tls...). @io-uring and @namespace are sysgate's own.
var defs = []def{
	{"@default", "System calls that are always permitted by systemd: process basics, time, memory mapping", []string{
		"arch_prctl", "brk", "cacheflush", "clock_getres", "clock_getres_time64",
		"clock_gettime", "clock_gettime64", "clock_nanosleep", "clock_nanosleep_time64",
		"execve", "exit", "exit_group", "futex", "futex_time64", "futex_waitv",
		"futex_wait", "futex_wake", "futex_requeue",
		"get_robust_list", "get_thread_area", "get_tls", "getegid", "getegid32", "geteuid",
		"geteuid32", "getgid", "getgid32", "getgroups", "getgroups32", "getpgid",
		"getpgrp", "getpid", "getppid", "getrandom", "getresgid", "getresgid32",
		"getresuid", "getresuid32", "getrlimit", "getsid", "gettid", "gettimeofday",
		"getuid", "getuid32", "lsm_get_self_attr", "lsm_list_modules", "membarrier",
		"mmap", "mmap2", "mprotect", "munmap", "nanosleep", "pause", "prlimit64",
		"restart_syscall", "rseq", "rt_sigreturn", "sched_getaffinity", "sched_yield",
		"set_robust_list", "set_thread_area", "set_tid_address", "set_tls",
		"sigreturn", "time", "ugetrlimit", "uretprobe", "map_shadow_stack", "mseal",
	}},
	{"@aio", "Asynchronous I/O, io_uring included", []string{
		"io_cancel", "io_destroy", "io_getevents", "io_pgetevents", "io_pgetevents_time64",
		"io_setup", "io_submit", "io_uring_enter", "io_uring_register", "io_uring_setup",
	}},
	{"@basic-io", "Reading and writing file descriptors", []string{
		"_llseek", "close", "close_range", "dup", "dup2", "dup3", "lseek", "pread64",
		"preadv", "preadv2", "pwrite64", "pwritev", "pwritev2", "read", "readv",
		"write", "writev",
	}},
	{"@chown", "Changing file ownership", []string{
		"chown", "chown32", "fchown", "fchown32", "fchownat", "lchown", "lchown32",
	}},
	{"@clock", "Changing the system clock", []string{
		"adjtimex", "clock_adjtime", "clock_adjtime64", "clock_settime",
		"clock_settime64", "settimeofday", "stime",
	}},
	{"@cpu-emulation", "CPU emulation: LDT changes and virtual 8086 mode", []string{
		"modify_ldt", "vm86", "vm86old",
	}},
	{"@debug", "Debugging, performance monitoring and tracing of other processes", []string{
		"lookup_dcookie", "perf_event_open", "pidfd_getfd", "ptrace",
	}},
	{"@file-system", "File system operations: opening, creating, renaming, stat, extended attributes", []string{
		"access", "chdir", "chmod", "close", "creat", "faccessat", "faccessat2",
		"fallocate", "fchdir", "fchmod", "fchmodat", "fchmodat2", "fcntl", "fcntl64",
		"fgetxattr", "flistxattr", "fremovexattr", "fsetxattr", "fstat", "fstat64",
		"fstatat64", "fstatfs", "fstatfs64", "ftruncate", "ftruncate64", "futimesat",
		"getcwd", "getdents", "getdents64", "getxattr", "getxattrat", "inotify_add_watch",
		"inotify_init", "inotify_init1", "inotify_rm_watch", "lgetxattr", "link",
		"linkat", "listxattr", "listxattrat", "llistxattr", "lremovexattr", "lsetxattr",
		"lstat", "lstat64", "mkdir", "mkdirat", "mknod", "mknodat", "mmap", "mmap2",
		"munmap", "newfstatat", "oldfstat", "oldlstat", "oldstat", "open", "openat",
		"openat2", "readlink", "readlinkat", "removexattr", "removexattrat", "rename",
		"renameat", "renameat2", "rmdir", "setxattr", "setxattrat", "stat", "stat64",
		"statfs", "statfs64", "statx", "symlink", "symlinkat", "truncate",
		"truncate64", "unlink", "unlinkat", "utime", "utimensat", "utimensat_time64",
		"utimes",
	}},
	{"@io-event", "Event loops: poll, select, epoll, eventfd", []string{
		"_newselect", "epoll_create", "epoll_create1", "epoll_ctl", "epoll_ctl_old",
		"epoll_pwait", "epoll_pwait2", "epoll_wait", "epoll_wait_old", "eventfd",
		"eventfd2", "poll", "ppoll", "ppoll_time64", "pselect6", "pselect6_time64",
		"select",
	}},
	{"@io-uring", "io_uring, whose I/O the tracer cannot see as syscalls (sysgate's own set)", []string{
		"io_uring_enter", "io_uring_register", "io_uring_setup",
	}},
	{"@ipc", "Inter-process communication: pipes, SysV and POSIX IPC, memfd, cross-process memory", []string{
		"ipc", "memfd_create", "mq_getsetattr", "mq_notify", "mq_open",
		"mq_timedreceive", "mq_timedreceive_time64", "mq_timedsend",
		"mq_timedsend_time64", "mq_unlink", "msgctl", "msgget", "msgrcv", "msgsnd",
		"pipe", "pipe2", "process_madvise", "process_vm_readv", "process_vm_writev",
		"semctl", "semget", "semop", "semtimedop", "semtimedop_time64", "shmat",
		"shmctl", "shmdt", "shmget",
	}},
	{"@keyring", "The kernel keyring", []string{"add_key", "keyctl", "request_key"}},
	{"@memlock", "Locking memory in RAM", []string{
		"mlock", "mlock2", "mlockall", "munlock", "munlockall",
	}},
	{"@module", "Loading and unloading kernel modules", []string{
		"delete_module", "finit_module", "init_module",
	}},
	{"@mount", "Mounting and unmounting file systems, changing the root", []string{
		"chroot", "fsconfig", "fsmount", "fsopen", "fspick", "listmount", "mount",
		"mount_setattr", "move_mount", "open_tree", "open_tree_attr", "pivot_root",
		"statmount", "umount", "umount2",
	}},
	{"@namespace", "Creating and joining namespaces (sysgate's own set; clone with CLONE_NEW* flags is the class namespace)", []string{
		"setns", "unshare",
	}},
	{"@network-io", "Sockets", []string{
		"accept", "accept4", "bind", "connect", "getpeername", "getsockname",
		"getsockopt", "listen", "recv", "recvfrom", "recvmmsg", "recvmmsg_time64",
		"recvmsg", "send", "sendmmsg", "sendmsg", "sendto", "setsockopt", "shutdown",
		"socket", "socketcall", "socketpair",
	}},
	{"@obsolete", "Unusual, obsolete or unimplemented system calls", []string{
		"_sysctl", "afs_syscall", "bdflush", "break", "create_module", "ftime",
		"get_kernel_syms", "getpmsg", "gtty", "idle", "lock", "mpx", "prof", "profil",
		"putpmsg", "query_module", "security", "sgetmask", "ssetmask", "stime", "stty",
		"sysfs", "tuxcall", "ulimit", "uselib", "ustat", "vserver",
	}},
	{"@pkey", "Memory protection keys", []string{"pkey_alloc", "pkey_free", "pkey_mprotect"}},
	{"@privileged", "Calls that need super-user capabilities", []string{
		"@chown", "@clock", "@module", "@raw-io", "@reboot", "@swap", "_sysctl",
		"acct", "bpf", "capset", "chroot", "fanotify_init", "fanotify_mark",
		"nfsservctl", "open_by_handle_at", "pivot_root", "quotactl", "quotactl_fd",
		"setdomainname", "setfsuid", "setfsuid32", "setgroups", "setgroups32",
		"sethostname", "setresuid", "setresuid32", "setreuid", "setreuid32", "setuid",
		"setuid32", "vhangup",
	}},
	{"@process", "Creating, changing and signalling processes and threads", []string{
		"capget", "clone", "clone3", "execveat", "fork", "getrusage", "kill",
		"pidfd_open", "pidfd_send_signal", "prctl", "process_mrelease",
		"rt_sigqueueinfo", "rt_tgsigqueueinfo", "setns", "tgkill", "times", "tkill",
		"unshare", "vfork", "wait4", "waitid", "waitpid",
	}},
	{"@raw-io", "Raw I/O port access", []string{
		"ioperm", "iopl", "pciconfig_iobase", "pciconfig_read", "pciconfig_write",
	}},
	{"@reboot", "Rebooting and loading a new kernel", []string{
		"kexec_file_load", "kexec_load", "reboot",
	}},
	{"@resources", "Changing resource limits, scheduling and memory placement", []string{
		"ioprio_set", "mbind", "migrate_pages", "move_pages", "nice",
		"sched_setaffinity", "sched_setattr", "sched_setparam", "sched_setscheduler",
		"set_mempolicy", "set_mempolicy_home_node", "setpriority", "setrlimit",
	}},
	{"@sandbox", "Sandboxing: seccomp and Landlock", []string{
		"landlock_add_rule", "landlock_create_ruleset", "landlock_restrict_self", "seccomp",
	}},
	{"@setuid", "Changing user and group ids", []string{
		"setgid", "setgid32", "setgroups", "setgroups32", "setregid", "setregid32",
		"setresgid", "setresgid32", "setresuid", "setresuid32", "setreuid",
		"setreuid32", "setuid", "setuid32",
	}},
	{"@signal", "Signal handling", []string{
		"rt_sigaction", "rt_sigpending", "rt_sigprocmask", "rt_sigsuspend",
		"rt_sigtimedwait", "rt_sigtimedwait_time64", "sigaction", "sigaltstack",
		"signal", "signalfd", "signalfd4", "sigpending", "sigprocmask", "sigsuspend",
	}},
	{"@swap", "Enabling and disabling swap", []string{"swapoff", "swapon"}},
	{"@sync", "Flushing files and memory to disk", []string{
		"arm_sync_file_range", "fdatasync", "fsync", "msync", "sync",
		"sync_file_range", "syncfs",
	}},
	{"@system-service", "What a typical service needs: a reasonable baseline for an allow-list", []string{
		"@aio", "@basic-io", "@chown", "@default", "@file-system", "@io-event", "@ipc",
		"@keyring", "@memlock", "@network-io", "@process", "@resources", "@setuid",
		"@signal", "@sync", "@timer", "arm_fadvise64_64", "cachestat", "capget", "capset",
		"copy_file_range", "fadvise64", "fadvise64_64", "flock", "get_mempolicy",
		"getcpu", "getpriority", "ioctl", "ioprio_get", "kcmp", "madvise", "mincore",
		"mremap", "name_to_handle_at", "oldolduname", "olduname", "personality",
		"readahead", "readdir", "remap_file_pages", "sched_get_priority_max",
		"sched_get_priority_min", "sched_getattr", "sched_getparam",
		"sched_getscheduler", "sched_rr_get_interval", "sched_rr_get_interval_time64",
		"sched_yield", "sendfile", "sendfile64", "setfsgid", "setfsgid32", "setfsuid",
		"setfsuid32", "setpgid", "setsid", "splice", "sysinfo", "tee", "umask",
		"uname", "userfaultfd", "vmsplice",
	}},
	{"@timer", "Timers and alarms", []string{
		"alarm", "getitimer", "setitimer", "timer_create", "timer_delete",
		"timer_getoverrun", "timer_gettime", "timer_gettime64", "timer_settime",
		"timer_settime64", "timerfd_create", "timerfd_gettime", "timerfd_gettime64",
		"timerfd_settime", "timerfd_settime64", "times",
	}},
}

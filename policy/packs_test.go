package policy

import (
	"slices"
	"testing"

	"github.com/sysgate/sysgate/observation"
	"github.com/sysgate/sysgate/policy/packs"
)

// packTests hold, for every built-in rule, calls that trigger it and calls
// that do not (with a 64-bit call of /usr/bin/app beside them).
var packTests = []struct {
	id      string
	yes, no []observation.Call
}{
	{"SG1001", []observation.Call{x64("mount", "source", "proc", "target", "/mnt", "fstype", "proc"), x64("umount2", "target", "/mnt"), x64("pivot_root", "new_root", "/n", "put_old", "/o"), x64("fsopen", "fstype", "cgroup")},
		[]observation.Call{x64("statfs", "path", "/mnt"), x64("chdir")}},
	{"SG1002", []observation.Call{x64("chroot", "path", "/jail")}, []observation.Call{x64("chdir")}},
	{"SG1003", []observation.Call{x64("unshare", "flags", "CLONE_NEWUSER"), x64("setns", "ns", "net:", "nstype", "CLONE_NEWNET"), x64("clone", "flags", "CLONE_NEWNS", "signal", "SIGCHLD")},
		[]observation.Call{x64("clone", "flags", "CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID"), x64("unshare", "flags", "CLONE_FILES")}},
	{"SG1004", []observation.Call{x64("open_by_handle_at", "flags", "O_RDONLY", "resolved", "/etc/shadow")}, []observation.Call{x64("name_to_handle_at", "path", "/x")}},
	{"SG1005", []observation.Call{x64("init_module"), x64("finit_module", "path", "/x.ko"), x64("delete_module", "name", "x")}, []observation.Call{x64("uname")}},
	{"SG1006", []observation.Call{x64("kexec_load", "flags", "KEXEC_ARCH_DEFAULT"), x64("kexec_file_load")}, []observation.Call{x64("reboot", "cmd", "LINUX_REBOOT_CMD_CAD_OFF")}},
	{"SG1007", []observation.Call{x64("bpf", "cmd", "BPF_PROG_LOAD")}, []observation.Call{x64("seccomp", "op", "SECCOMP_SET_MODE_FILTER")}},
	{"SG1008", []observation.Call{x64("perf_event_open", "type", "PERF_TYPE_HARDWARE")}, []observation.Call{x64("getrusage")}},
	{"SG1009", []observation.Call{x64("userfaultfd", "flags", "O_CLOEXEC")}, []observation.Call{x64("eventfd2")}},
	{"SG1010", []observation.Call{x64("keyctl", "op", "KEYCTL_JOIN_SESSION_KEYRING"), x64("add_key", "type", "user", "description", "x"), x64("request_key", "type", "user", "description", "x")}, []observation.Call{x64("getrandom")}},
	{"SG1011", []observation.Call{x64("ptrace", "request", "PTRACE_ATTACH", "pid", "1"), x64("ptrace", "request", "PTRACE_TRACEME")}, []observation.Call{x64("wait4")}},
	{"SG1012", []observation.Call{x64("process_vm_writev", "pid", "1")}, []observation.Call{x64("pwritev", "path", "/x")}},
	{"SG1013", []observation.Call{x64("process_vm_readv", "pid", "1")}, []observation.Call{x64("preadv")}},
	{"SG1014", []observation.Call{x64("personality", "persona", "PER_LINUX|ADDR_NO_RANDOMIZE"), x64("personality", "persona", "PER_LINUX32|READ_IMPLIES_EXEC")},
		[]observation.Call{x64("personality", "persona", "PER_LINUX"), x64("personality", "persona", "0xffffffff")}},
	{"SG1015", []observation.Call{x64("iopl", "level", "3"), x64("ioperm", "from", "0x80", "num", "1", "turn_on", "1")}, []observation.Call{x64("ioctl")}},
	{"SG1016", []observation.Call{x64("reboot", "cmd", "LINUX_REBOOT_CMD_RESTART")}, []observation.Call{x64("kill")}},
	{"SG1017", []observation.Call{x64("settimeofday"), x64("clock_settime"), x64("adjtimex")}, []observation.Call{x64("clock_gettime"), x64("gettimeofday")}},
	{"SG1018", []observation.Call{x64("swapon", "path", "/swap"), x64("swapoff", "path", "/swap")}, []observation.Call{x64("sync")}},
	{"SG1019", []observation.Call{x64("modify_ldt"), call("/usr/bin/app", "i386", "vm86")}, []observation.Call{x64("arch_prctl")}},
	{"SG1020", []observation.Call{x64("uselib", "path", "/lib/x"), x64("_sysctl")}, []observation.Call{x64("sysinfo")}},
	{"SG1101", []observation.Call{x64("io_uring_setup", "flags", "IORING_SETUP_SQPOLL"), x64("io_uring_enter"), x64("io_uring_register")}, []observation.Call{x64("io_submit"), x64("epoll_wait")}},
	{"SG1201", []observation.Call{call("/usr/bin/app", "i386", "getpid"), call("/usr/bin/app", "i386", "socketcall", "op", "socket", "family", "AF_INET", "type", "SOCK_STREAM", "protocol", "IPPROTO_IP")},
		[]observation.Call{call("/usr/bin/app32", "i386", "getpid"), call("/usr/bin/app", "x32", "getpid")}},
	{"SG1202", []observation.Call{call("/usr/bin/app", "x32", "getpid"), call("/usr/bin/x32only", "x32", "read")}, []observation.Call{call("/usr/bin/app32", "i386", "getpid")}},
	{"SG1301", []observation.Call{x64("memfd_create", "name", "x", "flags", "MFD_CLOEXEC"), x64("memfd_secret")}, []observation.Call{x64("shmget")}},
	{"SG1302", []observation.Call{x64("execveat", "path", "/memfd:payload (deleted)", "argv", "[x]", "flags", "AT_EMPTY_PATH"), x64("execve", "path", "/proc/self/fd/4", "argv", "[x]"), x64("execve", "path", "/dev/fd/4")},
		[]observation.Call{x64("execve", "path", "/usr/bin/ls", "argv", "[ls]"), x64("execveat", "path", "/usr/bin/ls", "flags", "AT_EMPTY_PATH")}},
	{"SG1401", []observation.Call{x64("execve", "path", "/bin/sh", "argv", "[sh -c id]"), x64("execve", "path", "/usr/bin/bash", "argv", "[bash]"), x64("execve", "path", "/bin/busybox", "argv", "[/bin/busybox sh -c id]")},
		[]observation.Call{x64("execve", "path", "/bin/busybox", "argv", "[busybox ls]"), x64("execve", "path", "/usr/bin/shasum", "argv", "[shasum]"), x64("openat", "path", "/bin/sh", "flags", "O_RDONLY")}},
	{"SG1402", []observation.Call{x64("execve", "path", "/usr/bin/apt-get", "argv", "[apt-get install x]"), x64("execve", "path", "/sbin/apk"), x64("execve", "path", "/usr/local/bin/pip3")},
		[]observation.Call{x64("execve", "path", "/usr/bin/python3"), x64("openat", "path", "/usr/bin/apt", "flags", "O_RDONLY")}},
	{"SG1403", []observation.Call{x64("execve", "path", "/usr/bin/curl", "argv", "[curl http://x]"), x64("execve", "path", "/bin/nc")},
		[]observation.Call{x64("execve", "path", "/usr/bin/curl-config"), x64("connect", "addr", "1.1.1.1:80")}},
	{"SG1501", []observation.Call{x64("openat", "path", "/etc/passwd", "flags", "O_WRONLY|O_APPEND"), x64("unlinkat", "path", "/usr/bin/x"), x64("renameat", "path", "/tmp/x", "path2", "/bin/ls"), x64("creat", "path", "/lib/x.so", "mode", "0755"), x64("open", "path", "/proc/self/fd/3", "flags", "O_WRONLY", "resolved", "/etc/shadow")},
		[]observation.Call{x64("openat", "path", "/etc/passwd", "flags", "O_RDONLY|O_CLOEXEC"), x64("openat", "path", "/tmp/x", "flags", "O_WRONLY|O_CREAT"), x64("openat", "path", "/etcetera/x", "flags", "O_WRONLY")}},
	{"SG1502", []observation.Call{x64("openat", "path", "/proc/sys/kernel/core_pattern", "flags", "O_WRONLY"), x64("openat", "path", "/sys/fs/cgroup/release_agent", "flags", "O_WRONLY|O_TRUNC")},
		[]observation.Call{x64("openat", "path", "/proc/sys/kernel/hostname", "flags", "O_RDONLY"), x64("openat", "path", "/proc/self/status", "flags", "O_WRONLY")}},
	{"SG1503", []observation.Call{x64("openat", "path", "/proc/self/exe", "flags", "O_WRONLY"), x64("openat", "path", "/proc/1/mem", "flags", "O_RDWR"), x64("openat", "path", "/proc/1/task/1/mem", "flags", "O_RDWR")},
		[]observation.Call{x64("openat", "path", "/proc/self/exe", "flags", "O_RDONLY"), x64("readlink", "path", "/proc/self/exe")}},
	{"SG1504", []observation.Call{x64("openat", "path", "/etc/ld.so.preload", "flags", "O_WRONLY|O_CREAT")},
		[]observation.Call{x64("access", "path", "/etc/ld.so.preload", "mode", "R_OK"), x64("openat", "path", "/etc/ld.so.preload", "flags", "O_RDONLY")}},
	{"SG1601", []observation.Call{x64("connect", "addr", "93.184.216.34:443"), x64("sendto", "addr", "8.8.8.8:53"), x64("connect", "addr", "[2001:db8::1]:443"), call("/usr/bin/app", "i386", "socketcall", "op", "connect", "addr", "1.2.3.4:80")},
		[]observation.Call{x64("connect", "addr", "127.0.0.1:8080"), x64("connect", "addr", "[::1]:80"), x64("connect", "addr", "/run/nscd/socket"), x64("connect", "addr", "0.0.0.0:80"), x64("sendto")}},
	{"SG1602", []observation.Call{x64("socket", "family", "AF_PACKET", "type", "SOCK_RAW", "protocol", "ETH_P_ALL"), x64("socket", "family", "AF_INET", "type", "SOCK_RAW", "protocol", "IPPROTO_ICMP"), x64("socket", "family", "AF_PACKET", "type", "SOCK_DGRAM")},
		[]observation.Call{x64("socket", "family", "AF_INET", "type", "SOCK_STREAM|SOCK_CLOEXEC", "protocol", "IPPROTO_TCP"), x64("socket", "family", "AF_INET", "type", "SOCK_DGRAM", "protocol", "IPPROTO_ICMP")}},
	{"SG1701", []observation.Call{x64("clone", "flags", "CLONE_UNTRACED|CLONE_VM", "signal", "SIGCHLD"), x64("clone3", "flags", "CLONE_UNTRACED")},
		[]observation.Call{x64("clone", "flags", "CLONE_VM|CLONE_VFORK", "signal", "SIGCHLD"), x64("vfork")}},
}

// Every built-in rule fires on its triggering calls and not on the others.
func TestPackRules(t *testing.T) {
	def, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	tested := map[string]bool{}
	for _, tc := range packTests {
		tested[tc.id] = true
		for i, c := range tc.yes {
			if n := countRule(t, def, c, tc.id); n != 1 {
				t.Errorf("%s: yes[%d] %s: %d findings, want 1", tc.id, i, describeCall(&c), n)
			}
		}
		for i, c := range tc.no {
			if n := countRule(t, def, c, tc.id); n != 0 {
				t.Errorf("%s: no[%d] %s: %d findings, want 0", tc.id, i, describeCall(&c), n)
			}
		}
	}
	for _, r := range def.Rules {
		if !tested[r.ID] {
			t.Errorf("built-in rule %s has no test case", r.ID)
		}
	}
	if len(tested) != len(def.Rules) {
		t.Errorf("%d test cases for %d built-in rules", len(tested), len(def.Rules))
	}
}

// Each built-in rule has a stable SG id, a remediation, and references
// where they exist; every pack is in the default pack.
func TestPacksWellFormed(t *testing.T) {
	def, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range def.Rules {
		if r.Remediation == "" || r.Description == "" || r.Pack == "" {
			t.Errorf("%s: description, remediation and pack needed: %+v", r.ID, r)
		}
	}
	for _, name := range packs.Names() {
		if !slices.Contains(def.Packs, name) {
			t.Errorf("pack %s is not in the default pack", name)
		}
	}
	if _, ok := packs.Source("../packs"); ok {
		t.Error("a pack name escaped the pack directory")
	}
}

// TestPacksGolden evaluates every triggering and non-triggering call of
// packTests by the default pack, against the golden findings.
func TestPacksGolden(t *testing.T) {
	def, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	calls := []observation.Call{x64("getppid")}
	for _, tc := range packTests {
		calls = append(calls, tc.yes...)
		calls = append(calls, tc.no...)
	}
	fs, err := Evaluate(obsOf(calls...), def)
	if err != nil {
		t.Fatal(err)
	}
	compareGolden(t, "testdata/packs.golden.json", fs)
}

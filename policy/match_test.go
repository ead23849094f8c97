package policy

import (
	"fmt"
	"testing"

	"github.com/sysgate/sysgate/observation"
)

// One table row per condition kind (and the ways it can be written): calls
// that the match holds for, and calls it does not.
var conditionTests = []struct {
	name  string
	match string
	yes   []observation.Call
	no    []observation.Call
}{
	{"syscall name", "{syscall: mount}",
		[]observation.Call{x64("mount", "target", "/mnt")},
		[]observation.Call{x64("umount2", "target", "/mnt"), x64("read")}},
	{"syscall names negated", `{syscall: ["!read", "!write"]}`,
		[]observation.Call{x64("openat"), {Exe: "/x", ABI: "x86_64", Nr: 999, Count: 1}},
		[]observation.Call{x64("read"), x64("write")}},
	{"syscall group", `{syscall: "@keyring"}`,
		[]observation.Call{x64("keyctl", "op", "KEYCTL_JOIN_SESSION_KEYRING"), x64("add_key"), call("/x", "i386", "request_key")},
		[]observation.Call{x64("read")}},
	{"group less a name", `{syscall: ["@mount", "!chroot"]}`,
		[]observation.Call{x64("pivot_root")},
		[]observation.Call{x64("chroot", "path", "/x")}},
	{"class open-write on every open call", "{class: open-write}",
		[]observation.Call{
			x64("openat", "path", "/f", "flags", "O_WRONLY|O_CREAT"),
			x64("open", "path", "/f", "flags", "O_RDWR"),
			x64("openat2", "path", "/f", "flags", "O_RDONLY|O_TRUNC"),
			x64("creat", "path", "/f", "mode", "0644"),
			call("/x", "i386", "open", "path", "/f", "flags", "O_RDONLY|O_CREAT"),
			x64("openat2", "path", "/f", "unreadable", "flags: EFAULT"), // never fails open
		},
		[]observation.Call{x64("openat", "path", "/f", "flags", "O_RDONLY|O_CLOEXEC"), x64("write")}},
	{"class file-write", "{class: file-write}",
		[]observation.Call{x64("unlinkat", "path", "/f"), x64("renameat2", "path", "/a", "path2", "/b"), x64("fchmodat", "path", "/f", "mode", "0777"), x64("mkdir", "path", "/d")},
		[]observation.Call{x64("newfstatat", "path", "/f"), x64("openat", "path", "/f", "flags", "O_RDONLY")}},
	{"class exec", "{class: exec}",
		[]observation.Call{x64("execve", "path", "/bin/ls"), call("/x", "i386", "execveat", "path", "/bin/ls")},
		[]observation.Call{x64("clone")}},
	{"class exec-fileless", "{class: exec-fileless}",
		[]observation.Call{x64("execveat", "path", "/memfd:x (deleted)", "flags", "AT_EMPTY_PATH"), x64("execve", "path", "/proc/self/fd/3"), x64("execve", "path", "/tmp/x (deleted)")},
		[]observation.Call{x64("execve", "path", "/bin/ls"), x64("memfd_create", "name", "x")}},
	{"class connect", "{class: connect}",
		[]observation.Call{x64("connect", "addr", "10.0.0.1:80"), x64("sendto", "addr", "10.0.0.1:53"), call("/x", "i386", "socketcall", "op", "connect", "addr", "10.0.0.1:80"), call("/x", "i386", "socketcall", "op", "sendmsg", "addr", "1.1.1.1:53")},
		[]observation.Call{x64("sendto"), call("/x", "i386", "socketcall", "op", "sendto"), x64("bind", "addr", "0.0.0.0:80")}},
	{"class namespace", "{class: namespace}",
		[]observation.Call{x64("unshare", "flags", "CLONE_NEWUSER|CLONE_NEWNS"), x64("setns", "ns", "net:"), x64("clone", "flags", "CLONE_NEWPID|CLONE_VM", "signal", "SIGCHLD"), x64("clone3", "unreadable", "flags: EFAULT")},
		[]observation.Call{x64("clone", "flags", "CLONE_VM|CLONE_THREAD"), x64("unshare", "flags", "CLONE_FS")}},
	{"class setid across ABIs", "{class: setid}",
		[]observation.Call{x64("setuid", "uid", "0"), call("/x", "i386", "setuid32", "uid", "0"), x64("setgroups", "count", "0")},
		[]observation.Call{x64("getuid")}},
	{"class negated", `{syscall: [openat, execve], class: ["!open-write"]}`,
		[]observation.Call{x64("openat", "path", "/f", "flags", "O_RDONLY"), x64("execve", "path", "/bin/ls")},
		[]observation.Call{x64("openat", "path", "/f", "flags", "O_WRONLY")}},
	{"abi", "{abi: [i386, x32]}",
		[]observation.Call{call("/x", "i386", "read"), call("/x", "x32", "read")},
		[]observation.Call{x64("read")}},
	{"abi compat", "{abi: compat}",
		[]observation.Call{call("/usr/bin/app", "i386", "getpid")}, // app also calls through x86_64 in this observation
		[]observation.Call{call("/usr/bin/i386only", "i386", "getpid"), x64("getpid")}},
	{"exe glob", `{exe: ["/usr/bin/*", "!/usr/bin/ok"]}`,
		[]observation.Call{x64("read")},
		[]observation.Call{call("/usr/bin/ok", "x86_64", "read"), call("/bin/sh", "x86_64", "read")}},
	{"path glob with negation", `{path: ["/etc/**", "!/etc/hostname"]}`,
		[]observation.Call{x64("openat", "path", "/etc/passwd", "flags", "O_RDONLY"), x64("renameat", "path", "/tmp/a", "path2", "/etc/b"), x64("openat", "path", "/proc/self/fd/3", "flags", "O_RDONLY", "resolved", "/etc/shadow")},
		[]observation.Call{x64("openat", "path", "/etc/hostname", "flags", "O_RDONLY"), x64("read"), x64("openat", "path", "/tmp/x", "resolved", "pipe:")}},
	{"path of mount target", "{path: /proc/**}",
		[]observation.Call{x64("mount", "source", "proc", "target", "/proc/sys", "fstype", "proc")},
		[]observation.Call{x64("symlink", "path", "/tmp/l", "target", "/proc/x")}},
	{"path negated only", `{class: file-write, path: ["!/tmp/**"]}`,
		[]observation.Call{x64("unlink", "path", "/var/x")},
		[]observation.Call{x64("unlink", "path", "/tmp/x"), x64("unlink", "unreadable", "path: EFAULT")}},
	{"exec program", "{exec: [sh, bash]}",
		[]observation.Call{x64("execve", "path", "/bin/sh", "argv", "[sh -c x]"), x64("execveat", "path", "/usr/bin/bash")},
		[]observation.Call{x64("execve", "path", "/bin/ls"), x64("openat", "path", "/bin/sh", "flags", "O_RDONLY")}},
	{"argv", `{argv: ["sh -c *"]}`,
		[]observation.Call{x64("execve", "path", "/bin/sh", "argv", "[sh -c curl x]")},
		[]observation.Call{x64("execve", "path", "/bin/sh", "argv", "[sh script.sh]"), x64("execve", "path", "/bin/sh")}},
	{"family", "{family: [AF_INET, AF_INET6]}",
		[]observation.Call{x64("socket", "family", "AF_INET", "type", "SOCK_STREAM"), x64("connect", "addr", "[::1]:80"), x64("connect", "addr", "1.2.3.4:80")},
		[]observation.Call{x64("socket", "family", "AF_UNIX", "type", "SOCK_STREAM"), x64("connect", "addr", "/run/x.sock"), x64("read")}},
	{"addr CIDR and port", `{addr: ["10.0.0.0/8:443"]}`,
		[]observation.Call{x64("connect", "addr", "10.2.3.4:443")},
		[]observation.Call{x64("connect", "addr", "10.2.3.4:80"), x64("connect", "addr", "11.0.0.1:443"), x64("connect")}},
	{"addr negated", `{class: connect, addr: ["!loopback"]}`,
		[]observation.Call{x64("connect", "addr", "8.8.8.8:53"), x64("connect", "addr", "/run/x.sock")},
		[]observation.Call{x64("connect", "addr", "127.0.0.1:80"), x64("connect", "addr", "[::1]:80"), x64("connect", "unreadable", "addr: EFAULT")}},
	{"addr unix path and abstract", `{addr: ["/run/**/*.sock", "@dbus*"]}`,
		[]observation.Call{x64("connect", "addr", "/run/docker.sock"), x64("connect", "addr", "@dbus-x")},
		[]observation.Call{x64("connect", "addr", "/tmp/x.sock"), x64("connect", "addr", "@other")}},
	{"port", `{port: ["1-1023", "!80"]}`,
		[]observation.Call{x64("bind", "addr", "0.0.0.0:22"), x64("connect", "addr", "[::1]:443")},
		[]observation.Call{x64("bind", "addr", "0.0.0.0:80"), x64("bind", "addr", "0.0.0.0:8080"), x64("bind", "addr", "/run/x")}},
	{"flags any of", "{syscall: [clone, clone3], flags: [CLONE_UNTRACED, CLONE_NEWUSER]}",
		[]observation.Call{x64("clone", "flags", "CLONE_VM|CLONE_UNTRACED"), x64("clone3", "flags", "CLONE_NEWUSER")},
		[]observation.Call{x64("clone", "flags", "CLONE_VM|CLONE_THREAD"), x64("clone")}},
	{"flags with negation", `{syscall: openat, flags: [O_CREAT, "!O_EXCL"]}`,
		[]observation.Call{x64("openat", "path", "/f", "flags", "O_WRONLY|O_CREAT")},
		[]observation.Call{x64("openat", "path", "/f", "flags", "O_WRONLY|O_CREAT|O_EXCL"), x64("openat", "path", "/f", "flags", "O_RDONLY")}},
	{"flags of persona and socket type", "{flags: [READ_IMPLIES_EXEC, SOCK_RAW]}",
		[]observation.Call{x64("personality", "persona", "PER_LINUX|READ_IMPLIES_EXEC"), x64("socket", "family", "AF_INET", "type", "SOCK_RAW", "protocol", "IPPROTO_ICMP")},
		[]observation.Call{x64("personality", "persona", "PER_LINUX"), x64("socket", "family", "AF_INET", "type", "SOCK_STREAM")}},
	{"op of multiplexed calls", "{op: [PTRACE_ATTACH, KEYCTL_JOIN_SESSION_KEYRING, PR_SET_SECCOMP, BPF_PROG_LOAD]}",
		[]observation.Call{x64("ptrace", "request", "PTRACE_ATTACH", "pid", "1"), x64("keyctl", "op", "KEYCTL_JOIN_SESSION_KEYRING"), x64("prctl", "option", "PR_SET_SECCOMP"), x64("bpf", "cmd", "BPF_PROG_LOAD")},
		[]observation.Call{x64("ptrace", "request", "PTRACE_TRACEME"), x64("prctl", "option", "PR_SET_NAME"), x64("read")}},
	{"alternatives", "[{syscall: mount}, {exec: sh}]",
		[]observation.Call{x64("mount", "target", "/m"), x64("execve", "path", "/bin/sh")},
		[]observation.Call{x64("execve", "path", "/bin/ls")}},
	{"conditions together", "{class: open-write, exe: /usr/bin/app, path: /etc/**}",
		[]observation.Call{x64("openat", "path", "/etc/x", "flags", "O_WRONLY")},
		[]observation.Call{x64("openat", "path", "/etc/x", "flags", "O_RDONLY"), call("/bin/other", "x86_64", "openat", "path", "/etc/x", "flags", "O_WRONLY"), x64("openat", "path", "/var/x", "flags", "O_WRONLY")}},
}

func TestConditions(t *testing.T) {
	for _, tt := range conditionTests {
		t.Run(tt.name, func(t *testing.T) {
			pol := mustParse(t, header+"rules:\n  - id: R\n    description: d\n    severity: high\n    match: "+tt.match+"\n")
			for i, c := range tt.yes {
				if n := countRule(t, pol, c, "R"); n != 1 {
					t.Errorf("yes[%d] %s: %d findings of R, want 1", i, describeCall(&c), n)
				}
			}
			for i, c := range tt.no {
				if n := countRule(t, pol, c, "R"); n != 0 {
					t.Errorf("no[%d] %s: %d findings of R, want 0", i, describeCall(&c), n)
				}
			}
		})
	}
}

// countRule evaluates one call (with an x86_64 call of /usr/bin/app beside
// it, so that app counts as a 64-bit program) and counts the rule's findings
// on it.
func countRule(t *testing.T, pol *Policy, c observation.Call, id string) int {
	t.Helper()
	bg := x64("getppid")
	fs, err := Evaluate(obsOf(c, bg), pol)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range fs {
		if f.RuleID == id && f.Evidence.Syscall == c.Name && fmt.Sprint(f.Evidence.Args) == fmt.Sprint(c.Args) {
			n++
		}
	}
	return n
}

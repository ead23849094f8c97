package policy

import (
	"sort"
	"strings"
)

// class is a semantic class of calls: every syscall, on every ABI, that does
// one kind of thing, with a test on the arguments where the name alone does
// not tell ("open for writing" is open, openat, openat2 and
// open_by_handle_at with write flags, and creat).
type class struct {
	name, desc string
	calls      map[string]func(*callView) bool // nil: every call of that name
}

// has reports whether the call belongs to the class.
func (c *class) has(v *callView) bool {
	test, ok := c.calls[v.name]
	return ok && (test == nil || test(v))
}

// names are the syscalls the class can hold.
func (c *class) names() []string {
	out := make([]string, 0, len(c.calls))
	for n := range c.calls {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func callsOf(test func(*callView) bool, names ...string) map[string]func(*callView) bool {
	m := make(map[string]func(*callView) bool, len(names))
	for _, n := range names {
		m[n] = test
	}
	return m
}

func merge(ms ...map[string]func(*callView) bool) map[string]func(*callView) bool {
	out := map[string]func(*callView) bool{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

var (
	openCalls   = []string{"open", "openat", "openat2", "open_by_handle_at", "creat"}
	modifyCalls = []string{"truncate", "truncate64", "unlink", "unlinkat", "rmdir",
		"rename", "renameat", "renameat2", "link", "linkat", "symlink", "symlinkat",
		"mkdir", "mkdirat", "mknod", "mknodat", "chmod", "fchmodat", "fchmodat2",
		"chown", "chown32", "lchown", "lchown32", "fchownat"}
	setidCalls = []string{"setuid", "setuid32", "setgid", "setgid32", "setreuid",
		"setreuid32", "setregid", "setregid32", "setresuid", "setresuid32",
		"setresgid", "setresgid32", "setfsuid", "setfsuid32", "setfsgid",
		"setfsgid32", "setgroups", "setgroups32"}
	mountCalls = []string{"mount", "umount", "umount2", "pivot_root", "move_mount",
		"fsopen", "fsmount", "fsconfig", "fspick", "open_tree", "open_tree_attr", "mount_setattr"}
)

// writeFlags make an open write to (or create, or truncate) its file.
var writeFlags = []string{"O_WRONLY", "O_RDWR", "O_CREAT", "O_TRUNC", "O_TMPFILE", "__O_TMPFILE"}

// opensForWrite: creat always; the others by their flags. Flags that could
// not be read count as writing: a class never fails open.
func opensForWrite(v *callView) bool {
	if v.name == "creat" {
		return true
	}
	if _, ok := v.arg("flags"); !ok {
		return v.unreadable("flags")
	}
	for _, f := range writeFlags {
		if v.hasFlag(f) {
			return true
		}
	}
	return false
}

// nsFlags create namespaces.
var nsFlags = []string{"CLONE_NEWNS", "CLONE_NEWCGROUP", "CLONE_NEWUTS", "CLONE_NEWIPC",
	"CLONE_NEWUSER", "CLONE_NEWPID", "CLONE_NEWNET", "CLONE_NEWTIME"}

func createsNamespace(v *callView) bool {
	if v.unreadable("flags") {
		return true
	}
	for _, f := range nsFlags {
		if v.hasFlag(f) {
			return true
		}
	}
	return false
}

// socketcallOp tests i386's multiplexed socketcall on its operation; with
// needAddr, only when it carries an address (a send to a connected socket
// has none).
func socketcallOp(needAddr bool, ops ...string) func(*callView) bool {
	return func(v *callView) bool {
		op, _ := v.arg("op")
		if !containsStr(ops, op) {
			return false
		}
		return !needAddr || op == "connect" || hasAddr(v)
	}
}

func hasAddr(v *callView) bool {
	_, ok := v.arg("addr")
	return ok || v.unreadable("addr")
}

// filelessPath is a program that lives in memory or is gone from disk.
func filelessPath(v *callView) bool {
	p, ok := v.arg("path")
	if !ok {
		return v.unreadable("path")
	}
	return strings.HasPrefix(p, "/memfd:") || strings.HasSuffix(p, " (deleted)") ||
		procFdGlob.match(p) || strings.HasPrefix(p, "/dev/fd/")
}

var procFdGlob, _ = compilePathGlob("/proc/*/fd/*")

var (
	classOpen      = &class{"open", "Opening a file, for any access (open, openat, openat2, open_by_handle_at, creat)", callsOf(nil, openCalls...)}
	classOpenWrite = &class{"open-write", "Opening a file for writing, creating or truncating it (O_WRONLY, O_RDWR, O_CREAT, O_TRUNC, O_TMPFILE; creat)", callsOf(opensForWrite, openCalls...)}
	classExec      = &class{"exec", "Executing a program (execve, execveat)", callsOf(nil, "execve", "execveat")}
	classes        = []*class{
		classOpen,
		classOpenWrite,
		{"file-write", "Changing the file system at a path: open-write, and truncate, unlink, rmdir, rename, link, symlink, mkdir, mknod, chmod, chown in all their forms",
			merge(callsOf(opensForWrite, openCalls...), callsOf(nil, modifyCalls...))},
		{"file-delete", "Removing a file or directory (unlink, unlinkat, rmdir)", callsOf(nil, "unlink", "unlinkat", "rmdir")},
		classExec,
		{"exec-fileless", "Executing a program from memory or a deleted file (a memfd, /proc/PID/fd/N, /dev/fd/N, \"(deleted)\")", callsOf(filelessPath, "execve", "execveat")},
		{"memfd", "Creating an anonymous memory file (memfd_create, memfd_secret)", callsOf(nil, "memfd_create", "memfd_secret")},
		{"connect", "Connecting or sending to an address (connect; sendto, sendmsg, sendmmsg with an address; i386 socketcall of those)",
			merge(callsOf(nil, "connect"), callsOf(hasAddr, "sendto", "sendmsg", "sendmmsg"),
				callsOf(socketcallOp(true, "connect", "sendto", "sendmsg", "sendmmsg"), "socketcall"))},
		{"bind", "Binding a socket to an address (bind; i386 socketcall bind)",
			merge(callsOf(nil, "bind"), callsOf(socketcallOp(false, "bind"), "socketcall"))},
		{"socket", "Creating a socket (socket, socketpair; i386 socketcall of those)",
			merge(callsOf(nil, "socket", "socketpair"), callsOf(socketcallOp(false, "socket", "socketpair"), "socketcall"))},
		{"mount", "Changing mounts or the root (mount, umount, umount2, pivot_root and the new mount API)", callsOf(nil, mountCalls...)},
		{"namespace", "Creating or joining a namespace (setns; unshare, clone, clone3 with CLONE_NEW* flags)",
			merge(callsOf(nil, "setns"), callsOf(createsNamespace, "unshare", "clone", "clone3"))},
		{"setid", "Changing user or group ids (setuid, setresuid, setgroups... and their 32-bit forms)", callsOf(nil, setidCalls...)},
	}
)

// Class describes a semantic class for `sysgate policy classes`.
type Class struct {
	Name, Description string
	Syscalls          []string
}

// Classes lists the semantic classes, in a fixed order.
func Classes() []Class {
	out := make([]Class, len(classes))
	for i, c := range classes {
		out[i] = Class{Name: c.name, Description: c.desc, Syscalls: c.names()}
	}
	return out
}

func classByName(name string) *class {
	for _, c := range classes {
		if c.name == name {
			return c
		}
	}
	return nil
}

func classNames() []string {
	out := make([]string, len(classes))
	for i, c := range classes {
		out[i] = c.name
	}
	return out
}

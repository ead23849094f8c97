package decode

import (
	"reflect"
	"strings"
	"testing"

	"github.com/sysgate/sysgate/observation"
	"github.com/sysgate/sysgate/tracer/systab"
)

const (
	pathA   = 0x10000
	pathB   = 0x20000
	structA = 0x30000
)

func TestOpen(t *testing.T) {
	long3000 := "/" + strings.Repeat("a", 2999)
	long5000 := "/" + strings.Repeat("b", 4999)
	runCases(t, []decodeCase{{
		name: "openat AT_FDCWD sign-extended, relative",
		call: "openat", args: [6]uint64{atCWD, pathA, 0x80000},
		mem:  newMem().str(pathA, "etc/../etc/passwd"),
		want: kv("path", "/home/u/etc/passwd", "flags", "O_RDONLY|O_CLOEXEC"),
	}, {
		name: "openat AT_FDCWD zero-extended",
		call: "openat", args: [6]uint64{0xffffff9c, pathA, 0},
		mem:  newMem().str(pathA, "f"),
		want: kv("path", "/home/u/f", "flags", "O_RDONLY"),
	}, {
		name: "openat AT_FDCWD high garbage",
		call: "openat", args: [6]uint64{0x12345678ffffff9c, pathA, 0},
		mem:  newMem().str(pathA, "f"),
		want: kv("path", "/home/u/f", "flags", "O_RDONLY"),
	}, {
		name: "openat through a dirfd, creating",
		call: "openat", args: [6]uint64{3, pathA, 0x241, 0o100644},
		mem:  newMem().str(pathA, "data/x"),
		want: kv("path", "/srv/data/x", "flags", "O_WRONLY|O_CREAT|O_TRUNC", "mode", "0644"),
	}, {
		name: "openat unresolvable dirfd",
		call: "openat", args: [6]uint64{9, pathA, 2},
		mem:  newMem().str(pathA, "rel/x"),
		want: kv("path", "rel/x", "dirfd", "9", "flags", "O_RDWR"),
	}, {
		name: "openat dirfd that is no directory path",
		call: "openat", args: [6]uint64{5, pathA, 0},
		mem:  newMem().str(pathA, "x"),
		want: kv("path", "x", "dirfd", "5", "flags", "O_RDONLY"),
	}, {
		name: "open without cwd",
		call: "open", args: [6]uint64{pathA, 0},
		mem:  newMem().str(pathA, "x"),
		proc: &fakeProc{},
		want: kv("path", "x", "dirfd", "-100", "flags", "O_RDONLY"),
	}, {
		name: "open absolute is cleaned",
		call: "open", args: [6]uint64{pathA, 0},
		mem:  newMem().str(pathA, "//etc/./ssl/"),
		want: kv("path", "/etc/ssl", "flags", "O_RDONLY"),
	}, {
		name: "open 3000-byte path",
		call: "open", args: [6]uint64{pathA, 0},
		mem:  newMem().str(pathA, long3000),
		want: kv("path", long3000, "flags", "O_RDONLY"),
	}, {
		name: "open 5000-byte path",
		call: "open", args: [6]uint64{pathA, 0},
		mem:  newMem().str(pathA, long5000),
		want: kv("path", long5000[:4096], "flags", "O_RDONLY", "truncated", "path"),
	}, {
		name: "open path running into an unmapped page",
		call: "open", args: [6]uint64{2*page - 3, 0},
		mem:  newMem().put(2*page-3, []byte("/ab")),
		want: kv("path", "/ab", "flags", "O_RDONLY", "truncated", "path"),
	}, {
		name: "open NULL",
		call: "open", args: [6]uint64{0, 0},
		want: kv("flags", "O_RDONLY", "unreadable", "path: NULL"),
	}, {
		name: "open EFAULT",
		call: "open", args: [6]uint64{badAddr + 8, 0x40, 0o600},
		want: kv("flags", "O_RDONLY|O_CREAT", "mode", "0600", "unreadable", "path: EFAULT"),
	}, {
		name: "open on i386 ignores high register halves",
		call: "open", abi: systab.I386, args: [6]uint64{0xffffffff00000000 | pathA, 0x8000},
		mem:  newMem().str(pathA, "/x"),
		want: kv("path", "/x", "flags", "O_RDONLY|O_LARGEFILE"),
	}, {
		name: "creat",
		call: "creat", args: [6]uint64{pathA, 0o755},
		mem:  newMem().str(pathA, "/tmp/x"),
		want: kv("path", "/tmp/x", "mode", "0755"),
	}})
}

func TestOpenFlagsByABI(t *testing.T) {
	cases := []struct {
		abi  systab.ABI
		v    uint64
		want string
	}{
		{systab.X86_64, 0x10000, "O_RDONLY|O_DIRECTORY"},
		{systab.ARM, 0x4000, "O_RDONLY|O_DIRECTORY"},
		{systab.AArch64, 0x4000, "O_RDONLY|O_DIRECTORY"},
		{systab.X86_64, 0x4000, "O_RDONLY|O_DIRECT"},
		{systab.ARM, 0x10000, "O_RDONLY|O_DIRECT"},
		{systab.I386, 0x20000, "O_RDONLY|O_NOFOLLOW"},
		{systab.AArch64, 0x8000, "O_RDONLY|O_NOFOLLOW"},
		{systab.ARM, 0x20000, "O_RDONLY|O_LARGEFILE"},
		{systab.X32, 0x8000, "O_RDONLY|O_LARGEFILE"},
		{systab.X86_64, 0x410002, "O_RDWR|O_TMPFILE"},
		{systab.ARM, 0x404002, "O_RDWR|O_TMPFILE"},
		{systab.X86_64, 0x101001, "O_WRONLY|O_SYNC"},
		{systab.X86_64, 0x1401, "O_WRONLY|O_APPEND|O_DSYNC"},
		{systab.X86_64, 0x200000 | 0x80000, "O_RDONLY|O_CLOEXEC|O_PATH"},
		{systab.X86_64, 0x40000 | 0x800 | 0x80 | 3, "O_ACCMODE|O_EXCL|O_NONBLOCK|O_NOATIME"},
		{systab.X86_64, 0x40000000, "O_RDONLY|0x40000000"},
	}
	for _, c := range cases {
		if got := openFlags(c.abi, c.v); got != c.want {
			t.Errorf("openFlags(%s, %#x) = %q, want %q", c.abi, c.v, got, c.want)
		}
	}
	// Through the decoder: O_DIRECTORY differs between arm and x86.
	m := newMem().str(pathA, "/d")
	arm := ByName("openat").Entry(&Call{ABI: systab.ARM, Args: [6]uint64{atCWD, pathA, 0x4000}}, m, stdProc())
	x86 := ByName("openat").Entry(&Call{ABI: systab.X86_64, Args: [6]uint64{atCWD, pathA, 0x4000}}, m, stdProc())
	if want := kv("path", "/d", "flags", "O_RDONLY|O_DIRECTORY"); !reflect.DeepEqual(arm, want) {
		t.Errorf("arm openat 0x4000 = %q, want %q", arm, want)
	}
	if want := kv("path", "/d", "flags", "O_RDONLY|O_DIRECT"); !reflect.DeepEqual(x86, want) {
		t.Errorf("x86_64 openat 0x4000 = %q, want %q", x86, want)
	}
}

func TestOpenat2(t *testing.T) {
	how := func(fl, mode, resolve uint64) []byte {
		b := make([]byte, 0, 24)
		for _, v := range []uint64{fl, mode, resolve} {
			b = append(b, le64(v)...)
		}
		return b
	}
	runCases(t, []decodeCase{{
		name: "openat2 with resolve",
		call: "openat2", args: [6]uint64{3, pathA, structA, 24},
		mem: newMem().str(pathA, "x").put(structA, how(0x20000|0x80000|0x40000000, 0, 0x08|0x04)),
		want: kv("path", "/srv/x", "flags", "O_RDONLY|O_NOFOLLOW|O_CLOEXEC|0x40000000",
			"resolve", "RESOLVE_NO_SYMLINKS|RESOLVE_BENEATH"),
	}, {
		name: "openat2 creating, no resolve",
		call: "openat2", args: [6]uint64{atCWD, pathA, structA, 24},
		mem:  newMem().str(pathA, "/x").put(structA, how(0xc1, 0o640, 0)),
		want: kv("path", "/x", "flags", "O_WRONLY|O_CREAT|O_EXCL", "mode", "0640"),
	}, {
		name: "openat2 how unreadable",
		call: "openat2", args: [6]uint64{atCWD, pathA, badAddr, 24},
		mem:  newMem().str(pathA, "/x"),
		want: kv("path", "/x", "unreadable", "flags: EFAULT"),
	}})
}

func le64(v uint64) []byte {
	b := make([]byte, 8)
	for i := range b {
		b[i] = byte(v >> (8 * i))
	}
	return b
}

func le32(v uint32) []byte {
	return []byte{byte(v), byte(v >> 8), byte(v >> 16), byte(v >> 24)}
}

func TestOpenExit(t *testing.T) {
	s := ByName("openat")
	p := stdProc()
	c := &Call{ABI: systab.X86_64}
	entry := kv("path", "/proc/self/fd/7", "flags", "O_RDONLY")
	got := s.Exit(c, 7, append(observation.Args(nil), entry...), p)
	want := kv("path", "/proc/self/fd/7", "flags", "O_RDONLY", "resolved", "/lib/modules/m.ko")
	if !reflect.DeepEqual(got, want) {
		t.Errorf("exit with a different target = %q, want %q", got, want)
	}
	same := kv("path", "/srv", "flags", "O_RDONLY")
	if got := s.Exit(c, 3, same, p); !reflect.DeepEqual(got, same) {
		t.Errorf("exit with the same target = %q", got)
	}
	if got := s.Exit(c, -2, entry, p); !reflect.DeepEqual(got, entry) {
		t.Errorf("exit with ENOENT = %q", got)
	}
	if got := s.Exit(c, 99, entry, p); !reflect.DeepEqual(got, entry) {
		t.Errorf("exit with an unknown fd = %q", got)
	}
	trunc := kv("path", "/proc/self/fd/7", "flags", "O_RDONLY", "truncated", "path")
	got = s.Exit(c, 7, trunc, p)
	want = kv("path", "/proc/self/fd/7", "flags", "O_RDONLY", "resolved", "/lib/modules/m.ko", "truncated", "path")
	if !reflect.DeepEqual(got, want) {
		t.Errorf("exit with notes = %q, want %q", got, want)
	}
	h := ByName("open_by_handle_at")
	got = h.Exit(c, 5, kv("flags", "O_RDONLY"), p)
	if want := kv("flags", "O_RDONLY", "resolved", "pipe:"); !reflect.DeepEqual(got, want) {
		t.Errorf("open_by_handle_at exit = %q, want %q", got, want)
	}
}

func TestFileCalls(t *testing.T) {
	runCases(t, []decodeCase{{
		name: "stat relative",
		call: "stat", args: [6]uint64{pathA, structA},
		mem:  newMem().str(pathA, "a/b"),
		want: kv("path", "/home/u/a/b"),
	}, {
		name: "newfstatat nofollow",
		call: "newfstatat", args: [6]uint64{3, pathA, structA, 0x100},
		mem:  newMem().str(pathA, "x"),
		want: kv("path", "/srv/x", "flags", "AT_SYMLINK_NOFOLLOW"),
	}, {
		name: "fstatat64 AT_EMPTY_PATH on a pipe",
		call: "fstatat64", abi: systab.I386, args: [6]uint64{5, pathA, structA, 0x1000},
		mem:  newMem().str(pathA, ""),
		want: kv("path", "pipe:", "flags", "AT_EMPTY_PATH"),
	}, {
		name: "statx AT_EMPTY_PATH with NULL path",
		call: "statx", args: [6]uint64{3, 0, 0x1000, 0x7ff, structA},
		want: kv("path", "/srv", "flags", "AT_EMPTY_PATH"),
	}, {
		name: "statx empty path without AT_EMPTY_PATH",
		call: "statx", args: [6]uint64{3, pathA, 0, 0x7ff, structA},
		mem:  newMem().str(pathA, ""),
		want: kv("path", ""),
	}, {
		name: "access F_OK",
		call: "access", args: [6]uint64{pathA, 0},
		mem:  newMem().str(pathA, "/etc/shadow"),
		want: kv("path", "/etc/shadow", "mode", "F_OK"),
	}, {
		name: "faccessat ignores arg 3",
		call: "faccessat", args: [6]uint64{atCWD, pathA, 6, 0x200},
		mem:  newMem().str(pathA, "/x"),
		want: kv("path", "/x", "mode", "R_OK|W_OK"),
	}, {
		name: "faccessat2 AT_EACCESS",
		call: "faccessat2", args: [6]uint64{atCWD, pathA, 1, 0x200},
		mem:  newMem().str(pathA, "/x"),
		want: kv("path", "/x", "mode", "X_OK", "flags", "AT_EACCESS"),
	}, {
		name: "readlinkat",
		call: "readlinkat", args: [6]uint64{3, pathA, structA, 100},
		mem:  newMem().str(pathA, "l"),
		want: kv("path", "/srv/l"),
	}, {
		name: "unlinkat AT_REMOVEDIR",
		call: "unlinkat", args: [6]uint64{atCWD, pathA, 0x200},
		mem:  newMem().str(pathA, "d"),
		want: kv("path", "/home/u/d", "flags", "AT_REMOVEDIR"),
	}, {
		name: "rename",
		call: "rename", args: [6]uint64{pathA, pathB},
		mem:  newMem().str(pathA, "a").str(pathB, "/b"),
		want: kv("path", "/home/u/a", "path2", "/b"),
	}, {
		name: "renameat2 with dirfds",
		call: "renameat2", args: [6]uint64{3, pathA, 9, pathB, 1},
		mem:  newMem().str(pathA, "a").str(pathB, "b"),
		want: kv("path", "/srv/a", "path2", "b", "dirfd2", "9", "flags", "RENAME_NOREPLACE"),
	}, {
		name: "renameat ignores arg 4",
		call: "renameat", args: [6]uint64{3, pathA, 3, pathB, 1},
		mem:  newMem().str(pathA, "a").str(pathB, "b"),
		want: kv("path", "/srv/a", "path2", "/srv/b"),
	}, {
		name: "link",
		call: "link", args: [6]uint64{pathA, pathB},
		mem:  newMem().str(pathA, "/etc/passwd").str(pathB, "p"),
		want: kv("path", "/etc/passwd", "path2", "/home/u/p"),
	}, {
		name: "linkat AT_EMPTY_PATH",
		call: "linkat", args: [6]uint64{4, pathA, atCWD, pathB, 0x1000},
		mem:  newMem().str(pathA, "").str(pathB, "/tmp/m"),
		want: kv("path", "/memfd:x (deleted)", "path2", "/tmp/m", "flags", "AT_EMPTY_PATH"),
	}, {
		name: "symlink keeps its target as written",
		call: "symlink", args: [6]uint64{pathA, pathB},
		mem:  newMem().str(pathA, "../etc/shadow").str(pathB, "l"),
		want: kv("path", "/home/u/l", "target", "../etc/shadow"),
	}, {
		name: "symlinkat",
		call: "symlinkat", args: [6]uint64{pathA, 3, pathB},
		mem:  newMem().str(pathA, "/etc").str(pathB, "l"),
		want: kv("path", "/srv/l", "target", "/etc"),
	}, {
		name: "mkdir",
		call: "mkdir", args: [6]uint64{pathA, 0o1777},
		mem:  newMem().str(pathA, "/tmp/d"),
		want: kv("path", "/tmp/d", "mode", "1777"),
	}, {
		name: "fchmodat setuid",
		call: "fchmodat", args: [6]uint64{atCWD, pathA, 0o4755},
		mem:  newMem().str(pathA, "bin"),
		want: kv("path", "/home/u/bin", "mode", "4755"),
	}, {
		name: "fchmodat2 nofollow",
		call: "fchmodat2", args: [6]uint64{atCWD, pathA, 0o644, 0x100},
		mem:  newMem().str(pathA, "/f"),
		want: kv("path", "/f", "mode", "0644", "flags", "AT_SYMLINK_NOFOLLOW"),
	}, {
		name: "chown on i386 has 16-bit ids",
		call: "chown", abi: systab.I386, args: [6]uint64{pathA, 0xffff, 100},
		mem:  newMem().str(pathA, "/f"),
		want: kv("path", "/f", "uid", "-1", "gid", "100"),
	}, {
		name: "chown32 on i386",
		call: "chown32", abi: systab.I386, args: [6]uint64{pathA, 0xffffffff, 0xffff},
		mem:  newMem().str(pathA, "/f"),
		want: kv("path", "/f", "uid", "-1", "gid", "65535"),
	}, {
		name: "chown on x86_64 has 32-bit ids",
		call: "chown", args: [6]uint64{pathA, 0xffff, 0},
		mem:  newMem().str(pathA, "/f"),
		want: kv("path", "/f", "uid", "65535", "gid", "0"),
	}, {
		name: "fchownat",
		call: "fchownat", args: [6]uint64{atCWD, pathA, 0, 0xffffffff, 0x100},
		mem:  newMem().str(pathA, "/f"),
		want: kv("path", "/f", "uid", "0", "gid", "-1", "flags", "AT_SYMLINK_NOFOLLOW"),
	}, {
		name: "mknod char device",
		call: "mknod", args: [6]uint64{pathA, 0o20666, 0x103},
		mem:  newMem().str(pathA, "/dev/null2"),
		want: kv("path", "/dev/null2", "mode", "S_IFCHR|0666", "dev", "1:3"),
	}, {
		name: "mknodat fifo",
		call: "mknodat", args: [6]uint64{3, pathA, 0o10600, 0},
		mem:  newMem().str(pathA, "f"),
		want: kv("path", "/srv/f", "mode", "S_IFIFO|0600"),
	}, {
		name: "mknodat block device, big minor",
		call: "mknodat", args: [6]uint64{atCWD, pathA, 0o60600, 0x12300845}, // new_encode_dev(8, 0x12345)
		mem:  newMem().str(pathA, "/b"),
		want: kv("path", "/b", "mode", "S_IFBLK|0600", "dev", "8:74565"),
	}, {
		name: "truncate64",
		call: "truncate64", abi: systab.I386, args: [6]uint64{pathA, 0, 0},
		mem:  newMem().str(pathA, "/var/log/x"),
		want: kv("path", "/var/log/x"),
	}, {
		name: "chroot",
		call: "chroot", args: [6]uint64{pathA},
		mem:  newMem().str(pathA, "."),
		want: kv("path", "/home/u"),
	}})
}

func TestMount(t *testing.T) {
	runCases(t, []decodeCase{{
		name: "bind mount with MS_MGC_VAL",
		call: "mount", args: [6]uint64{pathA, pathB, 0, 0xc0ed0000 | 0x1000 | 0x4000, 0},
		mem:  newMem().str(pathA, "data").str(pathB, "/mnt"),
		want: kv("source", "/home/u/data", "target", "/mnt", "flags", "MS_BIND|MS_REC"),
	}, {
		name: "proc mount",
		call: "mount", args: [6]uint64{pathA, pathB, structA, 0xe, 0},
		mem: newMem().str(pathA, "proc").str(pathB, "/proc").str(structA, "proc"),
		want: kv("source", "proc", "target", "/proc", "fstype", "proc",
			"flags", "MS_NOSUID|MS_NODEV|MS_NOEXEC"),
	}, {
		name: "propagation change",
		call: "mount", args: [6]uint64{0, pathB, 0, 1<<14 | 1<<18},
		mem:  newMem().str(pathB, "/"),
		want: kv("target", "/", "flags", "MS_REC|MS_PRIVATE"),
	}, {
		name: "mount target unreadable",
		call: "mount", args: [6]uint64{pathA, badAddr, badAddr, 0},
		mem:  newMem().str(pathA, "tmpfs"),
		want: kv("source", "tmpfs", "unreadable", "target: EFAULT, fstype: EFAULT"),
	}, {
		name: "umount2",
		call: "umount2", args: [6]uint64{pathA, 2},
		mem:  newMem().str(pathA, "/mnt"),
		want: kv("target", "/mnt", "flags", "MNT_DETACH"),
	}, {
		name: "umount ignores arg 1",
		call: "umount", abi: systab.I386, args: [6]uint64{pathA, 2},
		mem:  newMem().str(pathA, "/mnt"),
		want: kv("target", "/mnt"),
	}, {
		name: "pivot_root",
		call: "pivot_root", args: [6]uint64{pathA, pathB},
		mem:  newMem().str(pathA, ".").str(pathB, "old"),
		want: kv("new_root", "/home/u", "put_old", "/home/u/old"),
	}, {
		name: "fsopen",
		call: "fsopen", args: [6]uint64{pathA, 1},
		mem:  newMem().str(pathA, "overlay"),
		want: kv("fstype", "overlay", "flags", "FSOPEN_CLOEXEC"),
	}, {
		name: "open_tree clone",
		call: "open_tree", args: [6]uint64{atCWD, pathA, 1 | 0x8000 | 0x80000},
		mem:  newMem().str(pathA, "/src"),
		want: kv("path", "/src", "flags", "OPEN_TREE_CLONE|OPEN_TREE_CLOEXEC|AT_RECURSIVE"),
	}, {
		name: "move_mount from an empty path",
		call: "move_mount", args: [6]uint64{3, pathA, atCWD, pathB, 0x4},
		mem:  newMem().str(pathA, "").str(pathB, "/mnt"),
		want: kv("path", "/srv", "path2", "/mnt", "flags", "MOVE_MOUNT_F_EMPTY_PATH"),
	}})
}

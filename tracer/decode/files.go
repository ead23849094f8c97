package decode

import (
	"strconv"

	"github.com/sysgate/sysgate/observation"
	"github.com/sysgate/sysgate/tracer/systab"
)

func init() {
	register(File, openEntry, openExit, "open")
	register(File, openatEntry, openExit, "openat")
	register(File, openat2Entry, openExit, "openat2")
	register(File, creatEntry, openExit, "creat")

	register(Probe, pathEntry(0), nil, "stat", "lstat", "stat64", "lstat64",
		"oldstat", "oldlstat", "statfs", "statfs64", "readlink")
	register(File, pathEntry(0), nil, "unlink", "rmdir", "truncate", "truncate64", "chroot", "uselib")
	register(Probe, atEntry(0, 1, 3, atStatFlags), nil, "newfstatat", "fstatat64")
	register(Probe, atEntry(0, 1, 2, atStatFlags), nil, "statx")
	register(Probe, atEntry(0, 1, -1, nil), nil, "readlinkat")
	register(File, atEntry(0, 1, 2, atRemoveFlags), nil, "unlinkat")

	register(Probe, accessEntry, nil, "access")
	register(Probe, faccessatEntry(false), nil, "faccessat")
	register(Probe, faccessatEntry(true), nil, "faccessat2")

	register(File, renameEntry, nil, "rename")
	register(File, renameatEntry(false), nil, "renameat")
	register(File, renameatEntry(true), nil, "renameat2")
	register(File, linkEntry, nil, "link")
	register(File, linkatEntry, nil, "linkat")
	register(File, symlinkEntry, nil, "symlink")
	register(File, symlinkatEntry, nil, "symlinkat")

	register(File, modeEntry, nil, "mkdir", "chmod")
	register(File, modeatEntry(false), nil, "mkdirat", "fchmodat")
	register(File, modeatEntry(true), nil, "fchmodat2")
	register(File, chownEntry(true), nil, "chown", "lchown")
	register(File, chownEntry(false), nil, "chown32", "lchown32")
	register(File, fchownatEntry, nil, "fchownat")
	register(File, mknodEntry, nil, "mknod")
	register(File, mknodatEntry, nil, "mknodat")

	register(File, mountEntry, nil, "mount")
	register(File, umountEntry(false), nil, "umount")
	register(File, umountEntry(true), nil, "umount2")
	register(File, pivotRootEntry, nil, "pivot_root")
	register(File, atEntry(0, 1, 2, openTreeFlags), nil, "open_tree", "open_tree_attr")
	register(File, moveMountEntry, nil, "move_mount")
	register(File, fspickEntry, nil, "fspick")
	register(File, fsopenEntry, nil, "fsopen")
	register(File, atEntry(0, 1, 2, atMountSetattrFlags), nil, "mount_setattr")
	register(File, none, nil, "fsmount", "fsconfig")
}

// Open flags: asm-generic/fcntl.h, with arm's and arm64's own values of four.
const (
	oCreat    = 0x40
	oDSync    = 0x1000
	oSyncBit  = 0x100000 // __O_SYNC
	oTmpBit   = 0x400000 // __O_TMPFILE
	oAccMode  = 3
	oCloexec  = 0x80000
	oNonblock = 0x800
)

func openFlagTab(directory, nofollow, direct, largefile uint64) []flag {
	return []flag{
		{oCreat, "O_CREAT"}, {0x80, "O_EXCL"}, {0x100, "O_NOCTTY"},
		{0x200, "O_TRUNC"}, {0x400, "O_APPEND"}, {oNonblock, "O_NONBLOCK"},
		{oSyncBit | oDSync, "O_SYNC"}, {oDSync, "O_DSYNC"}, {0x2000, "FASYNC"},
		{direct, "O_DIRECT"}, {largefile, "O_LARGEFILE"},
		{oTmpBit | directory, "O_TMPFILE"}, {directory, "O_DIRECTORY"},
		{nofollow, "O_NOFOLLOW"}, {0x40000, "O_NOATIME"},
		{oCloexec, "O_CLOEXEC"}, {0x200000, "O_PATH"},
		{oSyncBit, "__O_SYNC"}, {oTmpBit, "__O_TMPFILE"},
	}
}

var (
	openFlagsX86 = openFlagTab(0x10000, 0x20000, 0x4000, 0x8000)
	openFlagsARM = openFlagTab(0x4000, 0x8000, 0x10000, 0x20000)
)

var accModes = [4]string{"O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE"}

// openFlags names open flags as abi defines them: the access mode always, then
// the other bits.
func openFlags(abi systab.ABI, v uint64) string {
	tab := openFlagsX86
	if abi == systab.ARM || abi == systab.AArch64 {
		tab = openFlagsARM
	}
	s := accModes[v&oAccMode]
	if rest := v &^ oAccMode; rest != 0 {
		s += "|" + flags(rest, tab)
	}
	return s
}

// setOpen sets "flags" and, when the flags create a file, "mode".
func (b *builder) setOpen(fl, mode uint64) {
	b.set("flags", openFlags(b.c.ABI, fl))
	if fl&(oCreat|oTmpBit) != 0 {
		b.set("mode", octal(mode&0o7777))
	}
}

func openEntry(c *Call, m Memory, p Proc) observation.Args {
	b := newBuilder(c, m, p)
	b.path("path", c.ptr(0))
	b.setOpen(uint64(c.u32(1)), uint64(c.u32(2)))
	return b.done()
}

func openatEntry(c *Call, m Memory, p Proc) observation.Args {
	b := newBuilder(c, m, p)
	b.pathAt("path", "dirfd", c.i32(0), c.ptr(1), false)
	b.setOpen(uint64(c.u32(2)), uint64(c.u32(3)))
	return b.done()
}

var resolveFlags = []flag{
	{0x01, "RESOLVE_NO_XDEV"}, {0x02, "RESOLVE_NO_MAGICLINKS"},
	{0x04, "RESOLVE_NO_SYMLINKS"}, {0x08, "RESOLVE_BENEATH"},
	{0x10, "RESOLVE_IN_ROOT"}, {0x20, "RESOLVE_CACHED"},
}

// openat2Entry reads struct open_how {u64 flags, mode, resolve} at arg 2.
func openat2Entry(c *Call, m Memory, p Proc) observation.Args {
	b := newBuilder(c, m, p)
	b.pathAt("path", "dirfd", c.i32(0), c.ptr(1), false)
	var how [24]byte
	if b.read("flags", c.ptr(2), how[:]) {
		b.setOpen(word(how[:], 0, 8), word(how[:], 8, 8))
		b.setFlags("resolve", word(how[:], 16, 8), resolveFlags)
	}
	return b.done()
}

func creatEntry(c *Call, m Memory, p Proc) observation.Args {
	b := newBuilder(c, m, p)
	b.path("path", c.ptr(0))
	b.set("mode", octal(uint64(c.u32(1))&0o7777))
	return b.done()
}

// openExit adds "resolved": the target of the returned fd, when it differs
// from the requested path.
func openExit(_ *Call, ret int64, args observation.Args, p Proc) observation.Args {
	if ret < 0 || ret > 0x7fffffff || p == nil {
		return args
	}
	s, err := p.FdPath(int32(ret))
	if err != nil {
		return args
	}
	s = normFdPath(s)
	if cur, ok := args.Get("path"); ok && cur == s {
		return args
	}
	if _, ok := args.Get("resolved"); ok {
		return args.Set("resolved", s)
	}
	return insertBeforeNotes(args, observation.Arg{Key: "resolved", Value: s})
}

// insertBeforeNotes adds a to args ahead of "truncated" and "unreadable",
// which stay last. args is not modified.
func insertBeforeNotes(args observation.Args, a observation.Arg) observation.Args {
	i := len(args)
	for i > 0 && (args[i-1].Key == "truncated" || args[i-1].Key == "unreadable") {
		i--
	}
	out := make(observation.Args, 0, len(args)+1)
	out = append(out, args[:i]...)
	out = append(out, a)
	return append(out, args[i:]...)
}

// pathEntry decodes a call whose only argument of note is a path at arg i.
func pathEntry(i int) entryFunc {
	return func(c *Call, m Memory, p Proc) observation.Args {
		b := newBuilder(c, m, p)
		b.path("path", c.ptr(i))
		return b.done()
	}
}

// AT_* flags (linux/fcntl.h), as each call accepts them.
var (
	atStatFlags = []flag{
		{0x100, "AT_SYMLINK_NOFOLLOW"}, {0x800, "AT_NO_AUTOMOUNT"},
		{atEmptyPath, "AT_EMPTY_PATH"}, {0x2000, "AT_STATX_FORCE_SYNC"},
		{0x4000, "AT_STATX_DONT_SYNC"},
	}
	atRemoveFlags = []flag{{0x200, "AT_REMOVEDIR"}}
	atAccessFlags = []flag{
		{0x200, "AT_EACCESS"}, {0x100, "AT_SYMLINK_NOFOLLOW"},
		{atEmptyPath, "AT_EMPTY_PATH"},
	}
	atLinkFlags = []flag{{0x400, "AT_SYMLINK_FOLLOW"}, {atEmptyPath, "AT_EMPTY_PATH"}}
	atNoFollow  = []flag{{0x100, "AT_SYMLINK_NOFOLLOW"}, {atEmptyPath, "AT_EMPTY_PATH"}}
	atHandle    = []flag{
		{0x001, "AT_HANDLE_MNT_ID_UNIQUE"}, {0x200, "AT_HANDLE_FID"},
		{0x400, "AT_SYMLINK_FOLLOW"}, {atEmptyPath, "AT_EMPTY_PATH"},
	}
	atMountSetattrFlags = []flag{
		{0x100, "AT_SYMLINK_NOFOLLOW"}, {0x800, "AT_NO_AUTOMOUNT"},
		{atEmptyPath, "AT_EMPTY_PATH"}, {0x8000, "AT_RECURSIVE"},
	}
)

const atEmptyPath = 0x1000

// atEntry decodes dirfd (arg d) + path (arg p) and, when f >= 0, the AT_*
// flags of arg f, honoring AT_EMPTY_PATH when tab has it.
func atEntry(d, pa, f int, tab []flag) entryFunc {
	return func(c *Call, m Memory, p Proc) observation.Args {
		b := newBuilder(c, m, p)
		var fl uint64
		if f >= 0 {
			fl = uint64(c.u32(f))
		}
		b.pathAt("path", "dirfd", c.i32(d), c.ptr(pa), fl&atEmptyPath != 0 && hasFlag(tab, atEmptyPath))
		b.setFlags("flags", fl, tab)
		return b.done()
	}
}

func hasFlag(tab []flag, v uint64) bool {
	for _, f := range tab {
		if f.v == v {
			return true
		}
	}
	return false
}

var accessModes = []flag{{4, "R_OK"}, {2, "W_OK"}, {1, "X_OK"}}

func accessMode(v uint32) string {
	if v == 0 {
		return "F_OK"
	}
	return flags(uint64(v), accessModes)
}

func accessEntry(c *Call, m Memory, p Proc) observation.Args {
	b := newBuilder(c, m, p)
	b.path("path", c.ptr(0))
	b.set("mode", accessMode(c.u32(1)))
	return b.done()
}

// faccessatEntry serves faccessat and, withFlags, faccessat2 (faccessat has
// 3 arguments: its arg 3 is noise).
func faccessatEntry(withFlags bool) entryFunc {
	return func(c *Call, m Memory, p Proc) observation.Args {
		b := newBuilder(c, m, p)
		var fl uint64
		if withFlags {
			fl = uint64(c.u32(3))
		}
		b.pathAt("path", "dirfd", c.i32(0), c.ptr(1), fl&atEmptyPath != 0)
		b.set("mode", accessMode(c.u32(2)))
		b.setFlags("flags", fl, atAccessFlags)
		return b.done()
	}
}

var renameFlags = []flag{{1, "RENAME_NOREPLACE"}, {2, "RENAME_EXCHANGE"}, {4, "RENAME_WHITEOUT"}}

func renameEntry(c *Call, m Memory, p Proc) observation.Args {
	b := newBuilder(c, m, p)
	b.path("path", c.ptr(0))
	b.pathAt("path2", "dirfd2", atFDCWD, c.ptr(1), false)
	return b.done()
}

// renameatEntry serves renameat and, withFlags, renameat2 (renameat's arg 4
// is noise).
func renameatEntry(withFlags bool) entryFunc {
	return func(c *Call, m Memory, p Proc) observation.Args {
		b := newBuilder(c, m, p)
		b.pathAt("path", "dirfd", c.i32(0), c.ptr(1), false)
		b.pathAt("path2", "dirfd2", c.i32(2), c.ptr(3), false)
		if withFlags {
			b.setFlags("flags", uint64(c.u32(4)), renameFlags)
		}
		return b.done()
	}
}

func linkEntry(c *Call, m Memory, p Proc) observation.Args {
	return renameEntry(c, m, p)
}

func linkatEntry(c *Call, m Memory, p Proc) observation.Args {
	b := newBuilder(c, m, p)
	fl := uint64(c.u32(4))
	b.pathAt("path", "dirfd", c.i32(0), c.ptr(1), fl&atEmptyPath != 0)
	b.pathAt("path2", "dirfd2", c.i32(2), c.ptr(3), false)
	b.setFlags("flags", fl, atLinkFlags)
	return b.done()
}

func symlinkEntry(c *Call, m Memory, p Proc) observation.Args {
	b := newBuilder(c, m, p)
	b.path("path", c.ptr(1))
	b.setStr("target", c.ptr(0), maxPath, false)
	return b.done()
}

func symlinkatEntry(c *Call, m Memory, p Proc) observation.Args {
	b := newBuilder(c, m, p)
	b.pathAt("path", "dirfd", c.i32(1), c.ptr(2), false)
	b.setStr("target", c.ptr(0), maxPath, false)
	return b.done()
}

// modeEntry serves mkdir and chmod: path, mode.
func modeEntry(c *Call, m Memory, p Proc) observation.Args {
	b := newBuilder(c, m, p)
	b.path("path", c.ptr(0))
	b.set("mode", octal(uint64(c.u32(1))&0o7777))
	return b.done()
}

// modeatEntry serves mkdirat, fchmodat and, withFlags, fchmodat2.
func modeatEntry(withFlags bool) entryFunc {
	return func(c *Call, m Memory, p Proc) observation.Args {
		b := newBuilder(c, m, p)
		var fl uint64
		if withFlags {
			fl = uint64(c.u32(3))
		}
		b.pathAt("path", "dirfd", c.i32(0), c.ptr(1), fl&atEmptyPath != 0)
		b.set("mode", octal(uint64(c.u32(2))&0o7777))
		b.setFlags("flags", fl, atNoFollow)
		return b.done()
	}
}

// legacy16 reports whether an old id call takes 16-bit ids on abi.
func legacy16(abi systab.ABI, old bool) bool {
	return old && wide32(abi)
}

// chownEntry serves chown and lchown; old: the names without "32", whose ids
// are 16-bit on i386 and arm.
func chownEntry(old bool) entryFunc {
	return func(c *Call, m Memory, p Proc) observation.Args {
		b := newBuilder(c, m, p)
		b.path("path", c.ptr(0))
		b.set("uid", id(c.u32(1), legacy16(c.ABI, old)))
		b.set("gid", id(c.u32(2), legacy16(c.ABI, old)))
		return b.done()
	}
}

func fchownatEntry(c *Call, m Memory, p Proc) observation.Args {
	b := newBuilder(c, m, p)
	fl := uint64(c.u32(4))
	b.pathAt("path", "dirfd", c.i32(0), c.ptr(1), fl&atEmptyPath != 0)
	b.set("uid", id(c.u32(2), false))
	b.set("gid", id(c.u32(3), false))
	b.setFlags("flags", fl, atNoFollow)
	return b.done()
}

const (
	sIFMT  = 0o170000
	sIFCHR = 0o020000
	sIFBLK = 0o060000
)

var fileTypes = map[int64]string{
	0o140000: "S_IFSOCK", 0o120000: "S_IFLNK", 0o100000: "S_IFREG",
	sIFBLK: "S_IFBLK", 0o040000: "S_IFDIR", sIFCHR: "S_IFCHR",
	0o010000: "S_IFIFO", 0: "S_IFREG",
}

// setMknod sets "mode" as "S_IFCHR|0666" and, for devices, "dev" as
// "major:minor" (the kernel's new_decode_dev).
func (b *builder) setMknod(mode, dev uint32) {
	t := int64(mode & sIFMT)
	name, ok := fileTypes[t]
	if !ok {
		name = hex(uint64(t))
	}
	b.set("mode", name+"|"+octal(uint64(mode&0o7777)))
	if t == sIFCHR || t == sIFBLK {
		major := (dev & 0xfff00) >> 8
		minor := (dev & 0xff) | ((dev >> 12) & 0xfff00)
		b.set("dev", strconv.FormatUint(uint64(major), 10)+":"+strconv.FormatUint(uint64(minor), 10))
	}
}

func mknodEntry(c *Call, m Memory, p Proc) observation.Args {
	b := newBuilder(c, m, p)
	b.path("path", c.ptr(0))
	b.setMknod(c.u32(1), c.u32(2))
	return b.done()
}

func mknodatEntry(c *Call, m Memory, p Proc) observation.Args {
	b := newBuilder(c, m, p)
	b.pathAt("path", "dirfd", c.i32(0), c.ptr(1), false)
	b.setMknod(c.u32(2), c.u32(3))
	return b.done()
}

// Mount flags (linux/mount.h).
const (
	msBind   = 0x1000
	msMove   = 0x2000
	msMgcMsk = 0xffff0000
	msMgcVal = 0xc0ed0000
)

var mountFlags = []flag{
	{0x1, "MS_RDONLY"}, {0x2, "MS_NOSUID"}, {0x4, "MS_NODEV"},
	{0x8, "MS_NOEXEC"}, {0x10, "MS_SYNCHRONOUS"}, {0x20, "MS_REMOUNT"},
	{0x40, "MS_MANDLOCK"}, {0x80, "MS_DIRSYNC"}, {0x100, "MS_NOSYMFOLLOW"},
	{0x400, "MS_NOATIME"}, {0x800, "MS_NODIRATIME"}, {msBind, "MS_BIND"},
	{msMove, "MS_MOVE"}, {0x4000, "MS_REC"}, {0x8000, "MS_SILENT"},
	{1 << 16, "MS_POSIXACL"}, {1 << 17, "MS_UNBINDABLE"},
	{1 << 18, "MS_PRIVATE"}, {1 << 19, "MS_SLAVE"}, {1 << 20, "MS_SHARED"},
	{1 << 21, "MS_RELATIME"}, {1 << 22, "MS_KERNMOUNT"},
	{1 << 23, "MS_I_VERSION"}, {1 << 24, "MS_STRICTATIME"},
	{1 << 25, "MS_LAZYTIME"},
}

// mountEntry: mount(source, target, fstype, flags, data). source and fstype
// may be NULL (remount, bind, propagation changes): then they are absent.
// source is a path (made absolute) only for MS_BIND and MS_MOVE. The
// obsolete MS_MGC_VAL magic in the high half is dropped, as the kernel does.
// data (the options string) is not decoded.
func mountEntry(c *Call, m Memory, p Proc) observation.Args {
	b := newBuilder(c, m, p)
	fl := c.ulong(3)
	if fl&msMgcMsk == msMgcVal {
		fl &^= msMgcMsk
	}
	if src, ok := b.str("source", c.ptr(0), maxPath, true); ok {
		if fl&(msBind|msMove) != 0 {
			if abs, ok := b.resolve(atFDCWD, src); ok {
				src = abs
			}
		}
		b.set("source", src)
	}
	b.pathAt("target", "dirfd", atFDCWD, c.ptr(1), false)
	b.setStr("fstype", c.ptr(2), maxPath, true)
	b.setFlags("flags", fl, mountFlags)
	return b.done()
}

var umountFlags = []flag{
	{1, "MNT_FORCE"}, {2, "MNT_DETACH"}, {4, "MNT_EXPIRE"}, {8, "UMOUNT_NOFOLLOW"},
}

// umountEntry serves i386's one-argument umount and, withFlags,
// umount2(target, flags).
func umountEntry(withFlags bool) entryFunc {
	return func(c *Call, m Memory, p Proc) observation.Args {
		b := newBuilder(c, m, p)
		b.pathAt("target", "dirfd", atFDCWD, c.ptr(0), false)
		if withFlags {
			b.setFlags("flags", uint64(c.u32(1)), umountFlags)
		}
		return b.done()
	}
}

func pivotRootEntry(c *Call, m Memory, p Proc) observation.Args {
	b := newBuilder(c, m, p)
	b.pathAt("new_root", "dirfd", atFDCWD, c.ptr(0), false)
	b.pathAt("put_old", "dirfd2", atFDCWD, c.ptr(1), false)
	return b.done()
}

var openTreeFlags = []flag{
	{1, "OPEN_TREE_CLONE"}, {oCloexec, "OPEN_TREE_CLOEXEC"},
	{0x100, "AT_SYMLINK_NOFOLLOW"}, {0x800, "AT_NO_AUTOMOUNT"},
	{atEmptyPath, "AT_EMPTY_PATH"}, {0x8000, "AT_RECURSIVE"},
}

const (
	moveMountFEmpty = 0x04
	moveMountTEmpty = 0x40
)

var moveMountFlags = []flag{
	{0x01, "MOVE_MOUNT_F_SYMLINKS"}, {0x02, "MOVE_MOUNT_F_AUTOMOUNTS"},
	{moveMountFEmpty, "MOVE_MOUNT_F_EMPTY_PATH"}, {0x10, "MOVE_MOUNT_T_SYMLINKS"},
	{0x20, "MOVE_MOUNT_T_AUTOMOUNTS"}, {moveMountTEmpty, "MOVE_MOUNT_T_EMPTY_PATH"},
	{0x100, "MOVE_MOUNT_SET_GROUP"}, {0x200, "MOVE_MOUNT_BENEATH"},
}

// moveMountEntry: move_mount(from_dfd, from_path, to_dfd, to_path, flags).
func moveMountEntry(c *Call, m Memory, p Proc) observation.Args {
	b := newBuilder(c, m, p)
	fl := uint64(c.u32(4))
	b.pathAt("path", "dirfd", c.i32(0), c.ptr(1), fl&moveMountFEmpty != 0)
	b.pathAt("path2", "dirfd2", c.i32(2), c.ptr(3), fl&moveMountTEmpty != 0)
	b.setFlags("flags", fl, moveMountFlags)
	return b.done()
}

var fspickFlags = []flag{
	{1, "FSPICK_CLOEXEC"}, {2, "FSPICK_SYMLINK_NOFOLLOW"},
	{4, "FSPICK_NO_AUTOMOUNT"}, {8, "FSPICK_EMPTY_PATH"},
}

func fspickEntry(c *Call, m Memory, p Proc) observation.Args {
	b := newBuilder(c, m, p)
	fl := uint64(c.u32(2))
	b.pathAt("path", "dirfd", c.i32(0), c.ptr(1), fl&8 != 0)
	b.setFlags("flags", fl, fspickFlags)
	return b.done()
}

func fsopenEntry(c *Call, m Memory, p Proc) observation.Args {
	b := newBuilder(c, m, p)
	b.setStr("fstype", c.ptr(0), maxPath, false)
	b.setFlags("flags", uint64(c.u32(1)), []flag{{1, "FSOPEN_CLOEXEC"}})
	return b.done()
}

package decode

import (
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/sysgate/sysgate/observation"
	"github.com/sysgate/sysgate/tracer/systab"
)

const (
	argvA = 0x40000 // the pointer array
	strs  = 0x50000 // the strings, 0x1000 apart
)

// argvMem maps path at pathA and argv's strings at strs, with their pointer
// array of ps-byte pointers at argvA.
func argvMem(ps int, path string, argv ...string) *fakeMem {
	m := newMem().str(pathA, path)
	ptrs := make([]uint64, 0, len(argv)+1)
	for i, s := range argv {
		a := uint64(strs + i*0x2000)
		m.str(a, s)
		ptrs = append(ptrs, a)
	}
	return m.ptrs(argvA, ps, append(ptrs, 0)...)
}

func withArgs(path string, argv ...string) observation.Args {
	return observation.Args{{Key: "path", Value: path}, list("argv", argv...)}
}

func TestExecve(t *testing.T) {
	many := make([]string, 300)
	for i := range many {
		many[i] = strconv.Itoa(i)
	}
	big := make([]string, 20)
	for i := range big {
		big[i] = strings.Repeat(string(rune('a'+i)), 4000)
	}
	bigWant := append(append([]string(nil), big[:16]...), big[16][:64<<10-16*4000])
	long := strings.Repeat("x", 5000)

	runCases(t, []decodeCase{{
		name: "x86_64",
		call: "execve", args: [6]uint64{pathA, argvA, 0},
		mem:  argvMem(8, "/bin/sh", "sh", "-c", "echo hi"),
		want: withArgs("/bin/sh", "sh", "-c", "echo hi"),
	}, {
		name: "i386 has 4-byte pointers",
		call: "execve", abi: systab.I386, args: [6]uint64{pathA, argvA, 0},
		mem:  argvMem(4, "bin/ls", "ls", "-l"),
		want: withArgs("/home/u/bin/ls", "ls", "-l"),
	}, {
		name: "x32 has 4-byte pointers",
		call: "execve", abi: systab.X32, args: [6]uint64{pathA, argvA, 0},
		mem:  argvMem(4, "/bin/true", "true"),
		want: withArgs("/bin/true", "true"),
	}, {
		name: "arm",
		call: "execve", abi: systab.ARM, args: [6]uint64{pathA, argvA, 0},
		mem:  argvMem(4, "/bin/true", "true", ""),
		want: withArgs("/bin/true", "true", ""),
	}, {
		name: "empty argv",
		call: "execve", args: [6]uint64{pathA, argvA, 0},
		mem:  argvMem(8, "/bin/true"),
		want: withArgs("/bin/true"),
	}, {
		name: "NULL argv",
		call: "execve", args: [6]uint64{pathA, 0, 0},
		mem:  newMem().str(pathA, "/bin/true"),
		want: withArgs("/bin/true"),
	}, {
		name: "argv array unreadable",
		call: "execve", args: [6]uint64{pathA, badAddr, 0},
		mem:  newMem().str(pathA, "/bin/true"),
		want: kv("path", "/bin/true", "unreadable", "argv: EFAULT"),
	}, {
		name: "argv string unreadable",
		call: "execve", args: [6]uint64{pathA, argvA, 0},
		mem:  newMem().str(pathA, "/bin/true").str(strs, "true").ptrs(argvA, 8, strs, badAddr, 0),
		want: kv("path", "/bin/true", "unreadable", "argv: EFAULT"),
	}, {
		name: "argv array without its NULL before an unmapped page",
		call: "execve", args: [6]uint64{pathA, argvA, 0},
		mem:  newMem().str(pathA, "/bin/true").str(strs, "true").ptrs(argvA, 8, strs, strs),
		want: kv("path", "/bin/true", "unreadable", "argv: EFAULT"),
	}, {
		name: "argv array ending at a page end",
		call: "execve", args: [6]uint64{pathA, 2*page - 24, 0},
		mem:  newMem().str(pathA, "/x").str(strs, "a").ptrs(2*page-24, 8, strs, strs, 0),
		want: withArgs("/x", "a", "a"),
	}, {
		name: "more than 256 strings",
		call: "execve", args: [6]uint64{pathA, argvA, 0},
		mem: argvMem(8, "/x", many...),
		want: observation.Args{{Key: "path", Value: "/x"}, list("argv", many[:256]...),
			{Key: "truncated", Value: "argv"}},
	}, {
		name: "more than 64 KiB",
		call: "execve", args: [6]uint64{pathA, argvA, 0},
		mem: argvMem(8, "/x", big...),
		want: observation.Args{{Key: "path", Value: "/x"}, list("argv", bigWant...),
			{Key: "truncated", Value: "argv"}},
	}, {
		name: "a string over 4096 bytes",
		call: "execve", args: [6]uint64{pathA, argvA, 0},
		mem: argvMem(8, "/x", "x", long, "y"),
		want: observation.Args{{Key: "path", Value: "/x"}, list("argv", "x", long[:4096], "y"),
			{Key: "truncated", Value: "argv"}},
	}, {
		name: "path truncated and argv string into an unmapped page",
		call: "execve", args: [6]uint64{2*page - 2, argvA, 0},
		mem: newMem().put(2*page-2, []byte("/x")).put(4*page-2, []byte("ab")).ptrs(argvA, 8, 4*page-2, 0),
		want: observation.Args{{Key: "path", Value: "/x"}, list("argv", "ab"),
			{Key: "truncated", Value: "path, argv"}},
	}, {
		name: "execveat AT_EMPTY_PATH on a memfd",
		call: "execveat", args: [6]uint64{4, pathA, argvA, 0, 0x1000},
		mem: argvMem(8, "", "x"),
		want: observation.Args{{Key: "path", Value: "/memfd:x (deleted)"}, list("argv", "x"),
			{Key: "flags", Value: "AT_EMPTY_PATH"}},
	}, {
		name: "execveat relative to a dirfd",
		call: "execveat", args: [6]uint64{3, pathA, argvA, 0, 0x100},
		mem: argvMem(8, "bin/app", "app"),
		want: observation.Args{{Key: "path", Value: "/srv/bin/app"}, list("argv", "app"),
			{Key: "flags", Value: "AT_SYMLINK_NOFOLLOW"}},
	}})
}

// TestArgvList: argv is a list even when empty, so that GetList finds it.
func TestArgvList(t *testing.T) {
	c := &Call{ABI: systab.X86_64, Args: [6]uint64{pathA, 0}}
	args := ByName("execve").Entry(c, newMem().str(pathA, "/x"), stdProc())
	l, ok := args.GetList("argv")
	if !ok || !reflect.DeepEqual(l, []string{}) {
		t.Errorf("GetList(argv) = %q, %v", l, ok)
	}
}

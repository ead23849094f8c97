// Command gen writes zsyscalls.go, the syscall name tables of package systab.
//
// The tables come from the Linux kernel's own syscall tables
// (arch/x86/entry/syscalls/syscall_64.tbl and syscall_32.tbl,
// include/uapi/asm-generic/unistd.h, arch/arm/tools/syscall.tbl and
// arch/arm/include/uapi/asm/unistd.h) as the module
// github.com/elastic/go-seccomp-bpf packages them in its arch package. The
// kernel version is read from that package's generated source and stamped in
// the output. Where that package's tables do not match what a process can
// call, gen corrects them and checks every correction against the table it
// corrects, so that a dependency upgrade that changes the input fails loudly
// instead of producing wrong names:
//
//   - x32: the package keeps the entries of syscall_64.tbl whose ABI column is
//     "64" (x86_64 only). An x32 process calls "common" and "x32" entries only,
//     so gen drops the x86_64-only numbers (x32 has its own 512+ numbers for
//     those calls).
//   - aarch64: the package reads asm-generic/unistd.h without its #if guards,
//     so gen drops the 32-bit-only time64 calls (403-423) and the
//     __NR_arch_specific_syscall marker (244), and names 79 newfstatat, as
//     the 64-bit kernel does.
//   - arm: gen checks that the ARM private calls (__ARM_NR_BASE+1..6) are
//     present and adds any that are missing.
//
// Usage (from the systab package directory, as go:generate runs it):
//
//	go run ./gen            # write zsyscalls.go
//	go run ./gen -check     # fail when zsyscalls.go is not up to date
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"go/format"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/elastic/go-seccomp-bpf/arch"

	"github.com/sysgate/sysgate/internal/genfile"
)

const (
	seccompModule = "github.com/elastic/go-seccomp-bpf"

	x32Bit         = 0x40000000 // __X32_SYSCALL_BIT
	armPrivateBase = 0x0f0000   // __ARM_NR_BASE

	// maxNumber bounds the numbers of the indexed tables (all but arm's
	// private range), so that a bad input cannot blow up the arrays.
	maxNumber = 4096
)

// x86_64Only lists the entries of arch/x86/entry/syscalls/syscall_64.tbl
// whose ABI column is "64": the x86_64 ABI has them and x32 does not.
// Checked against Linux 6.12's table; 6.13 to 6.15 only add common entries.
var x86_64Only = map[uint32]string{
	13:  "rt_sigaction",
	15:  "rt_sigreturn",
	16:  "ioctl",
	19:  "readv",
	20:  "writev",
	45:  "recvfrom",
	46:  "sendmsg",
	47:  "recvmsg",
	54:  "setsockopt",
	55:  "getsockopt",
	59:  "execve",
	101: "ptrace",
	127: "rt_sigpending",
	128: "rt_sigtimedwait",
	129: "rt_sigqueueinfo",
	131: "sigaltstack",
	134: "uselib",
	156: "_sysctl",
	174: "create_module",
	177: "get_kernel_syms",
	178: "query_module",
	180: "nfsservctl",
	205: "set_thread_area",
	206: "io_setup",
	209: "io_submit",
	211: "get_thread_area",
	214: "epoll_ctl_old",
	215: "epoll_wait_old",
	222: "timer_create",
	236: "vserver",
	244: "mq_notify",
	246: "kexec_load",
	247: "waitid",
	273: "set_robust_list",
	274: "get_robust_list",
	278: "vmsplice",
	279: "move_pages",
	295: "preadv",
	296: "pwritev",
	297: "rt_tgsigqueueinfo",
	299: "recvmmsg",
	307: "sendmmsg",
	310: "process_vm_readv",
	311: "process_vm_writev",
	322: "execveat",
	327: "preadv2",
	328: "pwritev2",
}

// generic32Only lists the asm-generic numbers that only 32-bit
// architectures have (ABI "32" in scripts/syscall.tbl, guarded by
// __BITS_PER_LONG == 32 in unistd.h): aarch64 does not.
var generic32Only = map[uint32]string{
	403: "clock_gettime64",
	404: "clock_settime64",
	405: "clock_adjtime64",
	406: "clock_getres_time64",
	407: "clock_nanosleep_time64",
	408: "timer_gettime64",
	409: "timer_settime64",
	410: "timerfd_gettime64",
	411: "timerfd_settime64",
	412: "utimensat_time64",
	413: "pselect6_time64",
	414: "ppoll_time64",
	416: "io_pgetevents_time64",
	417: "recvmmsg_time64",
	418: "mq_timedsend_time64",
	419: "mq_timedreceive_time64",
	420: "semtimedop_time64",
	421: "rt_sigtimedwait_time64",
	422: "futex_time64",
	423: "sched_rr_get_interval_time64",
}

// aarch64Renames maps asm-generic numbers whose unistd.h macro name is not
// the 64-bit syscall's name (__NR3264_fstatat is __NR_newfstatat on 64-bit).
var aarch64Renames = map[uint32][2]string{
	79: {"fstatat", "newfstatat"},
}

// aarch64NotCalls lists asm-generic macros that number no syscall.
var aarch64NotCalls = map[uint32]string{
	244: "arch_specific_syscall",
}

// armPrivate lists the ARM private calls, __ARM_NR_BASE + n in
// arch/arm/include/uapi/asm/unistd.h.
var armPrivate = map[uint32]string{
	armPrivateBase + 1: "breakpoint",
	armPrivateBase + 2: "cacheflush",
	armPrivateBase + 3: "usr26",
	armPrivateBase + 4: "usr32",
	armPrivateBase + 5: "set_tls",
	armPrivateBase + 6: "get_tls",
}

// input is what gen reads: the tables of the arch package, by ABI.
type input struct {
	ModuleVersion string // version of seccompModule
	LinuxVersion  string // kernel version its tables come from, e.g. "v6.15"
	X86_64        map[int]string
	I386          map[int]string
	X32           map[int]string
	AArch64       map[int]string
	ARM           map[int]string
}

// tables are the corrected tables, by number (x32 without x32Bit, arm's
// private calls as an offset from armPrivateBase).
type tables struct {
	X86_64, I386, X32, AArch64, ARM, ARMPrivate map[uint32]string
}

func convert(abi string, in map[int]string) (map[uint32]string, error) {
	out := make(map[uint32]string, len(in))
	for nr, name := range in {
		if nr < 0 || int64(nr) > 0xffffffff {
			return nil, fmt.Errorf("%s: number %d out of range", abi, nr)
		}
		if !validName(name) {
			return nil, fmt.Errorf("%s: %d has bad name %q", abi, nr, name)
		}
		out[uint32(nr)] = name
	}
	return out, nil
}

var nameRE = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

func validName(s string) bool { return nameRE.MatchString(s) }

// correct turns the arch package's tables into the ones systab serves.
func correct(in input) (*tables, error) {
	var t tables
	var err error
	if t.X86_64, err = convert("x86_64", in.X86_64); err != nil {
		return nil, err
	}
	if t.I386, err = convert("i386", in.I386); err != nil {
		return nil, err
	}
	if t.X32, err = convert("x32", in.X32); err != nil {
		return nil, err
	}
	if t.AArch64, err = convert("aarch64", in.AArch64); err != nil {
		return nil, err
	}
	arm, err := convert("arm", in.ARM)
	if err != nil {
		return nil, err
	}

	// x32: drop the x86_64-only numbers. Each must be the x86_64 table's
	// call of that name, and the x32 table must not name it otherwise.
	for nr, name := range x86_64Only {
		if got := t.X86_64[nr]; got != name {
			return nil, fmt.Errorf("x86_64: %d is %q, gen expects x86_64-only %q: update x86_64Only", nr, got, name)
		}
		if got, ok := t.X32[nr]; ok && got != name {
			return nil, fmt.Errorf("x32: %d is %q, gen expects x86_64-only %q: update x86_64Only", nr, got, name)
		}
		delete(t.X32, nr)
	}
	for nr, name := range t.X32 {
		if nr&x32Bit != 0 {
			return nil, fmt.Errorf("x32: %#x carries the x32 bit; gen expects bare numbers", nr)
		}
		if nr < 512 && t.X86_64[nr] != name {
			return nil, fmt.Errorf("x32: common number %d is %q but x86_64 has %q", nr, name, t.X86_64[nr])
		}
	}
	for nr, name := range t.X86_64 {
		if nr >= 512 {
			return nil, fmt.Errorf("x86_64: %d (%q) is in x32's private range", nr, name)
		}
	}

	// aarch64: drop what asm-generic's #if guards keep from 64-bit
	// architectures, and use the 64-bit names.
	for nr, name := range generic32Only {
		if got, ok := t.AArch64[nr]; ok && got != name {
			return nil, fmt.Errorf("aarch64: %d is %q, gen expects 32-bit-only %q: update generic32Only", nr, got, name)
		}
		delete(t.AArch64, nr)
	}
	for nr, name := range aarch64NotCalls {
		if got, ok := t.AArch64[nr]; ok && got != name {
			return nil, fmt.Errorf("aarch64: %d is %q, gen expects marker %q: update aarch64NotCalls", nr, got, name)
		}
		delete(t.AArch64, nr)
	}
	for nr, names := range aarch64Renames {
		switch got := t.AArch64[nr]; got {
		case names[0], names[1]:
			t.AArch64[nr] = names[1]
		default:
			return nil, fmt.Errorf("aarch64: %d is %q, gen expects %q: update aarch64Renames", nr, got, names[0])
		}
	}
	for nr, name := range t.AArch64 {
		if strings.HasSuffix(name, "_time64") {
			return nil, fmt.Errorf("aarch64: %d is 32-bit-only %q: update generic32Only", nr, name)
		}
	}

	// arm: split off the private range, checking it and filling it in.
	t.ARM = make(map[uint32]string, len(arm))
	t.ARMPrivate = make(map[uint32]string, len(armPrivate))
	for nr, name := range arm {
		switch {
		case nr < maxNumber:
			t.ARM[nr] = name
		case nr >= armPrivateBase && nr < armPrivateBase+0x800:
			t.ARMPrivate[nr-armPrivateBase] = name
		default:
			return nil, fmt.Errorf("arm: %#x (%q) is neither a table nor a private number", nr, name)
		}
	}
	for nr, name := range armPrivate {
		off := nr - armPrivateBase
		if got, ok := t.ARMPrivate[off]; ok && got != name {
			return nil, fmt.Errorf("arm: private %#x is %q, gen expects %q", nr, got, name)
		}
		t.ARMPrivate[off] = name
	}

	for abi, m := range map[string]map[uint32]string{
		"x86_64": t.X86_64, "i386": t.I386, "x32": t.X32, "aarch64": t.AArch64, "arm": t.ARM,
	} {
		if len(m) == 0 {
			return nil, fmt.Errorf("%s: empty table", abi)
		}
		seen := make(map[string]uint32, len(m))
		for _, nr := range sortedKeys(m) {
			if nr >= maxNumber {
				return nil, fmt.Errorf("%s: number %d (%q) too large for an indexed table", abi, nr, m[nr])
			}
			if prev, dup := seen[m[nr]]; dup {
				return nil, fmt.Errorf("%s: %q is both %d and %d", abi, m[nr], prev, nr)
			}
			seen[m[nr]] = nr
		}
	}
	return &t, nil
}

func sortedKeys(m map[uint32]string) []uint32 {
	keys := make([]uint32, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// render returns the gofmt'ed source of zsyscalls.go.
func render(in input, t *tables) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("// Code generated by gen; DO NOT EDIT.\n")
	fmt.Fprintf(&b, "// Source: Linux %s syscall tables, as packaged by %s %s (package arch),\n", in.LinuxVersion, seccompModule, in.ModuleVersion)
	b.WriteString("// with the x32, aarch64 and arm corrections in gen/main.go.\n\n")
	b.WriteString("package systab\n")

	table := func(name, doc string, m map[uint32]string) {
		fmt.Fprintf(&b, "\n// %s %s\n", name, doc)
		fmt.Fprintf(&b, "var %s = [...]string{\n", name)
		for _, nr := range sortedKeys(m) {
			fmt.Fprintf(&b, "\t%d: %q,\n", nr, m[nr])
		}
		b.WriteString("}\n")
	}
	table("x86_64Names", "is indexed by x86_64 number: the common and 64 entries of\n// arch/x86/entry/syscalls/syscall_64.tbl.", t.X86_64)
	table("i386Names", "is indexed by i386 number: arch/x86/entry/syscalls/syscall_32.tbl.", t.I386)
	table("x32Names", "is indexed by x32 number without X32Bit: the common and x32 entries\n// of arch/x86/entry/syscalls/syscall_64.tbl.", t.X32)
	table("aarch64Names", "is indexed by aarch64 number: the 64-bit asm-generic table.", t.AArch64)
	table("armNames", "is indexed by arm EABI number: the common and eabi entries of\n// arch/arm/tools/syscall.tbl.", t.ARM)
	table("armPrivateNames", "is indexed by arm private number minus armPrivateBase\n// (__ARM_NR_BASE): arch/arm/include/uapi/asm/unistd.h.", t.ARMPrivate)

	src, err := format.Source(b.Bytes())
	if err != nil {
		return nil, fmt.Errorf("gofmt generated source: %v", err)
	}
	return src, nil
}

var basedOnRE = regexp.MustCompile(`(?m)^// Based on Linux (v[0-9]+\.[0-9]+(?:\.[0-9]+)?)\.$`)

// readInput returns the arch package's tables with the module's version (as
// the main module's build list has it) and the kernel version stamped in its
// generated source. It needs the module in the module cache (go mod download),
// not the network.
func readInput() (input, error) {
	out, err := exec.Command("go", "list", "-m", "-json", seccompModule).Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			err = fmt.Errorf("%v: %s", err, bytes.TrimSpace(ee.Stderr))
		}
		return input{}, fmt.Errorf("go list -m %s: %v", seccompModule, err)
	}
	var mod struct{ Version, Dir string }
	if err := json.Unmarshal(out, &mod); err != nil {
		return input{}, fmt.Errorf("go list -m %s: %v", seccompModule, err)
	}
	if mod.Dir == "" {
		return input{}, fmt.Errorf("%s %s is not in the module cache: run go mod download", seccompModule, mod.Version)
	}
	src, err := os.ReadFile(filepath.Join(mod.Dir, "arch", "zsyscalls.go"))
	if err != nil {
		return input{}, err
	}
	m := basedOnRE.FindSubmatch(src)
	if m == nil {
		return input{}, fmt.Errorf("%s %s: no \"Based on Linux\" line in arch/zsyscalls.go", seccompModule, mod.Version)
	}
	return input{
		ModuleVersion: mod.Version,
		LinuxVersion:  string(m[1]),
		X86_64:        arch.X86_64.SyscallNumbers,
		I386:          arch.I386.SyscallNumbers,
		X32:           arch.X32.SyscallNumbers,
		AArch64:       arch.AARCH64.SyscallNumbers,
		ARM:           arch.ARM.SyscallNumbers,
	}, nil
}

// generate returns what zsyscalls.go must hold.
func generate() ([]byte, error) {
	in, err := readInput()
	if err != nil {
		return nil, err
	}
	t, err := correct(in)
	if err != nil {
		return nil, err
	}
	return render(in, t)
}

func main() {
	out := flag.String("o", "zsyscalls.go", "file to write (or check)")
	check := flag.Bool("check", false, "do not write: exit 1 if the file differs from what gen would write")
	flag.Parse()

	src, err := generate()
	if err == nil {
		err = genfile.WriteOrCheck(*out, src, *check, "go generate ./tracer/systab")
	}
	genfile.Main(err)
}

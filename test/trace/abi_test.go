package trace_test

import (
	"testing"

	"github.com/sysgate/sysgate/observation"
)

// Calls through another ABI than the process's: int 0x80 (i386) and x32
// numbers from 64-bit code. Each is probed untraced first; where the kernel
// refuses the ABI the test says so and skips.

// abiCount returns the observation's count of nr under abi (x32 numbers
// with or without __X32_SYSCALL_BIT) and its name.
func abiCount(obs *observation.Observation, abi string, nr uint32) (uint64, string) {
	var n uint64
	var name string
	for _, s := range obs.Syscalls {
		if keyOf(s.ABI, s.Nr) == keyOf(abi, nr) {
			n += s.Count
			name = s.Name
		}
	}
	return n, name
}

func TestABIi386(t *testing.T) {
	t.Parallel()
	argv := []string{victim("abi"), "i386"}
	u := runUntraced(t, argv...)
	switch u.Code {
	case 0:
	case 128 + 11:
		t.Skip("kernel refuses the i386 ABI: int 0x80 from 64-bit code raises SIGSEGV (no IA32 emulation)")
	default:
		t.Fatalf("untraced probe: status %d, want 0 or SIGSEGV\n%s%s", u.Code, u.Stdout, u.Stderr)
	}
	straceCase(t, argv, 0,
		check{"abi", func(t *testing.T, r *result) {
			if n, name := abiCount(r.Obs, "i386", 20); n != 1 || name != "getpid" {
				t.Errorf("i386 20: count %d name %q, want count 1, name getpid; syscalls: %+v", n, name, r.Obs.Syscalls)
			}
		}},
	)
}

func TestABIx32(t *testing.T) {
	t.Parallel()
	argv := []string{victim("abi"), "x32"}
	u := runUntraced(t, argv...)
	switch u.Code {
	case 0:
	case 38:
		t.Skip("kernel refuses the x32 ABI: syscall with rax=0x40000000|39 returns ENOSYS (CONFIG_X86_X32_ABI off)")
	default:
		t.Fatalf("untraced probe: status %d, want 0 or 38 (ENOSYS)\n%s%s", u.Code, u.Stdout, u.Stderr)
	}
	straceCase(t, argv, 0,
		check{"abi", func(t *testing.T, r *result) {
			if n, name := abiCount(r.Obs, "x32", 39); n != 1 || name != "getpid" {
				t.Errorf("x32 39: count %d name %q, want count 1, name getpid; syscalls: %+v", n, name, r.Obs.Syscalls)
			}
		}},
	)
}

// TestABIx32Attempt holds where the kernel refuses x32 too: the call still
// enters the kernel (which fails it ENOSYS), so a program trying x32 numbers
// to slip past an x86_64-only view must be seen, under abi x32.
func TestABIx32Attempt(t *testing.T) {
	t.Parallel()
	argv := []string{victim("abi"), "x32"}
	u := runUntraced(t, argv...)
	if u.Code != 0 && u.Code != 38 {
		t.Fatalf("untraced probe: status %d, want 0 or 38 (ENOSYS)\n%s%s", u.Code, u.Stdout, u.Stderr)
	}
	straceCase(t, argv, u.Code,
		check{"abi", func(t *testing.T, r *result) {
			if n, name := abiCount(r.Obs, "x32", 39); n != 1 || name != "getpid" {
				t.Errorf("x32 39: count %d name %q, want count 1, name getpid; syscalls: %+v", n, name, r.Obs.Syscalls)
			}
			for _, c := range r.Obs.Calls {
				if c.ABI == "x32" && u.Code == 38 && len(c.Errors) > 0 {
					wantErrors(t, c, map[string]uint64{"ENOSYS": 1})
				}
			}
		}},
	)
}

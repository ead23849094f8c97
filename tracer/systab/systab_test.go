package systab

import "testing"

func TestName(t *testing.T) {
	tests := []struct {
		abi  ABI
		nr   uint32
		want string
	}{
		{X86_64, 0, "read"},
		{X86_64, 13, "rt_sigaction"},
		{X86_64, 39, "getpid"},
		{X86_64, 59, "execve"},
		{X86_64, 134, "uselib"}, // no entry point, but the kernel names it
		{X86_64, 257, "openat"},
		{X86_64, 262, "newfstatat"},
		{X86_64, 334, "rseq"},
		{X86_64, 435, "clone3"},
		{X86_64, 467, "open_tree_attr"},

		{I386, 0, "restart_syscall"},
		{I386, 1, "exit"},
		{I386, 11, "execve"},
		{I386, 20, "getpid"},
		{I386, 102, "socketcall"},
		{I386, 174, "rt_sigaction"},
		{I386, 192, "mmap2"},
		{I386, 295, "openat"},
		{I386, 435, "clone3"},

		{X32, X32Bit, "read"},
		{X32, X32Bit | 39, "getpid"},
		{X32, X32Bit | 257, "openat"},
		{X32, X32Bit | 512, "rt_sigaction"},
		{X32, X32Bit | 514, "ioctl"},
		{X32, X32Bit | 520, "execve"},
		{X32, X32Bit | 521, "ptrace"},
		{X32, X32Bit | 547, "pwritev2"},
		{X32, 39, "getpid"}, // without X32Bit
		{X32, 520, "execve"},

		{AArch64, 56, "openat"},
		{AArch64, 79, "newfstatat"},
		{AArch64, 134, "rt_sigaction"},
		{AArch64, 172, "getpid"},
		{AArch64, 220, "clone"},
		{AArch64, 221, "execve"},
		{AArch64, 435, "clone3"},

		{ARM, 0, "restart_syscall"},
		{ARM, 11, "execve"},
		{ARM, 20, "getpid"},
		{ARM, 120, "clone"},
		{ARM, 322, "openat"},
		{ARM, 0x0f0001, "breakpoint"},
		{ARM, 0x0f0002, "cacheflush"},
		{ARM, 0x0f0003, "usr26"},
		{ARM, 0x0f0004, "usr32"},
		{ARM, 0x0f0005, "set_tls"},
		{ARM, 0x0f0006, "get_tls"},
	}
	for _, tt := range tests {
		got, ok := Name(tt.abi, tt.nr)
		if got != tt.want || !ok {
			t.Errorf("Name(%v, %#x) = %q, %v; want %q, true", tt.abi, tt.nr, got, ok, tt.want)
		}
	}
}

func TestNameUnknown(t *testing.T) {
	tests := []struct {
		abi ABI
		nr  uint32
	}{
		{X86_64, 1000},
		{X86_64, 0xffffffff},
		{X86_64, 512},         // x32's own range
		{X86_64, X32Bit | 39}, // an x32 number is not an x86_64 one
		{I386, 1000},
		{I386, 0xffffffff},
		{I386, 222},         // hole in syscall_32.tbl
		{X32, X32Bit | 13},  // rt_sigaction: x86_64 only, x32's is 512
		{X32, X32Bit | 16},  // ioctl: x86_64 only, x32's is 514
		{X32, X32Bit | 59},  // execve: x86_64 only, x32's is 520
		{X32, X32Bit | 101}, // ptrace: x86_64 only, x32's is 521
		{X32, X32Bit | 134}, // uselib: x86_64 only
		{X32, X32Bit | 548},
		{X32, X32Bit | 1000},
		{X32, 59},
		{X32, 0xffffffff},
		{AArch64, 244}, // __NR_arch_specific_syscall: not a call
		{AArch64, 403}, // clock_gettime64: 32-bit only
		{AArch64, 423}, // sched_rr_get_interval_time64: 32-bit only
		{AArch64, 1000},
		{AArch64, 0xffffffff},
		{ARM, 7}, // waitpid: OABI only
		{ARM, 1000},
		{ARM, 0x0f0000}, // __ARM_NR_BASE itself
		{ARM, 0x0f0007},
		{ARM, 0xffffffff},
		{Unknown, 39},
		{ABI(200), 39},
	}
	for _, tt := range tests {
		if got, ok := Name(tt.abi, tt.nr); got != "" || ok {
			t.Errorf("Name(%v, %#x) = %q, %v; want \"\", false", tt.abi, tt.nr, got, ok)
		}
	}
}

func TestNumber(t *testing.T) {
	tests := []struct {
		abi  ABI
		name string
		want uint32
	}{
		{X86_64, "getpid", 39},
		{X86_64, "execve", 59},
		{X86_64, "openat", 257},
		{X86_64, "clone3", 435},
		{I386, "execve", 11},
		{I386, "socketcall", 102},
		{I386, "openat", 295},
		{X32, "getpid", X32Bit | 39},
		{X32, "execve", X32Bit | 520},
		{X32, "rt_sigaction", X32Bit | 512},
		{X32, "ioctl", X32Bit | 514},
		{AArch64, "openat", 56},
		{AArch64, "newfstatat", 79},
		{AArch64, "execve", 221},
		{ARM, "getpid", 20},
		{ARM, "openat", 322},
		{ARM, "set_tls", 0x0f0005},
		{ARM, "breakpoint", 0x0f0001},
	}
	for _, tt := range tests {
		got, ok := Number(tt.abi, tt.name)
		if got != tt.want || !ok {
			t.Errorf("Number(%v, %q) = %#x, %v; want %#x, true", tt.abi, tt.name, got, ok, tt.want)
		}
	}

	unknown := []struct {
		abi  ABI
		name string
	}{
		{X86_64, "socketcall"},
		{X86_64, "no_such_call"},
		{X86_64, ""},
		{I386, "set_tls"},
		{AArch64, "open"},
		{AArch64, "fork"},
		{AArch64, "fstatat"},
		{AArch64, "clock_gettime64"},
		{AArch64, "arch_specific_syscall"},
		{ARM, "socketcall"},
		{Unknown, "getpid"},
		{ABI(200), "getpid"},
	}
	for _, tt := range unknown {
		if got, ok := Number(tt.abi, tt.name); got != 0 || ok {
			t.Errorf("Number(%v, %q) = %#x, %v; want 0, false", tt.abi, tt.name, got, ok)
		}
	}
}

// TestRoundTrip checks that every named number maps back to itself: no ABI
// names two numbers alike, and x32 numbers come back with X32Bit.
func TestRoundTrip(t *testing.T) {
	counts := map[ABI]int{}
	for _, abi := range []ABI{X86_64, I386, X32, AArch64, ARM} {
		check := func(nr uint32) {
			name, ok := Name(abi, nr)
			if !ok {
				return
			}
			counts[abi]++
			want := nr
			if abi == X32 {
				want |= X32Bit
			}
			if got, ok := Number(abi, name); got != want || !ok {
				t.Errorf("Number(%v, %q) = %#x, %v; want %#x, true", abi, name, got, ok, want)
			}
		}
		for nr := uint32(0); nr < 4096; nr++ {
			check(nr)
		}
		if abi == ARM {
			for nr := uint32(armPrivateBase); nr < armPrivateBase+0x800; nr++ {
				check(nr)
			}
		}
	}
	// Sizes of the Linux 6.15 tables, so that a table that loses or gains
	// entries is noticed.
	want := map[ABI]int{X86_64: 380, I386: 457, X32: 369, AArch64: 323, ARM: 426}
	for abi, n := range want {
		if counts[abi] != n {
			t.Errorf("%v: %d named numbers, want %d", abi, counts[abi], n)
		}
	}
}

func TestNameNoAlloc(t *testing.T) {
	var sink string
	allocs := testing.AllocsPerRun(100, func() {
		for _, abi := range []ABI{X86_64, I386, X32, AArch64, ARM, Unknown} {
			for _, nr := range []uint32{39, 59, X32Bit | 520, 0x0f0005, 1000, 0xffffffff} {
				s, _ := Name(abi, nr)
				sink = s
			}
		}
	})
	_ = sink
	if allocs != 0 {
		t.Errorf("Name allocates %v times per run", allocs)
	}
}

func TestFromAudit(t *testing.T) {
	tests := []struct {
		arch uint32
		nr   uint32
		want ABI
	}{
		{AuditArchX86_64, 39, X86_64},
		{AuditArchX86_64, 0, X86_64},
		{AuditArchX86_64, X32Bit | 39, X32},
		{AuditArchX86_64, X32Bit | 520, X32},
		{AuditArchI386, 11, I386},
		{AuditArchI386, X32Bit | 11, I386},
		{AuditArchAArch64, 221, AArch64},
		{AuditArchARM, 11, ARM},
		{AuditArchARM, 0x0f0005, ARM},
		{0, 39, Unknown},
		{0x4000003e, 39, Unknown}, // x86_64 without __AUDIT_ARCH_64BIT
		{0xc0000015, 39, Unknown}, // ppc64le
	}
	for _, tt := range tests {
		if got := FromAudit(tt.arch, tt.nr); got != tt.want {
			t.Errorf("FromAudit(%#x, %#x) = %v; want %v", tt.arch, tt.nr, got, tt.want)
		}
	}
}

func TestABIString(t *testing.T) {
	tests := map[ABI]string{
		Unknown:  "unknown",
		X86_64:   "x86_64",
		I386:     "i386",
		X32:      "x32",
		AArch64:  "aarch64",
		ARM:      "arm",
		ABI(6):   "unknown",
		ABI(255): "unknown",
	}
	for abi, want := range tests {
		if got := abi.String(); got != want {
			t.Errorf("ABI(%d).String() = %q; want %q", uint8(abi), got, want)
		}
	}
}

func BenchmarkName(b *testing.B) {
	nrs := []uint32{0, 39, 59, 257, 435, 1000}
	var sink string
	for i := 0; b.Loop(); i++ {
		sink, _ = Name(X86_64, nrs[i%len(nrs)])
	}
	_ = sink
}

func BenchmarkNameX32(b *testing.B) {
	var sink string
	for b.Loop() {
		sink, _ = Name(X32, X32Bit|520)
	}
	_ = sink
}

func BenchmarkNumber(b *testing.B) {
	var sink uint32
	for b.Loop() {
		sink, _ = Number(X86_64, "openat")
	}
	_ = sink
}

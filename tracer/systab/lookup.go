package systab

import "sync"

//go:generate go run ./gen -o zsyscalls.go

// armPrivateBase is __ARM_NR_BASE: arm's private calls (set_tls, cacheflush,
// ...) are numbered from it, outside the syscall table.
const armPrivateBase = 0x0f0000

// Name returns the syscall's name in abi's table, and false when no table
// knows the number. For x32, nr may carry X32Bit or not.
//
// Name does not allocate: it indexes a generated array.
func Name(abi ABI, nr uint32) (string, bool) {
	var s string
	switch abi {
	case X86_64:
		if nr < uint32(len(x86_64Names)) {
			s = x86_64Names[nr]
		}
	case I386:
		if nr < uint32(len(i386Names)) {
			s = i386Names[nr]
		}
	case X32:
		if nr &^= X32Bit; nr < uint32(len(x32Names)) {
			s = x32Names[nr]
		}
	case AArch64:
		if nr < uint32(len(aarch64Names)) {
			s = aarch64Names[nr]
		}
	case ARM:
		if nr < uint32(len(armNames)) {
			s = armNames[nr]
		} else if off := nr - armPrivateBase; off < uint32(len(armPrivateNames)) {
			s = armPrivateNames[off]
		}
	}
	return s, s != ""
}

// Number returns the number of the named syscall in abi's table (for x32, with
// X32Bit set), and false when that ABI has no such call.
func Number(abi ABI, name string) (uint32, bool) {
	if int(abi) >= len(abiNames) {
		return 0, false
	}
	nr, ok := numbers()[abi][name]
	return nr, ok
}

// numbers maps names back to numbers, per ABI; it is built on first use.
var numbers = sync.OnceValue(func() *[len(abiNames)]map[string]uint32 {
	var m [len(abiNames)]map[string]uint32
	add := func(abi ABI, names []string, base uint32) {
		if m[abi] == nil {
			m[abi] = make(map[string]uint32, len(names))
		}
		for i, name := range names {
			if name == "" {
				continue
			}
			if _, dup := m[abi][name]; !dup {
				m[abi][name] = base + uint32(i)
			}
		}
	}
	add(X86_64, x86_64Names[:], 0)
	add(I386, i386Names[:], 0)
	add(X32, x32Names[:], X32Bit)
	add(AArch64, aarch64Names[:], 0)
	add(ARM, armNames[:], 0)
	add(ARM, armPrivateNames[:], armPrivateBase)
	return &m
})

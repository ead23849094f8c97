// Package systab maps syscall numbers to names for each ABI a Linux process can
// call the kernel through: x86_64, i386 (int 0x80), x32, aarch64 and arm.
// The tables are generated (see gen/), with the kernel version they come from
// stamped in the generated file.
package systab

// ABI is the calling convention a syscall was made through, which is not
// always the process's architecture (int 0x80 from 64-bit code is i386).
type ABI uint8

// The ABIs sysgate knows.
const (
	Unknown ABI = iota
	X86_64
	I386
	X32
	AArch64
	ARM
)

var abiNames = [...]string{Unknown: "unknown", X86_64: "x86_64", I386: "i386", X32: "x32", AArch64: "aarch64", ARM: "arm"}

// String returns the name used in observations: x86_64, i386, x32, aarch64, arm.
func (a ABI) String() string {
	if int(a) < len(abiNames) {
		return abiNames[a]
	}
	return "unknown"
}

// Audit architecture values (linux/audit.h) as PTRACE_GET_SYSCALL_INFO reports them.
const (
	AuditArchX86_64  = 0xc000003e
	AuditArchI386    = 0x40000003
	AuditArchAArch64 = 0xc00000b7
	AuditArchARM     = 0x40000028
)

// X32Bit is __X32_SYSCALL_BIT: set in the number of every x32 call.
const X32Bit = 0x40000000

// FromAudit returns the ABI of a call from the audit arch and the (low 32 bits
// of the) syscall number that the kernel reported.
func FromAudit(arch uint32, nr uint32) ABI {
	switch arch {
	case AuditArchX86_64:
		if nr&X32Bit != 0 {
			return X32
		}
		return X86_64
	case AuditArchI386:
		return I386
	case AuditArchAArch64:
		return AArch64
	case AuditArchARM:
		return ARM
	}
	return Unknown
}

package record

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/sysgate/sysgate/observation"
	"github.com/sysgate/sysgate/tracer/systab"
)

// Profile is an OCI runtime-spec seccomp profile (config.json's
// linux.seccomp), which Podman, Docker and Kubernetes also read from a file.
type Profile struct {
	DefaultAction   string        `json:"defaultAction"`
	DefaultErrnoRet *uint         `json:"defaultErrnoRet,omitempty"`
	Architectures   []string      `json:"architectures"`
	Syscalls        []SyscallRule `json:"syscalls"`
}

// SyscallRule applies Action to the named calls, when every Arg holds.
type SyscallRule struct {
	Names    []string `json:"names"`
	Action   string   `json:"action"`
	ErrnoRet *uint    `json:"errnoRet,omitempty"`
	Args     []Arg    `json:"args,omitempty"`
}

// Arg compares argument Index: for SCMP_CMP_MASKED_EQ, (arg & Value) ==
// ValueTwo; for SCMP_CMP_EQ, arg == Value.
type Arg struct {
	Index    uint   `json:"index"`
	Value    uint64 `json:"value"`
	ValueTwo uint64 `json:"valueTwo"`
	Op       string `json:"op"`
}

// Errno values, the same on x86 and arm.
const (
	errnoEPERM  = 1
	errnoENOSYS = 38
)

// RuntimeSyscalls are what the container runtime itself calls between
// loading the filter and executing the entrypoint: runc (a Go program)
// loads it before dropping capabilities and switching user, then waits on
// its exec fifo and execs; crun loads it just before execve. The Go
// runtime's own calls (threads, signals, memory) are included. fstatfs is
// runc 1.1's check that /proc/self/fd is procfs before it closes inherited
// descriptors (found by the round trip in cmd/sysgate's scan tests).
var RuntimeSyscalls = []string{
	"brk", "capget", "capset", "chdir", "clone", "close", "close_range", "dup3",
	"epoll_ctl", "epoll_pwait", "execve", "exit", "exit_group", "faccessat2",
	"fchdir", "fchown", "fcntl", "fstat", "fstatfs", "futex", "getdents64", "getegid",
	"geteuid", "getgid", "getpid", "getppid", "gettid", "getuid", "madvise",
	"mmap", "mprotect", "munmap", "nanosleep", "newfstatat", "openat", "prctl",
	"read", "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "sched_getaffinity",
	"sched_yield", "setgid", "setgroups", "setresgid", "setresuid", "setuid",
	"sigaltstack", "tgkill", "write",
}

// DeniedSyscalls get EPERM when the runs did not make them: container
// escape and kernel attack surface, as in the built-in escape pack.
var DeniedSyscalls = []string{
	"acct", "add_key", "adjtimex", "bpf", "chroot", "clock_adjtime", "clock_adjtime64",
	"clock_settime", "clock_settime64", "delete_module", "finit_module", "fsconfig",
	"fsmount", "fsopen", "fspick", "init_module", "ioperm", "iopl", "kexec_file_load",
	"kexec_load", "keyctl", "lookup_dcookie", "modify_ldt", "mount", "mount_setattr",
	"move_mount", "name_to_handle_at", "nfsservctl", "open_by_handle_at", "open_tree",
	"perf_event_open", "personality", "pivot_root", "process_vm_readv",
	"process_vm_writev", "ptrace", "quotactl", "quotactl_fd", "reboot", "request_key",
	"setdomainname", "sethostname", "setns", "settimeofday", "stime", "swapoff",
	"swapon", "syslog", "umount", "umount2", "unshare", "uselib", "userfaultfd",
	"vhangup", "vm86", "vm86old",
}

// platform is one image platform's seccomp architectures and traced ABIs.
type platform struct {
	archs []string
	abis  []systab.ABI
}

var (
	amd64 = platform{[]string{"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"}, []systab.ABI{systab.X86_64, systab.I386, systab.X32}}
	arm64 = platform{[]string{"SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"}, []systab.ABI{systab.AArch64, systab.ARM}}
)

// seccompFacts is what the profile needs of the runs.
type seccompFacts struct {
	names      map[string]bool
	abis       map[string]bool
	imageArchs map[string]bool
	clone      map[string]bool // clone flag names seen
	unshare    map[string]bool // unshare flag names seen; "" when unknown
	personas   map[string]bool
	families   map[string]map[string]bool // socket, socketpair → families
}

func newSeccompFacts() *seccompFacts {
	return &seccompFacts{names: map[string]bool{}, abis: map[string]bool{}, imageArchs: map[string]bool{},
		clone: map[string]bool{}, unshare: map[string]bool{}, personas: map[string]bool{},
		families: map[string]map[string]bool{"socket": {}, "socketpair": {}}}
}

func (s *seccompFacts) addSubject(o *observation.Observation) {
	if o.Subject.Image != nil && o.Subject.Image.Arch != "" {
		s.imageArchs[o.Subject.Image.Arch] = true
	}
}

// add notes one call: its name, and the arguments the profile conditions on.
func (s *seccompFacts) add(c *observation.Call) {
	s.abis[c.ABI] = true
	if c.Name == "" {
		return
	}
	s.names[c.Name] = true
	flags, _ := c.Args.Get("flags")
	switch c.Name {
	case "clone":
		addTokens(s.clone, flags)
	case "unshare":
		if _, bad := c.Args.Get("unreadable"); bad {
			s.unshare[""] = true
		}
		addTokens(s.unshare, flags)
	case "personality":
		persona, ok := c.Args.Get("persona")
		s.personas[persona] = ok || s.personas[persona]
	case "socket", "socketpair":
		fam, _ := c.Args.Get("family")
		s.families[c.Name][fam] = true
	}
}

func addTokens(set map[string]bool, flags string) {
	if flags == "" {
		return
	}
	for _, t := range strings.Split(flags, "|") {
		set[t] = true
	}
}

// platforms are those of the images traced, or else of the ABIs seen.
func (s *seccompFacts) platforms() []platform {
	var amd, arm bool
	for a := range s.imageArchs {
		amd = amd || a == "amd64" || a == "x86_64" || a == "386"
		arm = arm || a == "arm64" || a == "aarch64" || strings.HasPrefix(a, "arm")
	}
	if !amd && !arm {
		amd = s.abis["x86_64"] || s.abis["i386"] || s.abis["x32"]
		arm = s.abis["aarch64"] || s.abis["arm"]
	}
	var out []platform
	if amd || !arm {
		out = append(out, amd64)
	}
	if arm {
		out = append(out, arm64)
	}
	return out
}

// Seccomp returns the OCI seccomp profile as indented JSON: the calls the
// runs made and RuntimeSyscalls allowed, clone, unshare, personality,
// socket and socketpair allowed only with the arguments seen, clone3 refused
// with ENOSYS (so libc falls back to clone, whose flags the filter can
// check), DeniedSyscalls not seen refused with EPERM, and everything else
// with ENOSYS.
func (b *Baseline) Seccomp() ([]byte, error) {
	p := b.sys.profile()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(p); err != nil {
		return nil, fmt.Errorf("encode seccomp profile: %w", err)
	}
	return buf.Bytes(), nil
}

func uintp(v uint) *uint { return &v }

func (s *seccompFacts) profile() *Profile {
	plats := s.platforms()
	p := &Profile{DefaultAction: "SCMP_ACT_ERRNO", DefaultErrnoRet: uintp(errnoENOSYS)}
	var abis []systab.ABI
	for _, pl := range plats {
		p.Architectures = append(p.Architectures, pl.archs...)
		abis = append(abis, pl.abis...)
	}
	known := func(name string) bool { return knownOn(abis, name) }
	conditional := s.conditionalRules()
	allowed := s.allowedNames(conditional, known)
	if len(allowed) > 0 {
		p.Syscalls = append(p.Syscalls, SyscallRule{Names: allowed, Action: "SCMP_ACT_ALLOW"})
	}
	for _, r := range conditional {
		if known(r.Names[0]) {
			p.Syscalls = append(p.Syscalls, r)
		}
	}
	if denied := s.deniedNames(allowed, conditional, known); len(denied) > 0 {
		p.Syscalls = append(p.Syscalls, SyscallRule{Names: denied, Action: "SCMP_ACT_ERRNO", ErrnoRet: uintp(errnoEPERM)})
	}
	p.Syscalls = append(p.Syscalls, SyscallRule{Names: []string{"clone3"}, Action: "SCMP_ACT_ERRNO", ErrnoRet: uintp(errnoENOSYS)})
	return p
}

func knownOn(abis []systab.ABI, name string) bool {
	for _, abi := range abis {
		if _, ok := systab.Number(abi, name); ok {
			return true
		}
	}
	return false
}

// allowedNames are the names seen and the runtime's, less those with
// conditions and clone3, sorted.
func (s *seccompFacts) allowedNames(conditional []SyscallRule, known func(string) bool) []string {
	set := map[string]bool{}
	for n := range s.names {
		set[n] = true
	}
	for _, n := range RuntimeSyscalls {
		set[n] = true
	}
	delete(set, "clone3")
	for _, r := range conditional {
		delete(set, r.Names[0])
	}
	var out []string
	for n := range set {
		if known(n) {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// deniedNames are DeniedSyscalls neither allowed nor conditionally allowed.
func (s *seccompFacts) deniedNames(allowed []string, conditional []SyscallRule, known func(string) bool) []string {
	taken := map[string]bool{"clone3": true}
	for _, n := range allowed {
		taken[n] = true
	}
	for _, r := range conditional {
		taken[r.Names[0]] = true
	}
	var out []string
	for _, n := range DeniedSyscalls {
		if !taken[n] && known(n) {
			out = append(out, n)
		}
	}
	return out
}

// conditionalRules allow clone, unshare, personality, socket and
// socketpair with the arguments the runs used. A call whose arguments
// cannot be turned into a condition is allowed without one.
func (s *seccompFacts) conditionalRules() []SyscallRule {
	var out []SyscallRule
	out = append(out, s.cloneRule())
	if s.names["unshare"] {
		out = append(out, s.unshareRule())
	}
	if s.names["personality"] {
		out = append(out, s.personalityRules()...)
	}
	for _, name := range []string{"socket", "socketpair"} {
		if s.names[name] {
			out = append(out, s.familyRules(name)...)
		}
	}
	return out
}

func allow(name string, args ...Arg) SyscallRule {
	return SyscallRule{Names: []string{name}, Action: "SCMP_ACT_ALLOW", Args: args}
}

// Clone flags (linux/sched.h) the profile refuses unless seen.
var cloneDeny = map[string]uint64{
	"CLONE_NEWNS": 0x20000, "CLONE_UNTRACED": 0x800000, "CLONE_NEWCGROUP": 0x2000000,
	"CLONE_NEWUTS": 0x4000000, "CLONE_NEWIPC": 0x8000000, "CLONE_NEWUSER": 0x10000000,
	"CLONE_NEWPID": 0x20000000, "CLONE_NEWNET": 0x40000000,
}

// cloneRule allows clone without the namespace flags and CLONE_UNTRACED
// the runs did not use (Docker's default profile does the same for the
// namespace flags).
func (s *seccompFacts) cloneRule() SyscallRule {
	var mask uint64
	for name, bit := range cloneDeny {
		if !s.clone[name] {
			mask |= bit
		}
	}
	if mask == 0 {
		return allow("clone")
	}
	return allow("clone", Arg{Index: 0, Value: mask, ValueTwo: 0, Op: "SCMP_CMP_MASKED_EQ"})
}

// unshareFlags are the bits unshare takes (linux/sched.h).
var unshareFlags = map[string]uint64{
	"CLONE_NEWTIME": 0x80, "CLONE_FS": 0x200, "CLONE_FILES": 0x400, "CLONE_NEWNS": 0x20000,
	"CLONE_SYSVSEM": 0x40000, "CLONE_NEWCGROUP": 0x2000000, "CLONE_NEWUTS": 0x4000000,
	"CLONE_NEWIPC": 0x8000000, "CLONE_NEWUSER": 0x10000000, "CLONE_NEWPID": 0x20000000,
	"CLONE_NEWNET": 0x40000000, "CLONE_THREAD": 0x10000, "CLONE_SIGHAND": 0x800,
	"CLONE_VM": 0x100,
}

// unshareRule allows unshare with no flags beyond those seen.
func (s *seccompFacts) unshareRule() SyscallRule {
	var seen uint64
	for name := range s.unshare {
		bit, ok := unshareFlags[name]
		if !ok {
			return allow("unshare")
		}
		seen |= bit
	}
	return allow("unshare", Arg{Index: 0, Value: 0xffffffff &^ seen, ValueTwo: 0, Op: "SCMP_CMP_MASKED_EQ"})
}

// personalityRules allow each persona value seen.
func (s *seccompFacts) personalityRules() []SyscallRule {
	var vals []uint64
	for persona, ok := range s.personas {
		v, parsed := parsePersona(persona)
		if !ok || !parsed {
			return []SyscallRule{allow("personality")}
		}
		vals = append(vals, v)
	}
	return eqRules("personality", vals)
}

// familyRules allow socket or socketpair with each family seen.
func (s *seccompFacts) familyRules(name string) []SyscallRule {
	var vals []uint64
	for fam := range s.families[name] {
		v, ok := familyNumber(fam)
		if !ok {
			return []SyscallRule{allow(name)}
		}
		vals = append(vals, v)
	}
	return eqRules(name, vals)
}

// eqRules allows name when argument 0 equals one of vals.
func eqRules(name string, vals []uint64) []SyscallRule {
	sort.Slice(vals, func(i, j int) bool { return vals[i] < vals[j] })
	var out []SyscallRule
	for i, v := range vals {
		if i > 0 && v == vals[i-1] {
			continue
		}
		out = append(out, allow(name, Arg{Index: 0, Value: v, ValueTwo: 0, Op: "SCMP_CMP_EQ"}))
	}
	return out
}

var personaFlags = map[string]uint64{
	"UNAME26": 0x0020000, "ADDR_NO_RANDOMIZE": 0x0040000, "FDPIC_FUNCPTRS": 0x0080000,
	"MMAP_PAGE_ZERO": 0x0100000, "ADDR_COMPAT_LAYOUT": 0x0200000, "READ_IMPLIES_EXEC": 0x0400000,
	"ADDR_LIMIT_32BIT": 0x0800000, "SHORT_INODE": 0x1000000, "WHOLE_SECONDS": 0x2000000,
	"STICKY_TIMEOUTS": 0x4000000, "ADDR_LIMIT_3GB": 0x8000000,
}

// parsePersona reads the decoder's persona ("PER_LINUX|ADDR_NO_RANDOMIZE",
// "0xffffffff") back into the argument's value.
func parsePersona(s string) (uint64, bool) {
	var v uint64
	for i, t := range strings.Split(s, "|") {
		switch {
		case i == 0 && t == "PER_LINUX":
		case i == 0 && t == "PER_LINUX32":
			v |= 8
		case strings.HasPrefix(t, "0x"):
			n, err := strconv.ParseUint(t[2:], 16, 32)
			if err != nil {
				return 0, false
			}
			v |= n
		default:
			bit, ok := personaFlags[t]
			if !ok {
				return 0, false
			}
			v |= bit
		}
	}
	return v, true
}

// familyNumber is the AF_* value of a family name, or of a decimal.
func familyNumber(s string) (uint64, bool) {
	if v, ok := families[s]; ok {
		return v, true
	}
	v, err := strconv.ParseUint(s, 10, 32)
	return v, err == nil
}

var families = map[string]uint64{
	"AF_UNSPEC": 0, "AF_UNIX": 1, "AF_INET": 2, "AF_AX25": 3, "AF_IPX": 4,
	"AF_APPLETALK": 5, "AF_NETROM": 6, "AF_BRIDGE": 7, "AF_ATMPVC": 8, "AF_X25": 9,
	"AF_INET6": 10, "AF_ROSE": 11, "AF_DECnet": 12, "AF_NETBEUI": 13, "AF_SECURITY": 14,
	"AF_KEY": 15, "AF_NETLINK": 16, "AF_PACKET": 17, "AF_ASH": 18, "AF_ECONET": 19,
	"AF_ATMSVC": 20, "AF_RDS": 21, "AF_SNA": 22, "AF_IRDA": 23, "AF_PPPOX": 24,
	"AF_WANPIPE": 25, "AF_LLC": 26, "AF_IB": 27, "AF_MPLS": 28, "AF_CAN": 29,
	"AF_TIPC": 30, "AF_BLUETOOTH": 31, "AF_IUCV": 32, "AF_RXRPC": 33, "AF_ISDN": 34,
	"AF_PHONET": 35, "AF_IEEE802154": 36, "AF_CAIF": 37, "AF_ALG": 38, "AF_NFC": 39,
	"AF_VSOCK": 40, "AF_KCM": 41, "AF_QIPCRTR": 42, "AF_SMC": 43, "AF_XDP": 44, "AF_MCTP": 45,
}

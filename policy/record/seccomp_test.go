package record

import (
	"encoding/json"
	"testing"

	"github.com/sysgate/sysgate/observation"
	"github.com/sysgate/sysgate/tracer/systab"
)

func profileOf(t *testing.T, arch string, calls ...observation.Call) *Profile {
	t.Helper()
	obs := &observation.Observation{Schema: observation.Schema, Complete: true, Calls: calls}
	if arch != "" {
		obs.Subject.Image = &observation.Image{Ref: "x", Arch: arch}
	}
	b, err := New([]Run{{Name: "run", Obs: obs}})
	if err != nil {
		t.Fatal(err)
	}
	data, err := b.Seccomp()
	if err != nil {
		t.Fatal(err)
	}
	var p Profile
	if err := json.Unmarshal(data, &p); err != nil {
		t.Fatal(err)
	}
	return &p
}

func c64(name string, kv ...string) observation.Call {
	c := observation.Call{Exe: "/app", ABI: "x86_64", Name: name, Count: 1}
	for i := 0; i+1 < len(kv); i += 2 {
		c.Args = append(c.Args, observation.Arg{Key: kv[i], Value: kv[i+1]})
	}
	return c
}

// rulesFor returns the profile's entries naming the syscall.
func rulesFor(p *Profile, name string) []SyscallRule {
	var out []SyscallRule
	for _, r := range p.Syscalls {
		for _, n := range r.Names {
			if n == name {
				out = append(out, r)
			}
		}
	}
	return out
}

func TestSeccompShape(t *testing.T) {
	p := profileOf(t, "", c64("read"), c64("ptrace", "request", "PTRACE_TRACEME"))
	if p.DefaultAction != "SCMP_ACT_ERRNO" || p.DefaultErrnoRet == nil || *p.DefaultErrnoRet != 38 {
		t.Errorf("default %s/%v, want SCMP_ACT_ERRNO with ENOSYS", p.DefaultAction, p.DefaultErrnoRet)
	}
	if len(p.Architectures) != 3 || p.Architectures[0] != "SCMP_ARCH_X86_64" {
		t.Errorf("architectures %v", p.Architectures)
	}
	for name, want := range map[string]string{"read": "SCMP_ACT_ALLOW", "execve": "SCMP_ACT_ALLOW", "ptrace": "SCMP_ACT_ALLOW", "mount": "SCMP_ACT_ERRNO", "bpf": "SCMP_ACT_ERRNO", "clone3": "SCMP_ACT_ERRNO"} {
		rs := rulesFor(p, name)
		if len(rs) != 1 || rs[0].Action != want {
			t.Errorf("%s: %+v, want one %s entry", name, rs, want)
		}
	}
	if r := rulesFor(p, "mount")[0]; *r.ErrnoRet != 1 {
		t.Errorf("mount errno %d, want EPERM", *r.ErrnoRet)
	}
	if r := rulesFor(p, "clone3")[0]; *r.ErrnoRet != 38 {
		t.Errorf("clone3 errno %d, want ENOSYS so that libc falls back to clone", *r.ErrnoRet)
	}
	if len(rulesFor(p, "io_uring_setup")) != 0 {
		t.Error("io_uring_setup listed: it is left to the default ENOSYS")
	}
	seen := map[string]bool{}
	for _, r := range p.Syscalls {
		for _, n := range r.Names {
			if seen[n] && n != "clone" {
				t.Errorf("%s in two entries", n)
			}
			seen[n] = true
			if !knownOn([]systab.ABI{systab.X86_64, systab.I386, systab.X32}, n) {
				t.Errorf("%s is no syscall of the profile's architectures", n)
			}
		}
	}
}

func TestSeccompCloneMask(t *testing.T) {
	p := profileOf(t, "amd64", c64("clone", "flags", "CLONE_VM|CLONE_THREAD"))
	rs := rulesFor(p, "clone")
	if len(rs) != 1 || len(rs[0].Args) != 1 || rs[0].Args[0] != (Arg{Index: 0, Value: 0x7e820000, ValueTwo: 0, Op: "SCMP_CMP_MASKED_EQ"}) {
		t.Errorf("clone: %+v, want MASKED_EQ of every namespace flag and CLONE_UNTRACED", rs)
	}
	p = profileOf(t, "amd64", c64("clone", "flags", "CLONE_NEWUSER|CLONE_NEWNS"))
	if a := rulesFor(p, "clone")[0].Args[0]; a.Value != 0x7e820000&^0x10020000 {
		t.Errorf("clone mask %#x: the flags seen must be allowed", a.Value)
	}
}

func TestSeccompArgumentConditions(t *testing.T) {
	p := profileOf(t, "amd64",
		c64("unshare", "flags", "CLONE_NEWNS"),
		c64("personality", "persona", "0xffffffff"),
		c64("personality", "persona", "PER_LINUX32"),
		c64("socket", "family", "AF_INET", "type", "SOCK_STREAM"),
		c64("socket", "family", "AF_UNIX", "type", "SOCK_DGRAM"),
	)
	un := rulesFor(p, "unshare")
	if len(un) != 1 || un[0].Args[0].Value != 0xffffffff&^0x20000 || un[0].Action != "SCMP_ACT_ALLOW" {
		t.Errorf("unshare: %+v", un)
	}
	var personas, families []uint64
	for _, r := range rulesFor(p, "personality") {
		personas = append(personas, r.Args[0].Value)
	}
	for _, r := range rulesFor(p, "socket") {
		families = append(families, r.Args[0].Value)
	}
	if len(personas) != 2 || personas[0] != 8 || personas[1] != 0xffffffff {
		t.Errorf("personality values %v, want [8 0xffffffff]", personas)
	}
	if len(families) != 2 || families[0] != 1 || families[1] != 2 {
		t.Errorf("socket families %v, want [AF_UNIX AF_INET]", families)
	}
	if len(rulesFor(p, "setns")) != 1 || rulesFor(p, "setns")[0].Action != "SCMP_ACT_ERRNO" {
		t.Error("setns, not seen, is not refused")
	}
}

func TestSeccompArm64(t *testing.T) {
	p := profileOf(t, "arm64", observation.Call{Exe: "/app", ABI: "aarch64", Name: "openat", Count: 1})
	if len(p.Architectures) != 2 || p.Architectures[0] != "SCMP_ARCH_AARCH64" || p.Architectures[1] != "SCMP_ARCH_ARM" {
		t.Errorf("architectures %v", p.Architectures)
	}
	for _, r := range p.Syscalls {
		for _, n := range r.Names {
			if !knownOn([]systab.ABI{systab.AArch64, systab.ARM}, n) {
				t.Errorf("%s is no arm syscall", n)
			}
		}
	}
	if len(rulesFor(p, "iopl")) != 0 {
		t.Error("iopl listed for arm64")
	}
}

func TestParsePersona(t *testing.T) {
	for s, want := range map[string]uint64{"PER_LINUX": 0, "PER_LINUX32": 8, "PER_LINUX|ADDR_NO_RANDOMIZE": 0x40000, "0xffffffff": 0xffffffff, "0x3|UNAME26": 0x20003} {
		if v, ok := parsePersona(s); !ok || v != want {
			t.Errorf("parsePersona(%q) = %#x %v, want %#x", s, v, ok, want)
		}
	}
	if _, ok := parsePersona("PER_BOGUS"); ok {
		t.Error("unknown persona parsed")
	}
}

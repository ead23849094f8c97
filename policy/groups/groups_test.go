package groups

import (
	"strings"
	"testing"
)

// Every member of every set is a syscall some ABI's table knows, or a set
// that exists: a name no table knows would allow or match nothing and hide a
// typo.
func TestMembersAreKnown(t *testing.T) {
	defined := map[string]bool{}
	for _, d := range defs {
		defined[d.name] = true
	}
	for _, d := range defs {
		seen := map[string]bool{}
		for _, m := range d.members {
			if seen[m] {
				t.Errorf("%s lists %s twice", d.name, m)
			}
			seen[m] = true
			if strings.HasPrefix(m, "@") {
				if !defined[m] {
					t.Errorf("%s includes undefined %s", d.name, m)
				}
				continue
			}
			if !IsSyscall(m) {
				t.Errorf("%s: %q is no syscall of any traced ABI", d.name, m)
			}
		}
	}
}

func TestSystemdSetsExist(t *testing.T) {
	for _, name := range []string{"@aio", "@basic-io", "@chown", "@clock", "@cpu-emulation",
		"@debug", "@default", "@file-system", "@io-event", "@ipc", "@keyring", "@known",
		"@memlock", "@module", "@mount", "@network-io", "@obsolete", "@pkey",
		"@privileged", "@process", "@raw-io", "@reboot", "@resources", "@sandbox",
		"@setuid", "@signal", "@swap", "@sync", "@system-service", "@timer"} {
		g, ok := Lookup(name)
		if !ok || len(g.Syscalls) == 0 || g.Description == "" {
			t.Errorf("Lookup(%s) = %v, %v; want a described, non-empty set", name, g, ok)
		}
	}
}

func TestMembership(t *testing.T) {
	tests := []struct {
		group, name string
		want        bool
	}{
		{"@mount", "mount", true},
		{"@mount", "umount2", true},
		{"@mount", "read", false},
		{"@privileged", "chown32", true}, // through @chown
		{"@privileged", "reboot", true},  // through @reboot
		{"@system-service", "openat", true},
		{"@system-service", "fstatat64", true},
		{"@system-service", "mount", false},
		{"@system-service", "ptrace", false},
		{"@known", "open_by_handle_at", true},
		{"@known", "not_a_call", false},
		{"@file-system", "newfstatat", true},
		{"@keyring", "keyctl", true},
	}
	for _, tt := range tests {
		g, ok := Lookup(tt.group)
		if !ok {
			t.Fatalf("no group %s", tt.group)
		}
		if got := g.Has(tt.name); got != tt.want {
			t.Errorf("%s.Has(%s) = %v, want %v", tt.group, tt.name, got, tt.want)
		}
	}
}

func TestAllSortedAndNamesMatch(t *testing.T) {
	all := All()
	names := Names()
	if len(all) != len(defs)+1 || len(names) != len(all) {
		t.Fatalf("%d groups, %d names, want %d", len(all), len(names), len(defs)+1)
	}
	for i := 1; i < len(names); i++ {
		if names[i-1] >= names[i] {
			t.Errorf("names not sorted: %s before %s", names[i-1], names[i])
		}
	}
	if _, ok := Lookup("mount"); ok {
		t.Error("a group without its @ was found")
	}
	if !IsSyscall("socketcall") || IsSyscall("@mount") || len(Syscalls()) < 400 {
		t.Errorf("IsSyscall or Syscalls wrong: %d names", len(Syscalls()))
	}
}

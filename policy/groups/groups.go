// Package groups names sets of syscalls, in the spirit of systemd's
// SystemCallFilter= sets (@mount, @privileged, @system-service...), for
// policies to allow or match many calls at once. A set holds syscall names as
// every ABI sysgate knows spells them (stat, stat64, fstatat64, newfstatat),
// so allowing a set allows it on every ABI. Every name in a set is one the
// syscall tables of tracer/systab know; @known is all of them.
package groups

import (
	"sort"
	"strings"
	"sync"

	"github.com/sysgate/sysgate/tracer/systab"
)

// Group is a named set of syscalls.
type Group struct {
	Name        string   // "@mount"
	Description string   // one line
	Syscalls    []string // sorted, nested groups expanded
}

// Has reports whether the group holds the syscall name.
func (g *Group) Has(name string) bool {
	i := sort.SearchStrings(g.Syscalls, name)
	return i < len(g.Syscalls) && g.Syscalls[i] == name
}

// Lookup returns the group of that name ("@mount"), or false.
func Lookup(name string) (*Group, bool) {
	g, ok := table().byName[name]
	return g, ok
}

// All returns every group, sorted by name.
func All() []*Group { return table().all }

// Names returns the names of every group, sorted.
func Names() []string {
	var out []string
	for _, g := range All() {
		out = append(out, g.Name)
	}
	return out
}

// IsSyscall reports whether name is a syscall that some ABI's table knows.
func IsSyscall(name string) bool {
	_, ok := table().known[name]
	return ok
}

// Syscalls returns every syscall name some ABI's table knows, sorted.
func Syscalls() []string { return table().knownList }

type tables struct {
	byName    map[string]*Group
	all       []*Group
	known     map[string]struct{}
	knownList []string
}

var table = sync.OnceValue(build)

func build() *tables {
	t := &tables{byName: map[string]*Group{}, known: knownNames()}
	for name := range t.known {
		t.knownList = append(t.knownList, name)
	}
	sort.Strings(t.knownList)
	for _, d := range defs {
		g := &Group{Name: d.name, Description: d.desc, Syscalls: expand(d.name, map[string]bool{})}
		t.byName[g.Name] = g
		t.all = append(t.all, g)
	}
	known := &Group{Name: "@known", Description: "Every syscall that sysgate's tables know, on any ABI", Syscalls: t.knownList}
	t.byName[known.Name] = known
	t.all = append(t.all, known)
	sort.Slice(t.all, func(i, j int) bool { return t.all[i].Name < t.all[j].Name })
	return t
}

// expand returns the sorted, deduplicated members of the named definition.
func expand(name string, seen map[string]bool) []string {
	set := map[string]bool{}
	var walk func(string)
	walk = func(n string) {
		if seen[n] {
			return
		}
		seen[n] = true
		for _, m := range defByName(n).members {
			if strings.HasPrefix(m, "@") {
				walk(m)
				continue
			}
			set[m] = true
		}
	}
	walk(name)
	out := make([]string, 0, len(set))
	for m := range set {
		out = append(out, m)
	}
	sort.Strings(out)
	return out
}

func defByName(name string) def {
	for _, d := range defs {
		if d.name == name {
			return d
		}
	}
	panic("groups: no definition of " + name)
}

var abis = [...]systab.ABI{systab.X86_64, systab.I386, systab.X32, systab.AArch64, systab.ARM}

// knownNames collects the names of every ABI's table: numbers run below
// 1024 (x32 with its bit set), arm's private calls from 0x0f0000.
func knownNames() map[string]struct{} {
	m := map[string]struct{}{}
	add := func(abi systab.ABI, nr uint32) {
		if n, ok := systab.Name(abi, nr); ok {
			m[n] = struct{}{}
		}
	}
	for _, abi := range abis {
		for nr := uint32(0); nr < 1024; nr++ {
			if abi == systab.X32 {
				add(abi, nr|systab.X32Bit)
				continue
			}
			add(abi, nr)
		}
	}
	for nr := uint32(0x0f0000); nr < 0x0f0100; nr++ {
		add(systab.ARM, nr)
	}
	return m
}

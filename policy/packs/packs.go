// Package packs holds sysgate's built-in rule packs: policy files, embedded
// in the binary, that a policy includes by name (include: [escape]). The
// default pack, which applies when no policy is given, includes the others.
// The packs are data; package policy parses them as it parses any policy.
package packs

import (
	"embed"
	"sort"
	"strings"
)

//go:embed *.yaml
var files embed.FS

// Source returns the YAML of the named pack.
func Source(name string) ([]byte, bool) {
	if name == "" || strings.ContainsAny(name, "/.") {
		return nil, false
	}
	data, err := files.ReadFile(name + ".yaml")
	return data, err == nil
}

// Names lists the packs, sorted.
func Names() []string {
	entries, _ := files.ReadDir(".")
	var out []string
	for _, e := range entries {
		out = append(out, strings.TrimSuffix(e.Name(), ".yaml"))
	}
	sort.Strings(out)
	return out
}

package report

import (
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/sysgate/sysgate/policy"
	"github.com/sysgate/sysgate/policy/groups"
)

// policySource is what a policy diff reads from the policy file itself,
// because the parsed policy keeps it to itself: the syscalls.programs
// entries, the conditions of the file's own rules, and the scope of its
// exceptions. The file has been parsed and checked already (policy.Load),
// so this reads it without judging it.
type policySource struct {
	file       string
	all        map[string]bool // syscalls.allow; nil: no allow-list, all allowed
	programs   []programSource
	conditions map[string]string // canonical match by own rule id
	scopes     map[[2]int]scope  // exception scope by line and column
}

// programSource is one syscalls.programs entry.
type programSource struct {
	pos   policy.Position
	exe   []string // the patterns as written
	key   string   // canonical exe patterns: same key, same programs
	allow map[string]bool
}

// scope is an exception's exe, path, exec and addr.
type scope struct {
	key  string // canonical
	text string // as a reader sees it: "exe: /usr/bin/app; path: /tmp/**"
}

// scopeKeys are the keys of an exception's scope, in the order shown.
var scopeKeys = []string{"exe", "path", "exec", "addr"}

// readPolicySource reads what the diff needs from pol's own file. A policy
// with nothing of its own there (the default policy, only packs) needs no
// file.
func readPolicySource(pol *policy.Policy) (*policySource, error) {
	src := &policySource{file: pol.File, conditions: map[string]string{}, scopes: map[[2]int]scope{}}
	if !ownsSomething(pol) {
		return src, nil
	}
	data, err := os.ReadFile(pol.File)
	if err != nil {
		return nil, fmt.Errorf("read %s to compare its programs entries, rule conditions and exception scopes: %w", pol.File, err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("read %s: %w", pol.File, err)
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("read %s: not a policy", pol.File)
	}
	top := doc.Content[0]
	if al := child(top, "syscalls"); al != nil {
		src.all = map[string]bool{}
		if n := child(al, "allow"); n != nil {
			src.all = resolveAllow(n)
		}
		if n := child(al, "programs"); n != nil && n.Kind == yaml.SequenceNode {
			for _, e := range n.Content {
				exe := child(e, "exe")
				allow := child(e, "allow")
				if exe == nil || allow == nil {
					continue
				}
				src.programs = append(src.programs, programSource{
					pos: policy.Position{File: pol.File, Line: e.Line, Column: e.Column},
					exe: scalars(exe), key: canonList(exe), allow: resolveAllow(allow)})
			}
		}
	}
	if n := child(top, "rules"); n != nil && n.Kind == yaml.SequenceNode {
		for _, r := range n.Content {
			id, match := child(r, "id"), child(r, "match")
			if id != nil && match != nil {
				src.conditions[id.Value] = canonList(match)
			}
		}
	}
	if n := child(top, "exceptions"); n != nil && n.Kind == yaml.SequenceNode {
		for _, ex := range n.Content {
			var keys, texts []string
			for _, k := range scopeKeys {
				if v := child(ex, k); v != nil {
					keys = append(keys, strconv.Quote(k)+":"+canonList(v))
					texts = append(texts, k+": "+strings.Join(scalars(v), ", "))
				}
			}
			src.scopes[[2]int{ex.Line, ex.Column}] = scope{key: strings.Join(keys, ","), text: strings.Join(texts, "; ")}
		}
	}
	return src, nil
}

// ownsSomething reports whether pol has an allow-list, rules or exceptions
// written in its own file.
func ownsSomething(pol *policy.Policy) bool {
	if pol.Syscalls != nil {
		return true
	}
	for _, r := range pol.Rules {
		if r.Pack == "" {
			return true
		}
	}
	for _, ex := range pol.Exceptions {
		if ex.Pos.File == pol.File {
			return true
		}
	}
	return false
}

// scopeOf is the scope of an exception written in src's file ("" for a
// pack's, which is the same in base and head).
func (src *policySource) scopeOf(ex *policy.Exception) scope {
	if ex.Pos.File != src.file {
		return scope{}
	}
	return src.scopes[[2]int{ex.Pos.Line, ex.Pos.Column}]
}

// child is the value of key in the mapping n, or nil.
func child(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// scalars are the values of a list, a single value being a list of one.
func scalars(n *yaml.Node) []string {
	if n.Kind == yaml.ScalarNode {
		return []string{n.Value}
	}
	var out []string
	for _, c := range n.Content {
		out = append(out, c.Value)
	}
	return out
}

// resolveAllow reads an allow list as the policy does: names and @groups,
// "!" taking away after every addition.
func resolveAllow(n *yaml.Node) map[string]bool {
	set := map[string]bool{}
	var minus []string
	for _, s := range scalars(n) {
		name, neg := strings.CutPrefix(s, "!")
		names := []string{name}
		if g, ok := groups.Lookup(name); ok {
			names = g.Syscalls
		}
		if neg {
			minus = append(minus, names...)
			continue
		}
		for _, x := range names {
			set[x] = true
		}
	}
	for _, x := range minus {
		delete(set, x)
	}
	return set
}

// canon writes a node so that two nodes a policy reads the same way are
// written the same: mapping keys sorted, a single value as a list of one,
// lists sorted without duplicates (a list of patterns, and a list of match
// alternatives, is a set).
func canon(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		var pairs []string
		for i := 0; i+1 < len(n.Content); i += 2 {
			pairs = append(pairs, strconv.Quote(n.Content[i].Value)+":"+canonList(n.Content[i+1]))
		}
		sort.Strings(pairs)
		return "{" + strings.Join(pairs, ",") + "}"
	case yaml.SequenceNode:
		return canonList(n)
	}
	return strconv.Quote(n.Value)
}

func canonList(n *yaml.Node) string {
	var items []string
	if n.Kind == yaml.SequenceNode {
		for _, c := range n.Content {
			items = append(items, canon(c))
		}
	} else {
		items = []string{canon(n)}
	}
	sort.Strings(items)
	out := items[:0]
	for i, s := range items {
		if i == 0 || s != items[i-1] {
			out = append(out, s)
		}
	}
	return "[" + strings.Join(out, ",") + "]"
}

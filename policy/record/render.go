package record

import (
	"bytes"
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/sysgate/sysgate/policy"
	"github.com/sysgate/sysgate/policy/groups"
)

// Policy returns the baseline as a commented policy file: the default pack
// included, an allow-list per program, three rules per program (programs
// executed, paths written, destinations connected to, beyond those seen),
// and exceptions for what the runs did that the default pack flags. Read
// back against the runs it came from, it yields no finding.
func (b *Baseline) Policy() ([]byte, error) {
	root := mapping(
		str("apiVersion"), str(policy.APIVersion),
		str("name"), str("baseline"),
		str("description"), str(fmt.Sprintf("Least-privilege baseline recorded by sysgate record from %d run(s)", len(b.runs))),
		str("include"), flow(str("default")),
		withHead(str("syscalls"), "Allowed syscalls per program; anything else is SG0010 at this severity."), b.allowList(),
	)
	if rules := b.rules(); len(rules.Content) > 0 {
		root.Content = append(root.Content, withHead(str("rules"), "What each program may execute, write and connect to: anything beyond these lists is a finding."), rules)
	}
	if ex := b.exceptions(); len(ex.Content) > 0 {
		root.Content = append(root.Content, withHead(str("exceptions"), "What the recorded runs did that the default pack flags, accepted as narrowly as the calls allow."), ex)
	}
	doc := &yaml.Node{Kind: yaml.DocumentNode, HeadComment: b.header(), Content: []*yaml.Node{root}}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("encode baseline policy: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("encode baseline policy: %w", err)
	}
	return buf.Bytes(), nil
}

// header says where the baseline comes from and how to read it.
func (b *Baseline) header() string {
	lines := []string{
		fmt.Sprintf("sysgate baseline, recorded from %d run(s):", len(b.runs)),
	}
	for i, r := range b.runs {
		lines = append(lines, fmt.Sprintf("  run %d: %s (%s)", i+1, r.Name, subjectLine(r.Obs)))
	}
	lines = append(lines,
		"Each item says how many of the runs saw it. Review it, then use it with",
		"sysgate check --policy FILE: what the runs did not do is a finding.")
	for _, reason := range b.incomplete {
		lines = append(lines, "WARNING: incomplete run, so this baseline lacks what was not seen: "+reason)
	}
	return strings.Join(lines, "\n")
}

func str(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s} }

func mapping(kv ...*yaml.Node) *yaml.Node {
	return &yaml.Node{Kind: yaml.MappingNode, Content: kv}
}

func seq(items ...*yaml.Node) *yaml.Node {
	return &yaml.Node{Kind: yaml.SequenceNode, Content: items}
}

func flow(items ...*yaml.Node) *yaml.Node {
	return &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle, Content: items}
}

func withHead(n *yaml.Node, comment string) *yaml.Node {
	n.HeadComment = comment
	return n
}

func withLine(n *yaml.Node, comment string) *yaml.Node {
	n.LineComment = comment
	return n
}

// allowList is the syscalls section: nothing for every program, each
// program's own calls grouped under the name of their first set.
func (b *Baseline) allowList() *yaml.Node {
	progs := seq()
	for _, p := range b.sortedPrograms() {
		if len(p.syscalls) == 0 && len(p.unknown) == 0 {
			continue
		}
		entry := mapping(str("exe"), str(policy.ExePattern(p.exe)), str("allow"), b.syscallItems(p))
		entry.HeadComment = fmt.Sprintf("%s: %s, %d process(es) in all", p.exe, b.runsNote(p.seen.runs()), p.processes)
		progs.Content = append(progs.Content, entry)
	}
	return mapping(str("severity"), str("high"), str("allow"), flow(), str("programs"), progs)
}

// syscallItems lists a program's syscalls by set, each with its runs.
func (b *Baseline) syscallItems(p *program) *yaml.Node {
	list := seq()
	last := ""
	for _, name := range sortBySet(sortedKeys(p.syscalls)) {
		item := withLine(str(name), b.runsNote(p.syscalls[name].runs()))
		if set := setOf(name); set != last {
			item.HeadComment, last = set, set
		}
		list.Content = append(list.Content, item)
	}
	if len(p.unknown) > 0 && len(list.Content) > 0 {
		notes := make([]string, 0, len(p.unknown))
		for _, k := range sortedKeys(p.unknown) {
			notes = append(notes, fmt.Sprintf("syscall %s (%s) has no name and cannot be allowed: it stays a finding", k, b.runsNote(p.unknown[k].runs())))
		}
		list.Content[len(list.Content)-1].FootComment = strings.Join(notes, "\n")
	}
	return list
}

// setOrder is the order of the sets that name a syscall in the baseline.
var setOrder = []string{"@default", "@basic-io", "@file-system", "@io-event", "@signal",
	"@process", "@network-io", "@ipc", "@timer", "@sync", "@memlock", "@resources",
	"@setuid", "@chown", "@aio", "@keyring", "@sandbox", "@pkey", "@system-service",
	"@mount", "@module", "@debug", "@privileged", "@clock", "@reboot", "@swap",
	"@raw-io", "@cpu-emulation", "@obsolete"}

// setOf names the first set of setOrder that has the syscall, or "other".
func setOf(name string) string {
	for _, s := range setOrder {
		if g, ok := groups.Lookup(s); ok && g.Has(name) {
			return s
		}
	}
	return "other"
}

func sortBySet(names []string) []string {
	rank := map[string]int{}
	for i, s := range setOrder {
		rank[s] = i
	}
	rank["other"] = len(setOrder)
	out := append([]string(nil), names...)
	// names are sorted already: a stable sort by set keeps them sorted within one.
	stableSortBy(out, func(n string) int { return rank[setOf(n)] })
	return out
}

func stableSortBy(s []string, key func(string) int) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && key(s[j]) < key(s[j-1]); j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

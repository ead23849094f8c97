package record

import (
	"fmt"

	"gopkg.in/yaml.v3"

	"github.com/sysgate/sysgate/policy"
)

// rules are three rules per program: BL-EXEC-N, BL-WRITE-N and BL-NET-N,
// N numbering the programs in the order of their paths.
func (b *Baseline) rules() *yaml.Node {
	list := seq()
	for i, p := range b.sortedPrograms() {
		n := i + 1
		exe := policy.ExePattern(p.exe)
		list.Content = append(list.Content,
			b.rule(fmt.Sprintf("BL-EXEC-%d", n), "high",
				fmt.Sprintf("%s executes a program it did not execute in the recorded runs", p.exe),
				mapping(str("exe"), str(exe), str("class"), str("exec")),
				"exec", b.counted(p.execs, policy.PathPattern)),
			b.rule(fmt.Sprintf("BL-WRITE-%d", n), "medium",
				fmt.Sprintf("%s writes a path it did not write in the recorded runs", p.exe),
				mapping(str("exe"), str(exe), str("class"), str("file-write")),
				"path", b.pathItems(p)),
			b.rule(fmt.Sprintf("BL-NET-%d", n), "high",
				fmt.Sprintf("%s connects to a destination it did not connect to in the recorded runs", p.exe),
				mapping(str("exe"), str(exe), str("class"), str("connect")),
				"addr", b.counted(p.dests, func(s string) string { return s })),
		)
	}
	return list
}

// rule writes one baseline rule; key lists what was seen, negated, so that
// anything else matches. With nothing seen, every such call matches.
func (b *Baseline) rule(id, severity, desc string, match *yaml.Node, key string, seen []*yaml.Node) *yaml.Node {
	if len(seen) > 0 {
		match.Content = append(match.Content, str(key), seq(seen...))
	}
	return mapping(str("id"), str(id), str("description"), str(desc), str("severity"), str(severity), str("match"), match)
}

// counted lists items as negated patterns with their runs.
func (b *Baseline) counted(m map[string]*counter, pattern func(string) string) []*yaml.Node {
	var out []*yaml.Node
	for _, k := range sortedKeys(m) {
		out = append(out, withLine(str("!"+pattern(k)), b.runsNote(m[k].runs())))
	}
	return out
}

// pathItems lists the paths a program wrote, grouped by directory.
func (b *Baseline) pathItems(p *program) []*yaml.Node {
	var out []*yaml.Node
	for _, g := range groupPaths(p.writes) {
		note := b.runsNote(g.runs)
		if g.paths > 1 {
			note += fmt.Sprintf(", %d paths", g.paths)
		}
		out = append(out, withLine(str("!"+g.pattern), note))
	}
	return out
}

// exceptions accept the default pack's findings on the recorded runs.
func (b *Baseline) exceptions() *yaml.Node {
	list := seq()
	for _, a := range b.sortedAccepted() {
		ex := mapping(str("rules"), flow(str(a.key.rule)), str("exe"), str(policy.ExePattern(a.key.exe)))
		switch {
		case a.allPaths:
			ex.Content = append(ex.Content, str("path"), scalarList(sortedSet(a.paths)))
		case a.allAddrs:
			ex.Content = append(ex.Content, str("addr"), scalarList(sortedSet(a.addrs)))
		}
		ex.Content = append(ex.Content, str("reason"), str(fmt.Sprintf("%s; seen in %s", a.title, b.runsNote(a.seen.runs()))))
		if a.key.rule == policy.CoreUnreadable || a.key.rule == policy.CoreTruncated {
			ex.Content[0].HeadComment = "WARNING: the tracer could not read these calls' arguments in full; review before accepting."
		}
		list.Content = append(list.Content, ex)
	}
	return list
}

func scalarList(vals []string) *yaml.Node {
	list := seq()
	for _, v := range vals {
		list.Content = append(list.Content, str(v))
	}
	return list
}

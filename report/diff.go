package report

import (
	"fmt"
	"sort"
	"strings"

	"github.com/sysgate/sysgate/observation"
	"github.com/sysgate/sysgate/policy"
	"github.com/sysgate/sysgate/policy/groups"
)

// Diff is what head changes against base, by presence, never by count.
// For observations Added is what head does that base did not, Removed what
// it no longer does; for policies Added is what head allows that base did
// not (it loosens), Removed what it no longer allows (it tightens).
type Diff struct {
	Kind    string   `json:"kind"` // observation or policy
	Added   []Change `json:"added"`
	Removed []Change `json:"removed"`
}

// Change is one difference, with its evidence.
type Change struct {
	// What is one of: syscall, program, path-written, network, abi (for
	// observations); allow, program-allow, allow-severity, rule-removed,
	// severity-lowered, conditions, exception (for what a policy loosens)
	// and disallow, program-disallow, allow-severity-raised, rule-added,
	// severity-raised, exception-removed (for what it tightens).
	What     string `json:"what"`
	Item     string `json:"item"`
	Evidence string `json:"evidence"`
	// Location is where in the policy the change is written (policies).
	Location string `json:"location,omitempty"`
	pos      policy.Position
	// for the reverse wording of program-allow and exception
	programs, syscall, scope string
}

// Empty reports whether nothing changed either way.
func (d *Diff) Empty() bool { return len(d.Added) == 0 && len(d.Removed) == 0 }

// whatOrder sorts changes by kind, in the order reports list them.
var whatOrder = map[string]int{"syscall": 0, "program": 1, "path-written": 2, "network": 3, "abi": 4,
	"allow": 0, "program-allow": 1, "allow-severity": 2, "rule-removed": 3, "severity-lowered": 4, "conditions": 5, "exception": 6}

func sortChanges(cs []Change) {
	sort.Slice(cs, func(i, j int) bool {
		if a, b := whatOrder[cs[i].What], whatOrder[cs[j].What]; a != b {
			return a < b
		}
		return cs[i].Item < cs[j].Item
	})
}

// facts is what an observation did, by presence: for each kind, each item
// with the evidence of its first sight.
type facts map[string]map[string]string

func (f facts) add(what, item, evidence string) {
	if item == "" {
		return
	}
	m := f[what]
	if m == nil {
		m = map[string]string{}
		f[what] = m
	}
	if _, ok := m[item]; !ok {
		m[item] = evidence
	}
}

// DiffObservations compares what two observations did.
func DiffObservations(base, head *observation.Observation, red *Redactor) *Diff {
	if red == nil {
		red, _ = NewRedactor()
	}
	b, h := observed(base, red), observed(head, red)
	return &Diff{Kind: "observation", Added: missing(h, b), Removed: missing(b, h)}
}

// missing lists what a has that b lacks.
func missing(a, b facts) []Change {
	out := []Change{}
	for what, items := range a {
		for item, ev := range items {
			if _, ok := b[what][item]; !ok {
				out = append(out, Change{What: what, Item: item, Evidence: ev})
			}
		}
	}
	sortChanges(out)
	return out
}

func observed(obs *observation.Observation, red *Redactor) facts {
	f := facts{}
	for i := range obs.Calls {
		c := &obs.Calls[i]
		ev := describe(c, red)
		f.add("syscall", callName(c.Name, c.Nr), ev)
		f.add("abi", c.ABI, ev)
		pf := policy.FactsOf(c)
		if pf.In("exec") {
			f.add("program", red.String(pf.Exec), ev)
		}
		if pf.In("file-write") {
			for _, p := range pf.Paths {
				f.add("path-written", red.String(p), ev)
			}
		}
		if pf.In("connect") {
			f.add("network", red.String(pf.Addr), ev)
		}
	}
	for _, p := range obs.Processes {
		f.add("program", red.String(p.Exe), "process: "+strings.Join(red.Argv(p.Argv), " "))
	}
	for _, s := range obs.Syscalls {
		f.add("syscall", callName(s.Name, s.Nr), fmt.Sprintf("%d calls through %s", s.Count, s.ABI))
		f.add("abi", s.ABI, fmt.Sprintf("%s through %s", callName(s.Name, s.Nr), s.ABI))
	}
	return f
}

func callName(name string, nr uint32) string {
	if name != "" {
		return name
	}
	return fmt.Sprintf("#%d", nr)
}

// describe is "/usr/bin/app: keyctl(op=KEYCTL_JOIN_SESSION_KEYRING) [x86_64]".
func describe(c *observation.Call, red *Redactor) string {
	args := make([]string, len(red.Args(c.Args)))
	for i, a := range red.Args(c.Args) {
		v := a.Value
		if a.List != nil {
			v = "[" + strings.Join(a.List, " ") + "]"
		}
		args[i] = a.Key + "=" + v
	}
	exe := c.Exe
	if exe == "" {
		exe = "an unknown program"
	}
	return limit(fmt.Sprintf("%s: %s(%s) [%s]", red.String(exe), callName(c.Name, c.Nr), strings.Join(args, ", "), c.ABI), 300)
}

// DiffPolicies compares what two policies allow. The allow-list is probed
// with every syscall sysgate knows, called by a program no syscalls.programs
// entry names; each programs entry is compared with what base allowed the
// same programs; a rule whose conditions changed is a loosening unless they
// are provably the same (docs/report.md). The policies' own files are read
// again for what the parsed policies keep to themselves.
func DiffPolicies(base, head *policy.Policy) (*Diff, error) {
	srcB, err := readPolicySource(base)
	if err != nil {
		return nil, err
	}
	srcH, err := readPolicySource(head)
	if err != nil {
		return nil, err
	}
	loosens, err := loosening(base, head, srcB, srcH)
	if err != nil {
		return nil, err
	}
	back, err := loosening(head, base, srcH, srcB)
	if err != nil {
		return nil, err
	}
	tightens := []Change{}
	for _, c := range back {
		if c.What == "conditions" {
			continue // listed once, as what head loosens
		}
		tightens = append(tightens, reverse(c))
	}
	return &Diff{Kind: "policy", Added: loosens, Removed: tightens}, nil
}

// reverse words a loosening of base over head as what head tightens.
func reverse(c Change) Change {
	out := Change{What: c.What, Item: c.Item}
	switch c.What {
	case "allow":
		out.What, out.Evidence = "disallow", "the allow-list no longer allows "+c.Item
	case "program-allow":
		out.What, out.Evidence = "program-disallow", c.programs+" may no longer call "+c.syscall
	case "allow-severity":
		out.What, out.Evidence = "allow-severity-raised", "a call the allow-list does not allow is judged more severe"
	case "rule-removed":
		out.What, out.Evidence = "rule-added", c.Item+" is a new rule"
	case "severity-lowered":
		out.What, out.Evidence = "severity-raised", c.Item+" is more severe"
	case "exception":
		out.What, out.Evidence = "exception-removed", "an exception from "+c.Item+" is gone"
		if c.scope != "" {
			out.Evidence += " (" + c.scope + ")"
		}
	}
	return out
}

// loosening lists what head allows that base did not.
func loosening(base, head *policy.Policy, srcB, srcH *policySource) ([]Change, error) {
	out := []Change{}
	allowB, err := allowed(base, probeExe)
	if err != nil {
		return nil, err
	}
	allowH, err := allowed(head, probeExe)
	if err != nil {
		return nil, err
	}
	newGlobal := map[string]bool{}
	for _, name := range groups.Syscalls() {
		if allowH[name] && !allowB[name] {
			newGlobal[name] = true
			out = append(out, Change{What: "allow", Item: name, Evidence: "the allow-list now allows " + name,
				Location: allowPos(head), pos: syscallsPos(head)})
		}
	}
	progs, err := programChanges(base, head, srcB, srcH, newGlobal)
	if err != nil {
		return nil, err
	}
	out = append(out, progs...)
	if base.Syscalls != nil && head.Syscalls != nil && head.Syscalls.Severity < base.Syscalls.Severity {
		out = append(out, Change{What: "allow-severity", Item: "syscalls.severity",
			Evidence: fmt.Sprintf("a call the allow-list does not allow is now %s, was %s", head.Syscalls.Severity, base.Syscalls.Severity),
			Location: allowPos(head), pos: head.Syscalls.Pos})
	}
	out = append(out, ruleChanges(base, head, srcB, srcH)...)
	out = append(out, newExceptions(base, head, srcB, srcH)...)
	sortChanges(out)
	return out, nil
}

// programChanges: the syscalls each of head's syscalls.programs entries
// allows its programs that base did not allow them (and that head's
// allow-list does not newly allow everyone: those are "allow" changes).
// An entry of plain paths is probed, with each path as the calling
// program, so a broader pattern of base's that already allowed the call
// counts. An entry with wildcards or negations is compared with base's
// allow-list and base's entries of the very same patterns: a call neither
// allows is reported, though base may have allowed it through some other
// pattern (what two sets of globs match is not compared).
func programChanges(base, head *policy.Policy, srcB, srcH *policySource, newGlobal map[string]bool) ([]Change, error) {
	if srcB.all == nil {
		return nil, nil // base has no allow-list: every call was allowed
	}
	var out []Change
	for _, e := range srcH.programs {
		newly := map[string]bool{}
		if paths, ok := literalPaths(e.exe); ok {
			for _, p := range paths {
				allowB, err := allowed(base, p)
				if err != nil {
					return nil, err
				}
				allowH, err := allowed(head, p)
				if err != nil {
					return nil, err
				}
				for s := range e.allow {
					if allowH[s] && !allowB[s] {
						newly[s] = true
					}
				}
			}
		} else {
			for s := range e.allow {
				if !srcB.all[s] && !sameProgramsAllow(srcB, e.key, s) {
					newly[s] = true
				}
			}
		}
		progs := strings.Join(e.exe, ", ")
		for _, s := range sortedKeys(newly) {
			if newGlobal[s] {
				continue
			}
			out = append(out, Change{What: "program-allow", Item: progs + ": " + s,
				Evidence: "the syscalls.programs entry for " + progs + " now allows " + s,
				Location: e.pos.String(), pos: e.pos, programs: progs, syscall: s})
		}
	}
	return out, nil
}

// sameProgramsAllow reports whether an entry of src with the same exe
// patterns allows s.
func sameProgramsAllow(src *policySource, key, s string) bool {
	for _, b := range src.programs {
		if b.key == key && b.allow[s] {
			return true
		}
	}
	return false
}

// literalPaths are the paths of exe patterns without wildcards or
// negations; false when there is one.
func literalPaths(patterns []string) ([]string, bool) {
	var out []string
	for _, p := range patterns {
		lit, ok := policy.GlobLiteral(p)
		if strings.HasPrefix(p, "!") || !ok {
			return nil, false
		}
		out = append(out, lit)
	}
	return out, len(out) > 0
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func syscallsPos(pol *policy.Policy) policy.Position {
	if pol.Syscalls == nil {
		return policy.Position{File: pol.File}
	}
	return pol.Syscalls.Pos
}

func allowPos(pol *policy.Policy) string {
	if pol.Syscalls == nil {
		return ""
	}
	return pol.Syscalls.Pos.String()
}

// probeExe is the calling program of the allow-list probe: a path no
// syscalls.programs entry names.
const probeExe = "/sysgate-policy-diff-probe"

// allowed probes the allow-list: the syscalls it lets exe make. A policy
// without an allow-list lets every one through.
func allowed(pol *policy.Policy, exe string) (map[string]bool, error) {
	names := groups.Syscalls()
	obs := &observation.Observation{Schema: observation.Schema, Complete: true, Incomplete: []string{}}
	for i, n := range names {
		obs.Calls = append(obs.Calls, observation.Call{Exe: exe, ABI: "x86_64", Nr: uint32(i), Name: n, Count: 1})
	}
	fs, err := policy.Evaluate(obs, pol)
	if err != nil {
		return nil, fmt.Errorf("probe %s: %w", pol.File, err)
	}
	out := map[string]bool{}
	for _, n := range names {
		out[n] = true
	}
	for _, f := range fs {
		if f.RuleID == policy.CoreUnlisted {
			out[f.Evidence.Syscall] = false
		}
	}
	return out, nil
}

// ruleChanges: rules head no longer has, severities it lowered, and rules
// of the policy's own whose conditions changed (a change is a loosening
// unless the conditions are provably the same: they read the same once
// keys and lists are sorted and single values are lists of one).
func ruleChanges(base, head *policy.Policy, srcB, srcH *policySource) []Change {
	inHead := map[string]*policy.Rule{}
	for _, r := range head.Rules {
		inHead[r.ID] = r
	}
	var out []Change
	for _, r := range base.Rules {
		h, ok := inHead[r.ID]
		if !ok {
			out = append(out, Change{What: "rule-removed", Item: RuleID(r.ID),
				Evidence: fmt.Sprintf("%s (%s, %s) is no longer checked", RuleID(r.ID), r.Description, r.Severity),
				pos:      policy.Position{File: head.File}})
			continue
		}
		if h.Severity < r.Severity {
			out = append(out, Change{What: "severity-lowered", Item: RuleID(r.ID),
				Evidence: fmt.Sprintf("%s is now %s, was %s", RuleID(r.ID), h.Severity, r.Severity), Location: h.Pos.String(), pos: h.Pos})
		}
		if r.Pack == "" && h.Pack == "" && srcB.conditions[r.ID] != srcH.conditions[r.ID] {
			out = append(out, Change{What: "conditions", Item: RuleID(r.ID),
				Evidence: fmt.Sprintf("rule %s changed its conditions", RuleID(r.ID)), Location: h.Pos.String(), pos: h.Pos})
		}
	}
	return out
}

// newExceptions: exceptions in head that base lacks, by rules, reason and
// scope (exe, path, exec, addr).
func newExceptions(base, head *policy.Policy, srcB, srcH *policySource) []Change {
	seen := map[string]int{}
	for _, ex := range base.Exceptions {
		seen[exceptionKey(ex, srcB.scopeOf(ex))]++
	}
	var out []Change
	for _, ex := range head.Exceptions {
		sc := srcH.scopeOf(ex)
		k := exceptionKey(ex, sc)
		if seen[k] > 0 {
			seen[k]--
			continue
		}
		ev := "a new exception from " + strings.Join(ex.Rules, ", ")
		if sc.text != "" {
			ev += " (" + sc.text + ")"
		}
		out = append(out, Change{What: "exception", Item: strings.Join(ex.Rules, ","),
			Evidence: ev + ": " + ex.Reason, Location: ex.Pos.String(), pos: ex.Pos, scope: sc.text})
	}
	return out
}

func exceptionKey(ex *policy.Exception, sc scope) string {
	rules := append([]string{}, ex.Rules...)
	sort.Strings(rules)
	return strings.Join(rules, ",") + "\x00" + ex.Reason + "\x00" + sc.key
}

// DiffMarkdown renders a diff for a pull-request comment, within GitHub's
// comment limit.
func DiffMarkdown(d *Diff, base, head string) string {
	added, removed := "Head adds", "Head drops"
	if d.Kind == "policy" {
		added, removed = "Head allows what base did not (loosens)", "Head no longer allows (tightens)"
	}
	lines := []string{fmt.Sprintf("## sysgate diff: `%s` → `%s`", code(base), code(head)), ""}
	if d.Empty() {
		return truncate(append(lines, "No changes."), CommentLimit)
	}
	lines = append(lines, changeLines(added, d.Added)...)
	lines = append(lines, changeLines(removed, d.Removed)...)
	return truncate(lines, CommentLimit)
}

func changeLines(title string, cs []Change) []string {
	if len(cs) == 0 {
		return nil
	}
	out := []string{fmt.Sprintf("### %s (%d)", title, len(cs)), ""}
	for _, c := range cs {
		line := fmt.Sprintf("- %s `%s`: %s", c.What, code(c.Item), mdEscape(c.Evidence))
		if c.Location != "" {
			line += fmt.Sprintf(" (at `%s`)", code(c.Location))
		}
		out = append(out, line)
	}
	return append(out, "")
}

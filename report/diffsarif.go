package report

import (
	"fmt"

	"github.com/owenrumney/go-sarif/v2/sarif"
	"github.com/sysgate/sysgate/policy"
)

// diffFile is the Position.File of the diff rules: no file, like "core".
const diffFile = "diff"

// diffRule is one entry of the fixed catalogue of diff results.
type diffRule struct {
	id, what, desc, fix string
	sev                 policy.Severity
}

// diffRules are the rules of diff results; their ids are stable.
var diffRules = []diffRule{
	{"SGD001", "syscall", "Head makes a syscall that base did not", "Check why the change needs the call; allow it in the policy if it is expected.", policy.Medium},
	{"SGD002", "program", "Head executes a program that base did not", "Check why the change runs the program; except it in the policy if it is expected.", policy.Medium},
	{"SGD003", "path-written", "Head writes a path that base did not", "Check why the change writes there.", policy.Low},
	{"SGD004", "network", "Head reaches a network destination that base did not", "Check why the change connects there; list the destination in the policy if it is expected.", policy.Medium},
	{"SGD005", "abi", "Head makes calls through an ABI that base did not", "A new ABI (32-bit calls in a 64-bit program) is a classic way around seccomp filters; find what makes them.", policy.High},
	{"SGD101", "allow", "Head's policy allows a syscall that base's did not", "Make sure the workload needs the call before allowing it.", policy.Medium},
	{"SGD102", "allow-severity", "Head's policy lowers the severity of calls its allow-list does not allow", "Keep the allow-list's severity unless the change explains why.", policy.Medium},
	{"SGD103", "rule-removed", "Head's policy no longer has a rule that base's had", "Keep the rule, or except what it finds, rather than remove it.", policy.High},
	{"SGD104", "severity-lowered", "Head's policy lowers a rule's severity", "Keep the severity unless the change explains why.", policy.Medium},
	{"SGD105", "exception", "Head's policy adds an exception", "Make the exception as narrow as possible (exe, path, exec, addr) and give a reason.", policy.Low},
	{"SGD106", "program-allow", "Head's policy allows a program a syscall that base's did not", "Make sure the program needs the call before allowing it.", policy.Medium},
	{"SGD107", "conditions", "Head's policy changes the conditions of a rule", "Check that the rule still finds what it found: a changed rule is read as a loosening unless its conditions are the same.", policy.Medium},
}

// DiffSARIF renders the additions of a diff (what head adds or loosens) as
// SARIF, one result each, located in pol: for a policy diff the head policy
// line of the change; for an observation diff the allow-list line where a
// new syscall would have to be allowed, else pol's first line. pol may be
// nil (then the Containerfile or the fallback of opts).
func DiffSARIF(d *Diff, pol *policy.Policy, opts Options) ([]byte, error) {
	loc, err := newLocator(pol, &opts)
	if err != nil {
		return nil, fmt.Errorf("sarif: repository root: %w", err)
	}
	rep, err := sarif.New(sarif.Version210)
	if err != nil {
		return nil, fmt.Errorf("sarif: %w", err)
	}
	cat := &catalogue{name: loc.name, rules: map[string]*policy.Rule{}, index: map[string]int{}}
	byWhat := map[string]string{}
	for i, r := range diffRules {
		cat.ids = append(cat.ids, r.id)
		cat.rules[r.id] = &policy.Rule{ID: r.id, Description: r.desc, Severity: r.sev, Remediation: r.fix, Pos: policy.Position{File: diffFile}}
		cat.index[r.id] = i
		byWhat[r.what] = r.id
	}
	run := sarif.NewRun(*sarif.NewTool(driver(opts.Version, cat)))
	run.Results = []*sarif.Result{}
	cat2 := opts.Category
	if cat2 == "" {
		cat2 = "sysgate/diff/" + d.Kind
	}
	run.AutomationDetails = &sarif.RunAutomationDetails{ID: ptr(Category(nil, cat2))}
	for _, c := range d.Added {
		id := byWhat[c.What]
		r := cat.rules[id]
		f := &policy.Finding{RuleID: id, Severity: r.Severity, Title: r.Description,
			Message: fmt.Sprintf("%s %s: %s", c.What, c.Item, c.Evidence), Policy: c.pos,
			Evidence: policy.Evidence{Syscall: c.Item}}
		if d.Kind == "observation" && c.What == "syscall" {
			f.RuleID = policy.CoreUnlisted // located at the allow-list
		}
		w := loc.locate(f)
		f.RuleID = id
		res := sarif.NewRuleResult(id).WithLevel(level(r.Severity)).
			WithMessage(sarif.NewTextMessage(sentence(upperFirst(oneLine(f.Message))))).
			WithLocations([]*sarif.Location{location(w)}).WithRuleIndex(cat.index[id])
		res.PartialFingerprints = map[string]interface{}{FingerprintKey: Fingerprint(id+"\x00"+c.What, &policy.Finding{Evidence: policy.Evidence{Syscall: c.Item}}, w.uri)}
		run.Results = append(run.Results, res)
	}
	run.Invocations = []*sarif.Invocation{sarif.NewInvocation().WithExecutionSuccess(true)}
	rep.AddRun(run)
	return encode(rep)
}

package policy

import (
	"errors"
	"fmt"

	"github.com/sysgate/sysgate/observation"
)

// Evaluate judges an observation by the policy. Findings are sorted (see
// sortFindings). An error means the evaluation could not be done (no policy,
// no observation); an incomplete observation is a finding (SG0001), and the
// caller decides what it means for the verdict.
func Evaluate(obs *observation.Observation, pol *Policy) ([]Finding, error) {
	if obs == nil || pol == nil || pol.index == nil {
		return nil, errors.New("evaluate: a parsed policy and an observation are needed")
	}
	ev := newEvaluation(obs, pol)
	ev.incomplete()
	ev.tampering()
	for i := range obs.Calls {
		ev.call(&obs.Calls[i])
	}
	ev.summaryOnly()
	ev.flushUnlisted()
	sortFindings(ev.findings)
	return ev.findings, nil
}

// evaluation is the state of one Evaluate.
type evaluation struct {
	pol        *Policy
	obs        *observation.Observation
	exes       map[string]*exeInfo
	exceptions map[string][]*Exception
	allowed    map[string][]nameSet // per exe: the sets that allow its calls
	unlisted   map[unlistedKey]*Finding
	unlistedN  []unlistedKey // keys in first-seen order
	findings   []Finding
}

// exeInfo is what the observation says of one program.
type exeInfo struct {
	argv      []string
	processes int
	abis      map[string]bool
}

type unlistedKey struct {
	exe, abi string
	nr       uint32
}

func newEvaluation(obs *observation.Observation, pol *Policy) *evaluation {
	ev := &evaluation{pol: pol, obs: obs, exes: map[string]*exeInfo{},
		exceptions: map[string][]*Exception{}, allowed: map[string][]nameSet{},
		unlisted: map[unlistedKey]*Finding{}}
	for _, p := range obs.Processes {
		info := ev.exe(p.Exe)
		if info.processes == 0 {
			info.argv = p.Argv
		}
		info.processes++
	}
	for i := range obs.Calls {
		ev.exe(obs.Calls[i].Exe).abis[obs.Calls[i].ABI] = true
	}
	for _, ex := range pol.Exceptions {
		for _, id := range ex.Rules {
			ev.exceptions[id] = append(ev.exceptions[id], ex)
		}
	}
	return ev
}

func (ev *evaluation) exe(path string) *exeInfo {
	info := ev.exes[path]
	if info == nil {
		info = &exeInfo{abis: map[string]bool{}}
		ev.exes[path] = info
	}
	return info
}

// compat reports whether a call went through a 32-bit ABI of a program that
// also made calls through the 64-bit one.
func (ev *evaluation) compat(c *observation.Call) bool {
	info := ev.exes[c.Exe]
	switch c.ABI {
	case "i386", "x32":
		return info != nil && info.abis["x86_64"]
	case "arm":
		return info != nil && info.abis["aarch64"]
	}
	return false
}

// incomplete reports each reason the observation is incomplete.
func (ev *evaluation) incomplete() {
	if ev.obs.Complete {
		return
	}
	reasons := ev.obs.Incomplete
	if len(reasons) == 0 {
		reasons = []string{"the observation is marked incomplete, without a reason"}
	}
	for _, r := range reasons {
		ev.emit(coreRules[CoreIncomplete], "the observation is incomplete: "+r, Evidence{Reason: r})
	}
}

// tampering reports each attempt on the tracer the observation lists.
func (ev *evaluation) tampering() {
	for _, what := range ev.obs.Tampering {
		ev.emit(coreRules[CoreTampering], "tampering with the tracer: "+what, Evidence{Reason: what})
	}
}

// call judges one call record.
func (ev *evaluation) call(c *observation.Call) {
	v := &callView{c: c, name: c.Name, ev: ev}
	ev.coreChecks(v)
	ev.allowList(v)
	rules := ev.pol.Rules
	for _, i := range ev.pol.index.candidates(c.Name) {
		if r := rules[i]; r.matches(v) && !ev.exempt(r.ID, v) {
			ev.emitCall(r, fmt.Sprintf("%s called %s, %s", exeName(c.Exe), describeCall(c), times(c.Count)), v)
		}
	}
}

func (r *Rule) matches(v *callView) bool {
	for _, m := range r.match {
		if m.matches(v) {
			return true
		}
	}
	return false
}

// coreChecks reports what the tracer could not read or name.
func (ev *evaluation) coreChecks(v *callView) {
	c := v.c
	if u, ok := v.arg("unreadable"); ok && !ev.exempt(CoreUnreadable, v) {
		ev.emitCall(coreRules[CoreUnreadable], fmt.Sprintf("%s called %s with arguments that could not be read (%s)", exeName(c.Exe), syscallName(c), u), v)
	}
	if t, ok := v.arg("truncated"); ok && !ev.exempt(CoreTruncated, v) {
		ev.emitCall(coreRules[CoreTruncated], fmt.Sprintf("%s called %s with arguments cut short (%s)", exeName(c.Exe), syscallName(c), t), v)
	}
	if c.Name == "" && !ev.exempt(CoreUnknownSyscall, v) {
		ev.emitCall(coreRules[CoreUnknownSyscall], fmt.Sprintf("%s called syscall number %d through %s, which sysgate's tables do not know, %s", exeName(c.Exe), c.Nr, c.ABI, times(c.Count)), v)
	}
}

// exempt reports whether an exception for rule id covers the call.
func (ev *evaluation) exempt(id string, v *callView) bool {
	for _, ex := range ev.exceptions[id] {
		if ex.covers(v) {
			return true
		}
	}
	return false
}

// covers reports whether the call is within every scope the exception
// gives. A path scope must hold for every path of the call, so an exception
// for /tmp/** does not cover a rename from /tmp to /etc.
func (ex *Exception) covers(v *callView) bool {
	switch {
	case ex.exe != nil && !pathIn(ex.exe, v.c.Exe):
		return false
	case ex.path != nil && !allPathsIn(ex.path, v.pathValues()):
		return false
	case ex.exec != nil && !execIn(ex.exec, v):
		return false
	case ex.addr != nil && (v.sockAddr().kind == addrNone || !addrIn(ex.addr, v.sockAddr())):
		return false
	}
	return true
}

func execIn(l *list[*pathGlob], v *callView) bool {
	p, ok := v.execPath()
	return ok && pathIn(l, p)
}

// emitCall adds a finding on one call record.
func (ev *evaluation) emitCall(r *Rule, msg string, v *callView) {
	c := v.c
	nr := c.Nr
	ev.emit(r, msg, Evidence{Exe: c.Exe, Syscall: c.Name, Nr: &nr, ABI: c.ABI, Args: c.Args,
		Count: c.Count, Outcomes: c.Outcomes, Errors: c.Errors, FirstStep: c.FirstStep})
}

// emit adds a finding of rule r, with the program's argv when known.
func (ev *evaluation) emit(r *Rule, msg string, e Evidence) {
	if info := ev.exes[e.Exe]; info != nil && e.Exe != "" {
		e.Argv, e.Processes = info.argv, info.processes
	}
	ev.findings = append(ev.findings, Finding{RuleID: r.ID, Severity: r.Severity, Title: r.Description,
		Message: msg, Remediation: r.Remediation, References: r.References, Policy: r.Pos, Pack: r.Pack, Evidence: e})
}

package policy

import (
	"fmt"

	"github.com/sysgate/sysgate/observation"
)

// allows reports whether the allow-list allows the syscall name for exe:
// in syscalls.allow, or in the allow of a syscalls.programs entry whose exe
// matches. A call whose number no table names is never allowed.
func (ev *evaluation) allows(exe, name string) bool {
	if name == "" {
		return false
	}
	sets, ok := ev.allowed[exe]
	if !ok {
		al := ev.pol.Syscalls
		sets = []nameSet{al.all}
		for _, pa := range al.programs {
			if pathIn(pa.exe, exe) {
				sets = append(sets, pa.allow)
			}
		}
		ev.allowed[exe] = sets
	}
	for _, s := range sets {
		if s.has(name) {
			return true
		}
	}
	return false
}

// allowList counts a call the allow-list does not allow; such calls are
// reported once per program, ABI and syscall (flushUnlisted).
func (ev *evaluation) allowList(v *callView) {
	if ev.pol.Syscalls == nil || ev.allows(v.c.Exe, v.name) || ev.exempt(CoreUnlisted, v) {
		return
	}
	ev.addUnlisted(v.c)
}

func (ev *evaluation) addUnlisted(c *observation.Call) {
	k := unlistedKey{exe: c.Exe, abi: c.ABI, nr: c.Nr}
	f := ev.unlisted[k]
	if f == nil {
		nr := c.Nr
		f = &Finding{Evidence: Evidence{Exe: c.Exe, Syscall: c.Name, Nr: &nr, ABI: c.ABI, FirstStep: c.FirstStep}}
		ev.unlisted[k] = f
		ev.unlistedN = append(ev.unlistedN, k)
	}
	e := &f.Evidence
	e.Count += c.Count
	e.Outcomes += c.Outcomes
	e.Records++
	for errno, n := range c.Errors {
		if e.Errors == nil {
			e.Errors = map[string]uint64{}
		}
		e.Errors[errno] += n
	}
}

// summaryOnly judges, by the allow-list, the syscalls the summary counts but
// no call record holds (records dropped at a bound): their program is
// unknown.
func (ev *evaluation) summaryOnly() {
	if ev.pol.Syscalls == nil {
		return
	}
	seen := map[unlistedKey]bool{}
	for i := range ev.obs.Calls {
		c := &ev.obs.Calls[i]
		seen[unlistedKey{abi: c.ABI, nr: c.Nr}] = true
	}
	for _, s := range ev.obs.Syscalls {
		if seen[unlistedKey{abi: s.ABI, nr: s.Nr}] || ev.allows("", s.Name) {
			continue
		}
		c := observation.Call{ABI: s.ABI, Nr: s.Nr, Name: s.Name, Count: s.Count}
		if !ev.exempt(CoreUnlisted, &callView{c: &c, name: c.Name, ev: ev}) {
			ev.addUnlisted(&c)
		}
	}
}

// flushUnlisted turns the counted unlisted calls into findings.
func (ev *evaluation) flushUnlisted() {
	r := coreRules[CoreUnlisted]
	for _, k := range ev.unlistedN {
		f := ev.unlisted[k]
		e := f.Evidence
		if e.Records == 0 {
			e.Records = 1
		}
		c := observation.Call{Name: e.Syscall, Nr: *e.Nr, ABI: e.ABI}
		msg := fmt.Sprintf("%s called %s through %s, %s: the allow-list does not allow it", exeName(e.Exe), syscallName(&c), e.ABI, times(e.Count))
		ev.emit(&Rule{ID: r.ID, Severity: ev.pol.Syscalls.Severity, Description: r.Description, Remediation: r.Remediation, Pos: ev.pol.Syscalls.Pos}, msg, e)
	}
}

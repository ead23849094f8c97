package policy

import (
	"fmt"
	"sort"
	"strings"

	"github.com/sysgate/sysgate/observation"
)

// Finding is one thing the policy flags in an observation.
type Finding struct {
	RuleID      string   `json:"ruleId"`
	Severity    Severity `json:"severity"`
	Title       string   `json:"title"` // the rule's description
	Message     string   `json:"message"`
	Remediation string   `json:"remediation,omitempty"`
	References  []string `json:"references,omitempty"`
	// Policy is where the rule that explains the finding is written.
	Policy   Position `json:"policy"`
	Pack     string   `json:"pack,omitempty"`
	Evidence Evidence `json:"evidence"`
}

// Evidence is what was observed.
type Evidence struct {
	// Exe is the calling program; Argv that of the first process that ran
	// it, and Processes how many processes ran it.
	Exe       string   `json:"exe,omitempty"`
	Argv      []string `json:"argv,omitempty"`
	Processes int      `json:"processes,omitempty"`
	Syscall   string   `json:"syscall,omitempty"`
	Nr        *uint32  `json:"nr,omitempty"`
	ABI       string   `json:"abi,omitempty"`
	// Args are the decoded arguments of the call record; absent when the
	// finding sums several records (Records says how many).
	Args      observation.Args  `json:"args,omitempty"`
	Count     uint64            `json:"count,omitempty"`
	Records   int               `json:"records,omitempty"`
	Outcomes  uint64            `json:"outcomes,omitempty"`
	Errors    map[string]uint64 `json:"errors,omitempty"`
	FirstStep string            `json:"firstStep,omitempty"`
	// Reason is why the observation is incomplete (SG0001).
	Reason string `json:"reason,omitempty"`
}

// Location is "file:line:column" of the rule, as a reader would look it up.
func (f *Finding) Location() string { return f.Policy.String() }

// sortFindings orders findings: most severe first, then by rule, program,
// syscall, ABI and arguments, so that the same inputs give the same output.
func sortFindings(fs []Finding) {
	keys := make([]findingKey, len(fs))
	for i := range fs {
		f := &fs[i]
		keys[i] = findingKey{f.Severity, f.RuleID, f.Evidence.Exe, f.Evidence.Syscall, f.Evidence.ABI, f.Evidence.Args.Key(), f.Message, nrOf(&f.Evidence), i}
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].less(&keys[j]) })
	sorted := make([]Finding, len(fs))
	for i, k := range keys {
		sorted[i] = fs[k.index]
	}
	copy(fs, sorted)
}

type findingKey struct {
	sev                                Severity
	rule, exe, syscall, abi, args, msg string
	nr                                 uint32
	index                              int
}

func (a *findingKey) less(b *findingKey) bool {
	if a.sev != b.sev {
		return a.sev > b.sev
	}
	for _, c := range [...][2]string{{a.rule, b.rule}, {a.exe, b.exe}, {a.syscall, b.syscall}, {a.abi, b.abi}, {a.args, b.args}, {a.msg, b.msg}} {
		if c[0] != c[1] {
			return c[0] < c[1]
		}
	}
	if a.nr != b.nr {
		return a.nr < b.nr
	}
	return a.index < b.index
}

func nrOf(e *Evidence) uint32 {
	if e.Nr == nil {
		return 0
	}
	return *e.Nr
}

// Counts returns how many findings there are of each severity.
func Counts(fs []Finding) map[Severity]int {
	m := map[Severity]int{}
	for _, f := range fs {
		m[f.Severity]++
	}
	return m
}

// AtOrAbove reports whether any finding has at least severity s.
func AtOrAbove(fs []Finding, s Severity) bool {
	for _, f := range fs {
		if f.Severity >= s {
			return true
		}
	}
	return false
}

// describeCall is a short human form of a call: "openat(path=/etc/x,
// flags=O_WRONLY) [x86_64]".
func describeCall(c *observation.Call) string {
	var b strings.Builder
	b.WriteString(syscallName(c))
	b.WriteByte('(')
	for i, a := range c.Args {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(a.Key)
		b.WriteByte('=')
		if a.List != nil {
			b.WriteString("[" + strings.Join(a.List, " ") + "]")
		} else {
			b.WriteString(a.Value)
		}
	}
	b.WriteString(") [" + c.ABI + "]")
	return shorten(b.String(), 300)
}

// syscallName is the call's name, or "#NR" when no table knows it.
func syscallName(c *observation.Call) string {
	if c.Name != "" {
		return c.Name
	}
	return fmt.Sprintf("#%d", c.Nr)
}

func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

func times(n uint64) string {
	if n == 1 {
		return "once"
	}
	return fmt.Sprintf("%d times", n)
}

func exeName(exe string) string {
	if exe == "" {
		return "an unknown program"
	}
	return exe
}

package report

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/sysgate/sysgate/observation"
	"github.com/sysgate/sysgate/policy"
)

// Terminal is what the terminal summary shows besides the findings.
type Terminal struct {
	// Title is the first line ("sysgate check: obs.json against
	// deploy/sysgate.yaml"); "" gives "sysgate: <image or command>".
	Title   string
	Verdict string // pass, fail or untrusted
	FailOn  string
	// TopSyscalls is how many of the busiest syscalls to list: 0 means 10,
	// a negative number none.
	TopSyscalls int
}

// ANSI colours: per severity, per verdict.
const (
	ansiReset = "\x1b[0m"
	ansiBold  = "\x1b[1m"
)

var severityColor = map[policy.Severity]string{
	policy.Critical: "\x1b[1;31m", // bold red
	policy.High:     "\x1b[31m",   // red
	policy.Medium:   "\x1b[33m",   // yellow
	policy.Low:      "\x1b[36m",   // cyan
	policy.Info:     "\x1b[90m",   // grey
}

var verdictColor = map[string]string{
	"pass":      "\x1b[1;32m", // bold green
	"fail":      "\x1b[1;31m", // bold red
	"untrusted": "\x1b[1;33m", // bold yellow
}

// ColorFor reports whether what is written to f may be coloured: f is a
// terminal, NO_COLOR is unset or empty (https://no-color.org), and TERM is
// not "dumb".
func ColorFor(f *os.File) bool {
	if f == nil || os.Getenv("NO_COLOR") != "" || os.Getenv("TERM") == "dumb" {
		return false
	}
	return isTerminal(f)
}

// WriteTerminal writes the summary for a terminal: the title, the counts
// and the verdict, each finding with its evidence, and a table of the
// busiest syscalls with the most severe finding of each. With color the
// severities and the verdict are in ANSI colours; without, the text is the
// same, uncoloured. Secrets are redacted (nil: the built-in patterns) and
// control characters of observed strings are escaped, so that a traced
// program cannot write to the terminal through its argv.
func WriteTerminal(w io.Writer, color bool, obs *observation.Observation, findings []policy.Finding, t Terminal, red *Redactor) error {
	if red == nil {
		red, _ = NewRedactor()
	}
	findings = red.Findings(findings)
	p := &painter{color: color}
	var b strings.Builder
	title := t.Title
	if title == "" {
		title = "sysgate: " + subjectName(obs, red)
	}
	fmt.Fprintln(&b, termSafe(title))
	line := CountSummary(findings)
	if t.FailOn != "" {
		line += "; fail-on " + t.FailOn
	}
	if t.Verdict != "" {
		line += ": " + p.paint(verdictColor[t.Verdict], strings.ToUpper(t.Verdict))
	}
	fmt.Fprintln(&b, line)
	for i := range findings {
		terminalFinding(&b, p, &findings[i])
	}
	terminalSyscalls(&b, p, obs, findings, t.TopSyscalls)
	_, err := io.WriteString(w, b.String())
	return err
}

// painter colours text when asked to.
type painter struct{ color bool }

func (p *painter) paint(code, s string) string {
	if !p.color || code == "" {
		return s
	}
	return code + s + ansiReset
}

// pad paints s and pads it to width columns (counted on the plain text).
func (p *painter) pad(code, s string, width int) string {
	n := width - utf8.RuneCountInString(s)
	return p.paint(code, s) + strings.Repeat(" ", max(n, 0))
}

const findingIndent = "         "

func terminalFinding(b *strings.Builder, p *painter, f *policy.Finding) {
	e := &f.Evidence
	sev := strings.ToUpper(f.Severity.String())
	fmt.Fprintf(b, "\n%s %s  %s\n", p.pad(severityColor[f.Severity], sev, 8), p.paint(ansiBold, termSafe(f.RuleID)), termSafe(f.Title))
	field := func(format string, a ...any) {
		b.WriteString(findingIndent + termSafe(fmt.Sprintf(format, a...)) + "\n")
	}
	field("%s", f.Message)
	if len(e.Argv) > 0 {
		proc := "process: " + strings.Join(e.Argv, " ")
		if e.Processes > 1 {
			proc += fmt.Sprintf(" (and %d more running %s)", e.Processes-1, e.Exe)
		}
		field("%s", proc)
	}
	if e.FirstStep != "" {
		field("first seen in step: %s", e.FirstStep)
	}
	if len(e.Errors) > 0 {
		field("failed: %s", errorList(e.Errors))
	}
	field("rule: %s", f.Location())
	if f.Remediation != "" {
		field("fix: %s", oneLine(f.Remediation))
	}
	if len(f.References) > 0 {
		field("see: %s", strings.Join(f.References, ", "))
	}
}

// terminalSyscalls is a table of the busiest syscalls, each with the most
// severe finding about it.
func terminalSyscalls(b *strings.Builder, p *painter, obs *observation.Observation, findings []policy.Finding, top int) {
	if obs == nil || len(obs.Syscalls) == 0 || top < 0 {
		return
	}
	if top == 0 {
		top = 10
	}
	rows := append([]observation.Syscall{}, obs.Syscalls...)
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].Count > rows[j].Count })
	rows = rows[:min(top, len(rows))]
	worst := worstBySyscall(findings)
	type row struct {
		calls, abi, name string
		sev              *policy.Severity
	}
	cells := []row{{calls: "calls", abi: "abi", name: "syscall"}}
	for _, s := range rows {
		name := s.Name
		if name == "" {
			name = fmt.Sprintf("#%d (unknown)", s.Nr)
		}
		r := row{calls: fmt.Sprint(s.Count), abi: termSafe(s.ABI), name: termSafe(name)}
		if sev, ok := worst[syscallKey{s.ABI, s.Name}]; ok {
			r.sev = &sev
		}
		cells = append(cells, r)
	}
	wc, wa, wn := 0, 0, 0
	for _, r := range cells {
		wc = max(wc, len(r.calls))
		wa = max(wa, utf8.RuneCountInString(r.abi))
		wn = max(wn, utf8.RuneCountInString(r.name))
	}
	fmt.Fprintf(b, "\nTop syscalls (%d of %d):\n", len(rows), len(obs.Syscalls))
	for i, r := range cells {
		last := "finding"
		code := ""
		if i > 0 {
			last = ""
			if r.sev != nil {
				last, code = r.sev.String(), severityColor[*r.sev]
			}
		}
		line := fmt.Sprintf("  %*s  %s  %s", wc, r.calls, p.pad("", r.abi, wa), p.pad("", r.name, wn))
		if last != "" {
			line += "  " + p.paint(code, last)
		}
		b.WriteString(strings.TrimRight(line, " ") + "\n")
	}
}

type syscallKey struct{ abi, name string }

// worstBySyscall is the most severe finding about each syscall and ABI.
func worstBySyscall(findings []policy.Finding) map[syscallKey]policy.Severity {
	out := map[syscallKey]policy.Severity{}
	for i := range findings {
		e := &findings[i].Evidence
		if e.Syscall == "" {
			continue
		}
		k := syscallKey{e.ABI, e.Syscall}
		if s, ok := out[k]; !ok || findings[i].Severity > s {
			out[k] = findings[i].Severity
		}
	}
	return out
}

// termSafe escapes control characters (an escape sequence in an observed
// argv must not reach the terminal as one).
func termSafe(s string) string {
	if !strings.ContainsFunc(s, isControl) && utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for i, r := range s {
		switch {
		case r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD"):
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case isControl(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func isControl(r rune) bool { return r < 0x20 || (r >= 0x7f && r < 0xa0) }

package report

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/sysgate/sysgate/observation"
	"github.com/sysgate/sysgate/policy"
)

// GitHub's limits on what the summary is posted to.
const (
	StepSummaryLimit = 1 << 20 // bytes of $GITHUB_STEP_SUMMARY
	CommentLimit     = 65536   // characters of a pull-request comment
)

// Summary is what the markdown summary shows besides the findings.
type Summary struct {
	Verdict string // pass, fail or untrusted
	FailOn  string
	Policy  string // how the policy is named
	// Limit is the most characters (and bytes) the summary may take;
	// 0 means CommentLimit, which fits the step summary too.
	Limit int
	// TopSyscalls is how many of the busiest syscalls to list (default 10).
	TopSyscalls int
}

// Markdown renders the summary for $GITHUB_STEP_SUMMARY and PR comments:
// the verdict, findings by severity with their evidence, the busiest
// syscalls, and what could not be seen. Secrets are redacted; past the
// limit the text is cut at a line and says so.
func Markdown(obs *observation.Observation, findings []policy.Finding, s Summary, red *Redactor) string {
	if red == nil {
		red, _ = NewRedactor()
	}
	findings = red.Findings(findings)
	var lines []string
	lines = append(lines, header(obs, findings, s, red)...)
	lines = append(lines, findingLines(findings)...)
	lines = append(lines, syscallLines(obs, s.TopSyscalls)...)
	lines = append(lines, unseenLines(obs, red)...)
	return truncate(lines, s.Limit)
}

func header(obs *observation.Observation, findings []policy.Finding, s Summary, red *Redactor) []string {
	out := []string{fmt.Sprintf("## sysgate: %s — %s", mdEscape(subjectName(obs, red)), strings.ToUpper(s.Verdict)), ""}
	line := CountSummary(findings)
	if len(findings) == 0 {
		line = "No findings" // it starts the sentence
	}
	if s.FailOn != "" {
		line += fmt.Sprintf("; fail-on %s", s.FailOn)
	}
	if s.Policy != "" {
		line += fmt.Sprintf("; policy `%s`", code(s.Policy))
	}
	return append(out, line+".", "")
}

func subjectName(obs *observation.Observation, red *Redactor) string {
	switch {
	case obs == nil:
		return "unknown"
	case obs.Subject.Image != nil:
		return obs.Subject.Image.Ref
	case len(obs.Subject.Command) > 0:
		return strings.Join(red.Argv(obs.Subject.Command), " ")
	}
	return "unknown"
}

// CountSummary is "3 findings: 1 critical, 2 medium", or "no findings".
func CountSummary(findings []policy.Finding) string {
	if len(findings) == 0 {
		return "no findings"
	}
	counts := policy.Counts(findings)
	var parts []string
	for sev := policy.Critical; ; sev-- {
		if n := counts[sev]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, sev))
		}
		if sev == policy.Info {
			break
		}
	}
	noun := "findings"
	if len(findings) == 1 {
		noun = "finding"
	}
	return fmt.Sprintf("%d %s: %s", len(findings), noun, strings.Join(parts, ", "))
}

// findingLines groups findings by severity, most severe first (they come
// sorted so).
func findingLines(findings []policy.Finding) []string {
	if len(findings) == 0 {
		return nil
	}
	out := []string{"### Findings"}
	counts := policy.Counts(findings)
	for i := range findings {
		f := &findings[i]
		if i == 0 || findings[i-1].Severity != f.Severity {
			out = append(out, "", fmt.Sprintf("#### %s (%d)", titleCase(f.Severity.String()), counts[f.Severity]), "")
		}
		out = append(out, findingItem(f)...)
	}
	return append(out, "")
}

func findingItem(f *policy.Finding) []string {
	e := &f.Evidence
	out := []string{fmt.Sprintf("- **%s** %s: `%s`", mdEscape(RuleID(f.RuleID)), mdEscape(f.Title), code(f.Message))}
	if len(e.Argv) > 0 {
		proc := fmt.Sprintf("  - process: `%s`", code(strings.Join(e.Argv, " ")))
		if e.Processes > 1 {
			proc += fmt.Sprintf(" (and %d more)", e.Processes-1)
		}
		out = append(out, proc)
	}
	if e.FirstStep != "" {
		out = append(out, fmt.Sprintf("  - first seen in step: `%s`", code(e.FirstStep)))
	}
	if len(e.Errors) > 0 {
		out = append(out, "  - failed: "+errorList(e.Errors))
	}
	out = append(out, fmt.Sprintf("  - rule: `%s`", code(f.Location())))
	if f.Remediation != "" {
		out = append(out, "  - fix: "+mdEscape(oneLine(f.Remediation)))
	}
	return out
}

func errorList(errs map[string]uint64) string {
	names := make([]string, 0, len(errs))
	for n := range errs {
		names = append(names, n)
	}
	sort.Strings(names)
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = fmt.Sprintf("%s ×%d", n, errs[n])
	}
	return strings.Join(parts, ", ")
}

// syscallLines is a table of the busiest syscalls.
func syscallLines(obs *observation.Observation, top int) []string {
	if obs == nil || len(obs.Syscalls) == 0 {
		return nil
	}
	if top <= 0 {
		top = 10
	}
	rows := append([]observation.Syscall{}, obs.Syscalls...)
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].Count > rows[j].Count })
	out := []string{fmt.Sprintf("### Top syscalls (%d of %d)", min(top, len(rows)), len(rows)), "", "| calls | syscall | abi |", "|---:|---|---|"}
	for i, s := range rows {
		if i == top {
			break
		}
		name := s.Name
		if name == "" {
			name = fmt.Sprintf("#%d (unknown)", s.Nr)
		}
		out = append(out, fmt.Sprintf("| %d | %s | %s |", s.Count, mdEscape(name), mdEscape(s.ABI)))
	}
	return append(out, "")
}

// unseenLines says what the trace could not see.
func unseenLines(obs *observation.Observation, red *Redactor) []string {
	out := []string{"### What could not be seen", ""}
	if obs == nil || obs.Complete {
		return append(out, "Nothing: the trace is complete.")
	}
	reasons := obs.Incomplete
	if len(reasons) == 0 {
		reasons = []string{"the observation is marked incomplete, without a reason"}
	}
	for _, r := range reasons {
		out = append(out, "- "+mdEscape(oneLine(red.String(r))))
	}
	return append(out, "", "The verdict of an incomplete trace cannot be trusted.")
}

// truncate joins the lines, cutting at a line so that the text with its
// note stays within limit characters and bytes.
func truncate(lines []string, limit int) string {
	if limit <= 0 {
		limit = CommentLimit
	}
	full := strings.Join(lines, "\n") + "\n"
	if len(full) <= limit {
		return full
	}
	note := func(n int) string {
		return fmt.Sprintf("\n> [!NOTE]\n> Summary truncated to fit GitHub's limit of %d characters: %d more lines not shown. The SARIF and JSON reports have everything.\n", limit, n)
	}
	var b strings.Builder
	budget := limit - len(note(len(lines)))
	for i, l := range lines {
		if b.Len()+len(l)+1 > budget {
			return b.String() + note(len(lines)-i)
		}
		b.WriteString(l + "\n")
	}
	return b.String()
}

// code makes s safe inside a `code span` on one line.
func code(s string) string {
	s = oneLine(strings.ReplaceAll(s, "`", "'"))
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "�")
	}
	return s
}

func titleCase(s string) string { return upperFirst(s) }

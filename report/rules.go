package report

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"unicode"

	"github.com/owenrumney/go-sarif/v2/sarif"
	"github.com/sysgate/sysgate/policy"
)

// UserRulePrefix is put before the id of a rule written in the user's own
// policy, so that it can never collide with sysgate's SG ids.
const UserRulePrefix = "policy/"

// RuleID is the SARIF rule id of a policy rule: sysgate's own rules (core
// checks and packs, ids SG<digits>, which a policy may not use) keep their
// fixed id; a user's rule gets UserRulePrefix.
func RuleID(id string) string {
	if sgIDRE.MatchString(id) {
		return id
	}
	return UserRulePrefix + id
}

var sgIDRE = regexp.MustCompile(`^SG[0-9]+$`)

// securitySeverity maps a severity to GitHub's security-severity score.
var securitySeverity = map[policy.Severity]string{
	policy.Critical: "9.5",
	policy.High:     "8.0",
	policy.Medium:   "5.5",
	policy.Low:      "3.0",
	policy.Info:     "1.0",
}

// level maps a severity to a SARIF level.
func level(s policy.Severity) string {
	switch {
	case s >= policy.High:
		return "error"
	case s == policy.Medium:
		return "warning"
	}
	return "note"
}

// catalogue is every rule the policy can report, by SARIF id.
type catalogue struct {
	name  func(file string) string // a policy file as the report shows it
	ids   []string
	rules map[string]*policy.Rule
	index map[string]int
}

// newCatalogue collects the core checks and the policy's rules, sorted by id.
func newCatalogue(pol *policy.Policy, name func(string) string) *catalogue {
	c := &catalogue{name: name, rules: map[string]*policy.Rule{}, index: map[string]int{}}
	for _, id := range policy.CoreRuleIDs() {
		c.add(policy.CoreRule(id))
	}
	if pol != nil {
		for _, r := range pol.Rules {
			c.add(r)
		}
	}
	sort.Strings(c.ids)
	for i, id := range c.ids {
		c.index[id] = i
	}
	return c
}

func (c *catalogue) add(r *policy.Rule) {
	id := RuleID(r.ID)
	if _, ok := c.rules[id]; ok {
		return
	}
	c.rules[id] = r
	c.ids = append(c.ids, id)
}

// descriptors renders the catalogue as SARIF rules.
func (c *catalogue) descriptors() []*sarif.ReportingDescriptor {
	out := make([]*sarif.ReportingDescriptor, 0, len(c.ids))
	for _, id := range c.ids {
		out = append(out, descriptor(id, c.rules[id], c.name))
	}
	return out
}

func descriptor(id string, r *policy.Rule, name func(string) string) *sarif.ReportingDescriptor {
	desc := sentence(limit(r.Description, 1000))
	d := sarif.NewRule(id).
		WithName(ruleName(r.Description, id)).
		WithShortDescription(sarif.NewMultiformatMessageString(desc)).
		WithFullDescription(sarif.NewMultiformatMessageString(sentence(limit(fullDescription(r, name), 1000)))).
		WithHelp(sarif.NewMultiformatMessageString(helpText(id, r)).WithMarkdown(helpMarkdown(id, r))).
		WithDefaultConfiguration(sarif.NewReportingConfiguration().WithLevel(level(r.Severity)))
	d.Properties = sarif.Properties{
		"tags":              ruleTags(r),
		"precision":         "high",
		"security-severity": securitySeverity[r.Severity],
		"problem.severity":  severityWord(r.Severity),
	}
	return d
}

// severityWord is the problem.severity GitHub shows for non-security tools.
func severityWord(s policy.Severity) string {
	switch level(s) {
	case "error":
		return "error"
	case "warning":
		return "warning"
	}
	return "recommendation"
}

func fullDescription(r *policy.Rule, name func(string) string) string {
	where := "the core checks every policy has"
	switch {
	case r.Pos.File == diffFile:
		where = "sysgate diff"
	case r.Pack != "":
		where = "the built-in pack " + r.Pack
	case r.Pos.File != "core":
		where = "the policy " + name(r.Pos.File)
	}
	return fmt.Sprintf("%s (severity %s, from %s)", strings.TrimSuffix(r.Description, "."), r.Severity, where)
}

func ruleTags(r *policy.Rule) []string {
	tags := []string{"security", "syscall"}
	if r.Pack != "" {
		tags = append(tags, "pack:"+r.Pack)
	}
	if r.Pos.File == "core" {
		tags = append(tags, "core")
	}
	return tags
}

func helpText(id string, r *policy.Rule) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s\n\nSeverity: %s.\n", id, sentence(r.Description), r.Severity)
	if r.Remediation != "" {
		fmt.Fprintf(&b, "\nHow to fix: %s\n", r.Remediation)
	}
	for _, ref := range r.References {
		fmt.Fprintf(&b, "\nSee: %s", ref)
	}
	return strings.TrimRight(b.String(), "\n")
}

func helpMarkdown(id string, r *policy.Rule) string {
	var b strings.Builder
	fmt.Fprintf(&b, "**%s**: %s\n\nSeverity: **%s**.\n", id, mdEscape(sentence(r.Description)), r.Severity)
	if r.Remediation != "" {
		fmt.Fprintf(&b, "\n**How to fix:** %s\n", mdEscape(r.Remediation))
	}
	if len(r.References) > 0 {
		b.WriteString("\n**References:**\n\n")
		for _, ref := range r.References {
			fmt.Fprintf(&b, "- <%s>\n", ref)
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

// ruleName is a PascalCase name from the description, or the id.
func ruleName(desc, id string) string {
	var b strings.Builder
	words := strings.FieldsFunc(desc, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	for i, w := range words {
		if i == 8 {
			break
		}
		rs := []rune(w)
		rs[0] = unicode.ToUpper(rs[0])
		b.WriteString(string(rs))
	}
	if b.Len() == 0 {
		return strings.ReplaceAll(id, "/", "")
	}
	return b.String()
}

// sentence ends s with a period.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || strings.HasSuffix(s, ".") || strings.HasSuffix(s, "!") || strings.HasSuffix(s, "?") {
		return s
	}
	return s + "."
}

// limit cuts s to at most n bytes on a rune boundary, marking the cut.
func limit(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := n
	for i > 0 && !utf8Start(s[i]) {
		i--
	}
	return s[:i] + "…"
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }

// mdEscape keeps text from being read as markdown markup.
func mdEscape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "<", "&lt;", ">", "&gt;", "|", `\|`, "[", `\[`, "]", `\]`)
	return r.Replace(s)
}

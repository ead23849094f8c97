package report

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/sysgate/sysgate/observation"
	"github.com/sysgate/sysgate/policy"
)

// Redacted replaces every secret the redactor finds.
const Redacted = "[REDACTED]"

// builtinPatterns find tokens, passwords and keys. A pattern with a group
// keeps the group (the name of the secret) and replaces the rest of the match.
var builtinPatterns = []string{
	// KEY=value and --key=value or --key value, for names that hold secrets.
	`(?i)((?:^|[^A-Za-z0-9])(?:[A-Za-z0-9_.-]*(?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credentials?|auth))(?:=|: ?| ))[^\s\]]+`,
	// Credentials in URLs: scheme://user:password@host.
	`(://[^/\s:@]+:)[^/\s@]+(@)`,
	// Authorization headers.
	`(?i)(bearer |basic )[A-Za-z0-9._~+/=-]+`,
	`gh[pousr]_[A-Za-z0-9]{20,}`,
	`github_pat_[A-Za-z0-9_]{20,}`,
	`glpat-[A-Za-z0-9_-]{20,}`,
	`xox[abprs]-[A-Za-z0-9-]{10,}`,
	`(?:AKIA|ASIA)[0-9A-Z]{16}`,
	`AIza[0-9A-Za-z_-]{35}`,
	`sk-[A-Za-z0-9_-]{20,}`,
	`eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}`,
	`-----BEGIN [A-Z ]*PRIVATE KEY-----[^-]*(?:-----END [A-Z ]*PRIVATE KEY-----)?`,
}

// secretFlagRE is an argv element whose next element is a secret.
var secretFlagRE = regexp.MustCompile(`(?i)^--?[A-Za-z0-9_-]*(?:password|passwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credentials?)$`)

// Redactor removes secrets from the strings that go into reports.
type Redactor struct {
	patterns []*regexp.Regexp
}

// NewRedactor returns a redactor with the built-in patterns and the extra
// ones (Go regular expressions; the whole match is replaced).
func NewRedactor(extra ...string) (*Redactor, error) {
	r := &Redactor{}
	for _, p := range builtinPatterns {
		r.patterns = append(r.patterns, regexp.MustCompile(p))
	}
	for _, p := range extra {
		re, err := regexp.Compile(p)
		if err != nil {
			return nil, fmt.Errorf("redact pattern %q: %w", p, err)
		}
		r.patterns = append(r.patterns, re)
	}
	return r, nil
}

// String returns s with every secret replaced by [REDACTED].
func (r *Redactor) String(s string) string {
	if r == nil {
		return s
	}
	for _, re := range r.patterns {
		s = re.ReplaceAllStringFunc(s, func(m string) string { return replace(re, m) })
	}
	return s
}

// replace redacts one match: a first group (the secret's name) is kept, and
// a second one (a delimiter after the secret); what is already redacted
// stays, so that redacting twice changes nothing.
func replace(re *regexp.Regexp, m string) string {
	sub := re.FindStringSubmatch(m)
	prefix, suffix := "", ""
	if len(sub) > 1 && strings.HasPrefix(m, sub[1]) {
		prefix = sub[1]
	}
	if len(sub) > 2 && strings.HasSuffix(m, sub[2]) {
		suffix = sub[2]
	}
	if strings.HasPrefix(m[len(prefix):], "[REDACTED") {
		return m
	}
	return prefix + Redacted + suffix
}

// Argv redacts each element, and the element after a secret flag
// (--password VALUE).
func (r *Redactor) Argv(argv []string) []string {
	if r == nil || argv == nil {
		return argv
	}
	out := make([]string, len(argv))
	for i, a := range argv {
		if i > 0 && secretFlagRE.MatchString(argv[i-1]) {
			out[i] = Redacted
			continue
		}
		out[i] = r.String(a)
	}
	return out
}

// Args redacts decoded call arguments.
func (r *Redactor) Args(args observation.Args) observation.Args {
	if r == nil || args == nil {
		return args
	}
	out := make(observation.Args, len(args))
	for i, a := range args {
		out[i] = observation.Arg{Key: a.Key, Value: r.String(a.Value), List: r.Argv(a.List)}
	}
	return out
}

// Finding returns a copy of f with its message and evidence redacted.
func (r *Redactor) Finding(f policy.Finding) policy.Finding {
	if r == nil {
		return f
	}
	f.Message = r.String(f.Message)
	f.Evidence.Argv = r.Argv(f.Evidence.Argv)
	f.Evidence.Args = r.Args(f.Evidence.Args)
	f.Evidence.Exe = r.String(f.Evidence.Exe)
	f.Evidence.Reason = r.String(f.Evidence.Reason)
	return f
}

// Findings redacts every finding, into a new slice.
func (r *Redactor) Findings(fs []policy.Finding) []policy.Finding {
	out := make([]policy.Finding, len(fs))
	for i := range fs {
		out[i] = r.Finding(fs[i])
	}
	return out
}

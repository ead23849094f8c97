package policy

import (
	"strings"
	"testing"

	"github.com/sysgate/sysgate/internal/yamlstrict"
)

// Every kind of mistake is an error with its line and column.
func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"empty", "", "test.yaml:1:1: empty policy"},
		{"no apiVersion", "name: x\n", "test.yaml:1:1: missing apiVersion"},
		{"apiVersion not first", "name: x\napiVersion: sysgate.dev/v1\n", "test.yaml:2:1: apiVersion must be the first key"},
		{"bad apiVersion", "apiVersion: sysgate.dev/v2\n", `test.yaml:1:13: unsupported apiVersion "sysgate.dev/v2"`},
		{"syntax", header + "rules: [\n", "test.yaml:2:1: YAML syntax"},
		{"two documents", header + "---\n" + header, "a second YAML document"},
		{"not a mapping", "- a\n", "the policy must be a mapping"},
		{"unknown top key", header + "rulez: []\n", `test.yaml:2:1: unknown key "rulez" in the policy (known: apiVersion, name, description, include, syscalls, rules, exceptions) (did you mean "rules"?)`},
		{"duplicate key", header + "name: a\nname: b\n", `test.yaml:3:1: the policy: key "name" given twice (first at line 2)`},
		{"alias", header + "name: &n x\ndescription: *n\n", "YAML anchors (&n) are not supported"},
		{"unknown pack", header + "include: [defualt]\n", `test.yaml:2:11: unknown pack "defualt"`},
		{"unknown syscall key", header + "syscalls:\n  alow: [read]\n", `test.yaml:3:3: unknown key "alow" in syscalls`},
		{"misspelled syscall", header + "syscalls:\n  allow: [read, wirte]\n", `test.yaml:3:17: unknown syscall "wirte": no ABI's table has it (did you mean "write"?)`},
		{"misspelled group", header + "syscalls:\n  allow: ['@basic-oi']\n", `test.yaml:3:11: unknown syscall group "@basic-oi" (see sysgate policy groups) (did you mean "@basic-io"?)`},
		{"bad severity", header + "syscalls:\n  severity: severe\n", `test.yaml:3:13: unknown severity "severe"`},
		{"empty allow entry list", header + "syscalls:\n  allow:\n", "syscalls.allow must list at least one value"},
		{"program without exe", header + "syscalls:\n  programs:\n    - allow: [read]\n", "test.yaml:4:7: a syscalls.programs entry needs exe"},
		{"rule missing keys", header + "rules:\n  - id: R1\n", "test.yaml:3:5: a rule needs description"},
		{"bad rule id", header + "rules:\n  - {id: 1R, description: d, severity: low, match: {syscall: read}}\n", `bad rule id "1R"`},
		{"reserved rule id", header + "rules:\n  - {id: SG9999, description: d, severity: low, match: {syscall: read}}\n", "reserved for sysgate's packs"},
		{"duplicate rule id", header + "rules:\n  - {id: R, description: d, severity: low, match: {syscall: read}}\n  - {id: R, description: d, severity: low, match: {syscall: read}}\n", "test.yaml:4:5: rule id R is already defined at test.yaml:3:5"},
		{"bad reference", header + "rules:\n  - {id: R, description: d, severity: low, references: [CVE-16-1], match: {syscall: read}}\n", `bad reference "CVE-16-1"`},
		{"unknown condition", header + "rules:\n  - {id: R, description: d, severity: low, match: {sycall: read}}\n", `unknown key "sycall" in match`},
		{"empty match", header + "rules:\n  - {id: R, description: d, severity: low, match: {}}\n", "match needs at least one condition"},
		{"empty condition", header + "rules:\n  - {id: R, description: d, severity: low, match: {path: []}}\n", "path must list at least one value"},
		{"unknown class", header + "rules:\n  - {id: R, description: d, severity: low, match: {class: open-writ}}\n", `unknown class "open-writ"`},
		{"unknown abi", header + "rules:\n  - {id: R, description: d, severity: low, match: {abi: i686}}\n", `unknown abi "i686"`},
		{"bad path glob", header + "rules:\n  - {id: R, description: d, severity: low, match: {path: 'etc/*'}}\n", `path: bad glob "etc/*"`},
		{"bad exe glob", header + "rules:\n  - {id: R, description: d, severity: low, match: {exe: '/bin/[a'}}\n", `exe: bad glob "/bin/[a"`},
		{"bad argv glob", header + "rules:\n  - {id: R, description: d, severity: low, match: {argv: '[x'}}\n", `argv: bad glob "[x"`},
		{"unknown flag", header + "rules:\n  - {id: R, description: d, severity: low, match: {flags: O_WRONY}}\n", `unknown flags "O_WRONY": sysgate's decoders never write it (did you mean "O_WRONLY"?)`},
		{"unknown family", header + "rules:\n  - {id: R, description: d, severity: low, match: {family: AF_INET4}}\n", `unknown family "AF_INET4"`},
		{"flag as family", header + "rules:\n  - {id: R, description: d, severity: low, match: {family: O_RDONLY}}\n", `unknown family "O_RDONLY"`},
		{"unknown op", header + "rules:\n  - {id: R, description: d, severity: low, match: {op: PTRACE_ATACH}}\n", `unknown op "PTRACE_ATACH"`},
		{"bad cidr", header + "rules:\n  - {id: R, description: d, severity: low, match: {addr: 10.0.0.1/8}}\n", "bad CIDR"},
		{"bad port", header + "rules:\n  - {id: R, description: d, severity: low, match: {port: 70000}}\n", `bad port "70000"`},
		{"lone negation", header + "rules:\n  - {id: R, description: d, severity: low, match: {path: '!'}}\n", `"!" must be followed`},
		{"exception without rules", header + "exceptions:\n  - exe: /bin/x\n", "an exception needs rules"},
		{"exception without scope", header + "exceptions:\n  - rules: [SG0002]\n", "an exception needs a scope"},
		{"exception of unknown rule", header + "include: [escape]\nexceptions:\n  - {rules: [SG1100], exe: /x}\n", `exception names unknown rule "SG1100"`},
		{"exception of incomplete", header + "exceptions:\n  - {rules: [SG0001], exe: /x}\n", "SG0001 (observation incomplete) cannot be excepted"},
		{"rules not a list", header + "include: [default]\nsyscalls: {allow: [read]}\nrules: 5\n", "rules must be a list"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			es := parseErrors(t, tt.src)
			if !strings.Contains(es.Error(), tt.want) {
				t.Errorf("errors:\n%v\nwant one containing %q", es, tt.want)
			}
		})
	}
}

// No typo widens what is allowed: each of these, which would otherwise let
// a call through or keep a rule from matching, is an error, never a policy.
func TestNoTypoWidens(t *testing.T) {
	valid := header + `syscalls:
  severity: high
  allow: [read, "@basic-io"]
rules:
  - id: R1
    description: writes under /etc
    severity: high
    match:
      class: open-write
      path: [/etc/**]
      flags: [O_WRONLY]
exceptions:
  - rules: [R1]
    exe: /usr/bin/ok
`
	mustParse(t, valid)
	typos := map[string][2]string{
		"unknown key":         {"    exe: /usr/bin/ok\n", "    exe: /usr/bin/ok\n    paht: /etc/x\n"},
		"misspelled syscall":  {"allow: [read,", "allow: [raed,"},
		"misspelled group":    {`"@basic-io"`, `"@basicio"`},
		"bad glob":            {"path: [/etc/**]", "path: [etc/**]"},
		"misspelled class":    {"class: open-write", "class: openwrite"},
		"misspelled flag":     {"flags: [O_WRONLY]", "flags: [O_WRONLYY]"},
		"misspelled severity": {"severity: high\n  allow", "severity: hgh\n  allow"},
		"misspelled rule id":  {"rules: [R1]", "rules: [R2]"},
		"match key typo":      {"      class:", "      clas:"},
		"allow key typo":      {"  allow:", "  allowed:"},
	}
	for name, tr := range typos {
		if !strings.Contains(valid, tr[0]) {
			t.Fatalf("%s: %q not in the valid policy", name, tr[0])
		}
		bad := strings.Replace(valid, tr[0], tr[1], 1)
		if pol, err := Parse("test.yaml", []byte(bad)); err == nil {
			t.Errorf("%s: accepted as a policy (%d rules)", name, len(pol.Rules))
		}
	}
}

// All problems are reported at once, sorted by position.
func TestAllErrorsAtOnce(t *testing.T) {
	es := parseErrors(t, header+`include: [nope]
syscalls:
  allow: [wirte, "@nope"]
  severity: bad
rules:
  - id: R1
    description: d
    severity: hihg
    match: {path: relative/x, flags: [NOPE], addr: 300.0.0.1}
exceptions:
  - rules: [R9]
`)
	if len(es) < 9 {
		t.Fatalf("%d errors, want at least 9:\n%v", len(es), es)
	}
	for i := 1; i < len(es); i++ {
		if es[i-1].Pos.Line > es[i].Pos.Line {
			t.Errorf("errors not sorted: %v before %v", es[i-1], es[i])
		}
	}
	for _, e := range es {
		if e.Pos.File != "test.yaml" || e.Pos.Line < 2 || e.Pos.Column < 1 {
			t.Errorf("error without a position: %v", e)
		}
	}
}

func TestParseValid(t *testing.T) {
	pol := mustParse(t, header+`name: app
description: what app may do
include: [escape, escape, network]
syscalls:
  severity: medium
  allow: ["@system-service", "!userfaultfd"]
  programs:
    - exe: [/usr/bin/curl, "**/wget"]
      allow: [connect]
rules:
  - id: app.net-1
    description: d
    severity: info
    remediation: r
    references: [CVE-2016-0728, T1611, T1055.008, https://example.com/x]
    match:
      - {syscall: connect, port: [443, "8000-8999", "!8080"]}
      - {class: exec, argv: "sh -c *"}
exceptions:
  - rules: [SG1001, app.net-1]
    exe: /usr/bin/curl
    reason: ok
`)
	if pol.Name != "app" || pol.Syscalls.Severity != Medium || len(pol.Exceptions) != 1 {
		t.Errorf("parsed %+v", pol)
	}
	if got := strings.Join(pol.Packs, ","); got != "escape,network" {
		t.Errorf("packs = %s, want escape,network (each once)", got)
	}
	if pol.Rules[0].ID != "app.net-1" || pol.Rules[0].Pack != "" || pol.Rules[1].Pack != "escape" {
		t.Errorf("rules: own first, then packs; got %s (%q), %s (%q)", pol.Rules[0].ID, pol.Rules[0].Pack, pol.Rules[1].ID, pol.Rules[1].Pack)
	}
	if pol.Syscalls.all.has("userfaultfd") || !pol.Syscalls.all.has("openat") || !pol.Syscalls.all.has("fstatat64") {
		t.Error("allow-list: @system-service less userfaultfd, on every ABI's names")
	}
	if pol.Rules[0].Pos != (Position{File: "test.yaml", Line: 12, Column: 5}) {
		t.Errorf("rule position = %v", pol.Rules[0].Pos)
	}
}

func TestSeverity(t *testing.T) {
	for i, n := range SeverityNames() {
		s, err := ParseSeverity(strings.ToUpper(n))
		if err != nil || s != Severity(i) || s.String() != n {
			t.Errorf("ParseSeverity(%s) = %v, %v", n, s, err)
		}
		b, _ := s.MarshalText()
		var back Severity
		if err := back.UnmarshalText(b); err != nil || back != s {
			t.Errorf("text round trip of %v: %v %v", s, back, err)
		}
	}
	if !(Critical > High && High > Medium && Medium > Low && Low > Info) {
		t.Error("severities out of order")
	}
	if _, err := ParseSeverity("urgent"); err == nil {
		t.Error("urgent accepted")
	}
	if _, err := Severity(9).MarshalText(); err == nil {
		t.Error("severity 9 marshaled")
	}
}

func TestDidYouMean(t *testing.T) {
	if got := yamlstrict.DidYouMean("opne", []string{"open", "openat", "close"}); got != ` (did you mean "open"?)` {
		t.Errorf("got %q", got)
	}
	if got := yamlstrict.DidYouMean("zzzzzz", []string{"open"}); got != "" {
		t.Errorf("far: got %q", got)
	}
}

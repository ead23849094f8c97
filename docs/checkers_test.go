package docs_test

import (
	"strings"
	"testing"
)

// TestCheckersCatch makes sure the checks above fail where they should: a
// checker that finds nothing would pass on any docs.
func TestCheckersCatch(t *testing.T) {
	for _, tc := range []struct {
		line, want string // want: in the problem reported; "" for none
	}{
		{"bin/sysgate scan --image localhost/x:1 --workload w.yaml --fail-on high --timeout 2m", ""},
		{"sysgate check --observation FILE --json - | jq .", ""},
		{"SYSGATE_TRACE_MODE=ptrace sysgate trace --quiet -- /bin/true", ""},
		{"sysgate diff --markdown d.md a.json b.json", ""},
		{"sysgate policy groups @mount", ""},
		{"sysgate trace --observation o.json -- sh -c 'exit 3'", ""},
		{"sysgate scan --image x --fail-on none -- /bin/sh -c true", ""},
		{"sysgate scan --image REF [--record] [--timeout DURATION]", ""},
		{"sysgate scna --image x", `no command "scna"`},
		{"bin/sysgate scan --image x --bogus", "no flag --bogus"},
		{"sysgate scan --image x --json", "--json needs a value"},
		{"sysgate scan --workload w.yaml", "without its required --image"},
		{"sysgate diff a.json", "given 1 argument(s)"},
		{"sysgate diff a.json b.json --json x", "comes after the argument"},
		{"sysgate check --observation o.json stray", "given 1 argument(s)"},
		{"sysgate check --observation o.json --fail-on severe", "binary rejects"},
		{"sysgate scan --image x --timeout 5", "binary rejects"},
		{"sysgate scan --image x --pull sometimes", "binary rejects"},
		{"sysgate policy lnt x.yaml", `no subcommand "lnt"`},
		{"sysgate policy classes extra", "takes no arguments"},
		{"sysgate policy groups @nope", "binary rejects"},
		{"sysgate scan --image REF [--record FILE]", "--record is a switch"},
		{"sysgate check [--observation] [--json FILE]", "--observation is shown without"},
		{"sysgate gc [--connection URI] [--all]", "no flag --all"},
	} {
		var p problems
		checks, n := checkCommandLine(&p, "x.md", 1, tc.line, true)
		if n != 1 {
			t.Errorf("%q: %d sysgate invocations found, want 1", tc.line, n)
		}
		runChecks(&p, checks)
		var got []string
		for _, q := range p.list {
			got = append(got, q.msg)
		}
		all := strings.Join(got, "\n")
		switch {
		case tc.want == "" && len(got) > 0:
			t.Errorf("%q: unexpected problems:\n%s", tc.line, all)
		case tc.want != "" && !strings.Contains(all, tc.want):
			t.Errorf("%q: want a problem with %q, got:\n%s", tc.line, tc.want, all)
		}
	}
}

func TestPathOf(t *testing.T) {
	r := newRepoIndex(t)
	for _, tc := range []struct {
		text, dir, want string // want "" when not a repository path
		err             bool   // exists() must fail
	}{
		{"scripts/demo", "docs", "scripts/demo", false},
		{"examples/service/workload.yaml", ".", "examples/service/workload.yaml", false},
		{"examples/compromised/policy.yaml:10:5", ".", "examples/compromised/policy.yaml", false},
		{"policy/packs/*.yaml", ".", "policy/packs/*.yaml", false},
		{"README.md", "docs", "README.md", false},
		{"scripts/nothing-here", ".", "scripts/nothing-here", true},
		{"../README.md", "docs", "README.md", false},
		{"../shared/GITHUB.md", "docs", "shared/GITHUB.md", true},
		{"../outside.md", ".", "../outside.md", true},
		{"policy/web.egress", ".", "", false}, // a SARIF rule id
		{"/etc/shadow", ".", "", false},
		{"bin/sysgate", ".", "", false}, // built, not in the repository
		{"localhost/items:dev", ".", "", false},
		{"policy", ".", "", false}, // a package name
		{"go test ./...", ".", "", false},
	} {
		got, ok := r.pathOf(tc.text, tc.dir)
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("pathOf(%q, %q) = %q, %v; want %q", tc.text, tc.dir, got, ok, tc.want)
			continue
		}
		if ok && (exists(got) != nil) != tc.err {
			t.Errorf("exists(%q) = %v, want an error: %v", got, exists(got), tc.err)
		}
	}
}

func TestSlug(t *testing.T) {
	for heading, want := range map[string]string{
		"`sysgate gc`":                   "sysgate-gc",
		"sysgate record":                 "sysgate-record",
		"Host facts verified here":       "host-facts-verified-here",
		"Against the targets: not met":   "against-the-targets-not-met",
		"The [sandbox](docs/sandbox.md)": "the-sandbox",
		"Steps and `firstStep`.":         "steps-and-firststep",
		"load ≈ 2":                       "load--2",
	} {
		if got := slug(heading); got != want {
			t.Errorf("slug(%q) = %q, want %q", heading, got, want)
		}
	}
}

func TestCodeSpansAndLinks(t *testing.T) {
	prose := "See `scripts/demo` and [the docs](docs/scan.md#exit-status).\n" +
		"A span over a line break: `sysgate scan --workload\nFILE` ends here.\n" +
		"Not a link in code: `[x](nowhere.md)`; ``a `nested` span``.\n\n" +
		"[ref]: docs/policy.md\n"
	spans, masked := codeSpans(prose)
	var texts []string
	for _, s := range spans {
		texts = append(texts, s.text)
	}
	want := []string{"scripts/demo", "sysgate scan --workload FILE", "[x](nowhere.md)", "a `nested` span"}
	if strings.Join(texts, "|") != strings.Join(want, "|") {
		t.Errorf("spans %q, want %q", texts, want)
	}
	if spans[1].line != 2 {
		t.Errorf("the second span is on line %d, want 2", spans[1].line)
	}
	var targets []string
	for _, l := range links(masked) {
		targets = append(targets, l.target)
	}
	if got := strings.Join(targets, "|"); got != "docs/scan.md#exit-status|docs/policy.md" {
		t.Errorf("links %q", targets)
	}
}

package policy

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/sysgate/sysgate/observation"
)

// docBlock is a fenced block of docs/policy.md, with the marker comment
// before it, if any.
type docBlock struct {
	lang, body, marker string
	line               int
}

var markerRE = regexp.MustCompile(`^<!-- (invalid|findings): ?(.*?) -->$`)

// docBlocks reads the fenced blocks and the markers of a markdown file;
// a findings marker is a block of its own (lang "findings").
func docBlocks(t *testing.T, path string) []docBlock {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []docBlock
	var cur *docBlock
	pending := ""
	for i, line := range strings.Split(string(data), "\n") {
		switch {
		case cur != nil && line == "```":
			out = append(out, *cur)
			cur = nil
		case cur != nil:
			cur.body += line + "\n"
		case strings.HasPrefix(line, "```"):
			cur = &docBlock{lang: strings.TrimPrefix(line, "```"), marker: pending, line: i + 1}
			pending = ""
		default:
			if m := markerRE.FindStringSubmatch(line); m != nil {
				if m[1] == "findings" {
					out = append(out, docBlock{lang: "findings", body: m[2], line: i + 1})
				} else {
					pending = m[2]
				}
			}
		}
	}
	return out
}

// TestDocExamples runs the examples of docs/policy.md: policies parse,
// invalid ones fail with the message shown, and each findings marker gives
// the findings of the policy and observation just before it.
func TestDocExamples(t *testing.T) {
	var pol *Policy
	var obs *observation.Observation
	policies, checks := 0, 0
	for _, b := range docBlocks(t, "../docs/policy.md") {
		switch {
		case b.lang == "yaml" && b.marker != "":
			_, err := Parse("doc.yaml", []byte(b.body))
			if err == nil || !strings.Contains(err.Error(), b.marker) {
				t.Errorf("docs/policy.md:%d: error %v, want one containing %q", b.line, err, b.marker)
			}
		case b.lang == "yaml":
			p, err := Parse("doc.yaml", []byte(b.body))
			if err != nil {
				t.Errorf("docs/policy.md:%d: %v", b.line, err)
			}
			pol = p
			policies++
		case b.lang == "json":
			o, err := observation.Read(bytes.NewReader([]byte(b.body)))
			if err != nil {
				t.Fatalf("docs/policy.md:%d: %v", b.line, err)
			}
			obs = o
		case b.lang == "findings":
			if pol == nil || obs == nil {
				t.Fatalf("docs/policy.md:%d: findings marker without a policy and an observation before it", b.line)
			}
			if got := strings.Join(evalIDs(t, pol, obs), " "); got != b.body {
				t.Errorf("docs/policy.md:%d: findings %q, the page says %q", b.line, got, b.body)
			}
			checks++
		}
	}
	if policies < 5 || checks < 3 {
		t.Errorf("%d policies and %d findings examples run: the page's examples were not found", policies, checks)
	}
}

// The built-in rules table of docs/policy.md lists every built-in rule with
// its severity.
func TestDocListsBuiltinRules(t *testing.T) {
	data, err := os.ReadFile("../docs/policy.md")
	if err != nil {
		t.Fatal(err)
	}
	def, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range def.Rules {
		row := "| " + r.ID + " | " + r.Pack + " | " + r.Severity.String() + " |"
		if !strings.Contains(string(data), row) {
			t.Errorf("docs/policy.md lacks the row %q", row)
		}
	}
}

// The example policies parse, and judge the example observation without
// an error.
func TestExamplePolicies(t *testing.T) {
	files, err := filepath.Glob("../examples/policies/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no example policies: %v", err)
	}
	obs, err := observation.Load("testdata/conditions/observation.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		pol, err := Load(f)
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		if _, err := Evaluate(obs, pol); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}

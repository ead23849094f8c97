package sarifcheck

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// bad breaks GitHub's rules: no version or informationUri, a numeric
// security-severity, an absolute URI, no fingerprints, no category.
const bad = `{"version": "2.1.0", "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
 "runs": [{"tool": {"driver": {"name": "x", "rules": [{"id": "R1", "shortDescription": {"text": "R."},
   "properties": {"security-severity": 8}}]}},
  "results": [{"ruleId": "R1", "message": {"text": "m."},
   "locations": [{"physicalLocation": {"artifactLocation": {"uri": "file:///etc/passwd"}, "region": {"startLine": 1}}}]}]}]}`

// TestValidatorsCatchProblems makes sure neither check passes everything.
func TestValidatorsCatchProblems(t *testing.T) {
	own := strings.Join(Own([]byte(bad)), "\n")
	for _, want := range []string{"security-severity 8 is not a string", `uri "file:///etc/passwd" is not repo-relative`, "no partialFingerprints", "no automationDetails.id"} {
		if !strings.Contains(own, want) {
			t.Errorf("own checks miss %q:\n%s", want, own)
		}
	}
	tool, err := Multitool(".")
	if errors.Is(err, ErrNoMultitool) && os.Getenv("CI") == "" {
		t.Skipf("multitool validation skipped: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(t.TempDir(), "bad.sarif")
	if err := os.WriteFile(f, []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	problems, err := Validate(tool, f)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(problems, "\n")
	for _, want := range []string{"SARIF2005", "GH2012"} {
		if !strings.Contains(got, want) {
			t.Errorf("the multitool did not report %s:\n%s", want, got)
		}
	}
}

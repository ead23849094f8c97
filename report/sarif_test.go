package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sysgate/sysgate/observation"
	"github.com/sysgate/sysgate/policy"
	"github.com/sysgate/sysgate/report/sarifcheck"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// plantedToken is a secret the tests put in argv; no report may hold it.
const plantedToken = "ghp_0123456789abcdefghijABCDEFGHIJ012345"

const testPolicy = `apiVersion: sysgate.dev/v1
name: web
description: what the web image may do
include: [default]
syscalls:
  severity: high
  allow: ["@system-service", "!userfaultfd"]
rules:
  - id: web.egress
    description: Connection to something other than the database
    severity: high
    remediation: Only the database at 10.0.3.7:5432 is expected.
    match:
      class: connect
      family: [AF_INET, AF_INET6]
      addr: ["!10.0.3.7:5432", "!loopback"]
`

// testRepo writes the policy into a fake repository and returns its root
// and the policy path.
func testRepo(t *testing.T) (string, string) {
	t.Helper()
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(root, "deploy")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "sysgate.yaml")
	if err := os.WriteFile(p, []byte(testPolicy), 0o644); err != nil {
		t.Fatal(err)
	}
	return root, p
}

func call(exe, name string, kv ...string) observation.Call {
	c := observation.Call{Exe: exe, ABI: "x86_64", Name: name, Count: 2, Outcomes: 2}
	for i := 0; i+1 < len(kv); i += 2 {
		c.Args = append(c.Args, observation.Arg{Key: kv[i], Value: kv[i+1]})
	}
	return c
}

// testObs is a scan of image ref with a mount, an outside connection, an
// unlisted keyctl and a shell started with a token in its argv.
func testObs(ref string, complete bool) *observation.Observation {
	exec := call("/usr/bin/app", "execve", "path", "/bin/sh")
	exec.Args = append(exec.Args, observation.Arg{Key: "argv", List: []string{"sh", "-c", "curl -H 'Authorization: token " + plantedToken + "' https://x"}})
	obs := &observation.Observation{Schema: observation.Schema, Complete: complete, Incomplete: []string{},
		Subject: observation.Subject{Image: &observation.Image{Ref: ref, Digest: "sha256:" + strings.Repeat("a", 64)}},
		Processes: []observation.Process{
			{PID: 7, PPID: 1, Exe: "/usr/bin/app", Argv: []string{"app", "--api-token", plantedToken}},
			{PID: 9, PPID: 7, Exe: "/bin/sh", Argv: []string{"sh", "-c", "GITHUB_TOKEN=" + plantedToken + " run"}},
		},
		Calls: []observation.Call{
			call("/usr/bin/app", "read"),
			call("/usr/bin/app", "mount", "source", "proc", "target", "/mnt", "fstype", "proc"),
			call("/usr/bin/app", "connect", "family", "AF_INET", "addr", "93.184.216.34:443"),
			call("/usr/bin/app", "keyctl", "op", "KEYCTL_JOIN_SESSION_KEYRING"),
			exec,
		},
		Syscalls: []observation.Syscall{{ABI: "x86_64", Nr: 0, Name: "read", Count: 40}, {ABI: "x86_64", Nr: 42, Name: "connect", Count: 2},
			{ABI: "x86_64", Nr: 59, Name: "execve", Count: 2}, {ABI: "x86_64", Nr: 165, Name: "mount", Count: 2}, {ABI: "x86_64", Nr: 250, Name: "keyctl", Count: 2}},
	}
	if !complete {
		obs.Incomplete = []string{"2 children were not traced"}
	}
	return obs
}

func evaluate(t *testing.T, obs *observation.Observation, polPath string) (*policy.Policy, []policy.Finding) {
	t.Helper()
	pol, err := policy.Load(polPath)
	if err != nil {
		t.Fatal(err)
	}
	fs, err := policy.Evaluate(obs, pol)
	if err != nil {
		t.Fatal(err)
	}
	return pol, fs
}

func render(t *testing.T, obs *observation.Observation, polPath string, opts Options) []byte {
	t.Helper()
	pol, fs := evaluate(t, obs, polPath)
	data, err := SARIF(obs, pol, fs, opts)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// golden compares data with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, data []byte) {
	t.Helper()
	p := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run go test ./report -update)", err)
	}
	if !bytes.Equal(data, want) {
		t.Errorf("%s differs from the output; diff with -update:\n%s", p, data)
	}
}

// validate runs our checks and the multitool on data.
func validate(t *testing.T, data []byte) {
	t.Helper()
	if bad := sarifcheck.Own(data); len(bad) > 0 {
		t.Errorf("own checks:\n%s", strings.Join(bad, "\n"))
	}
	if bytes.Contains(data, []byte(plantedToken)) {
		t.Errorf("the planted token is in the SARIF")
	}
	tool, err := sarifcheck.Multitool(".")
	if errors.Is(err, sarifcheck.ErrNoMultitool) && os.Getenv("CI") == "" {
		t.Skipf("multitool validation skipped: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(t.TempDir(), "out.sarif")
	if err := os.WriteFile(f, data, 0o644); err != nil {
		t.Fatal(err)
	}
	problems, err := sarifcheck.Validate(tool, f)
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) > 0 {
		t.Errorf("the SARIF multitool found:\n%s", strings.Join(problems, "\n"))
	}
}

func TestSARIFGolden(t *testing.T) {
	root, pol := testRepo(t)
	for _, tc := range []struct {
		name     string
		complete bool
	}{{"scan.sarif", true}, {"incomplete.sarif", false}} {
		t.Run(tc.name, func(t *testing.T) {
			data := render(t, testObs("ghcr.io/acme/web:1.2", tc.complete), pol, Options{RepoRoot: root, Version: "0.3.0"})
			golden(t, tc.name, data)
			validate(t, data)
		})
	}
}

func TestSARIFDefaultPolicyFallback(t *testing.T) {
	pol, err := policy.Default()
	if err != nil {
		t.Fatal(err)
	}
	obs := testObs("docker.io/library/web:latest", true)
	fs, err := policy.Evaluate(obs, pol)
	if err != nil {
		t.Fatal(err)
	}
	data, err := SARIF(obs, pol, fs, Options{RepoRoot: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "default-pack.sarif", data)
	validate(t, data)
}

func TestSARIFDeterministicAcrossTagsAndDigests(t *testing.T) {
	root, pol := testRepo(t)
	a := render(t, testObs("ghcr.io/acme/web:1.2", true), pol, Options{RepoRoot: root})
	again := render(t, testObs("ghcr.io/acme/web:1.2", true), pol, Options{RepoRoot: root})
	if !bytes.Equal(a, again) {
		t.Fatal("the same inputs gave different SARIF")
	}
	other := testObs("ghcr.io/acme/web@sha256:"+strings.Repeat("b", 64), true)
	other.Subject.Image.Digest = "sha256:" + strings.Repeat("c", 64)
	other.Processes[0].PID = 4242
	for i := range other.Calls {
		other.Calls[i].Count *= 7
	}
	b := render(t, other, pol, Options{RepoRoot: root})
	if !bytes.Equal(identity(t, a), identity(t, b)) {
		t.Errorf("a new tag, digest, pid or count changed rule ids, locations or fingerprints:\n%s\n---\n%s", identity(t, a), identity(t, b))
	}
}

// identity is what must not change across tags and digests: the category,
// and per result its rule, location and fingerprint.
func identity(t *testing.T, data []byte) []byte {
	t.Helper()
	var log struct {
		Runs []struct {
			AutomationDetails struct{ ID string } `json:"automationDetails"`
			Results           []struct {
				RuleID              string            `json:"ruleId"`
				Locations           []any             `json:"locations"`
				PartialFingerprints map[string]string `json:"partialFingerprints"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := jsonUnmarshal(data, &log); err != nil {
		t.Fatal(err)
	}
	out, _ := encode(log)
	return out
}

func TestCategory(t *testing.T) {
	for ref, want := range map[string]string{
		"ghcr.io/acme/web:1.2":              "sysgate/ghcr.io/acme/web/",
		"ghcr.io/acme/web@sha256:abc":       "sysgate/ghcr.io/acme/web/",
		"localhost:5000/web:dev@sha256:abc": "sysgate/localhost_5000/web/",
		"busybox":                           "sysgate/busybox/",
	} {
		obs := &observation.Observation{Subject: observation.Subject{Image: &observation.Image{Ref: ref}}}
		if got := Category(obs, ""); got != want {
			t.Errorf("Category(%q) = %q, want %q", ref, got, want)
		}
	}
	cmd := &observation.Observation{Subject: observation.Subject{Command: []string{"/usr/bin/cat", "x"}}}
	if got := Category(cmd, ""); got != "sysgate/cmd/cat/" {
		t.Errorf("command category %q", got)
	}
}

func TestWriteFileAtomicTruncates(t *testing.T) {
	p := filepath.Join(t.TempDir(), "out.sarif")
	if err := os.WriteFile(p, bytes.Repeat([]byte("x"), 1000), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteFileAtomic(p, []byte("short\n")); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(p)
	if string(got) != "short\n" {
		t.Fatalf("got %q", got)
	}
	entries, _ := os.ReadDir(filepath.Dir(p))
	if len(entries) != 1 {
		t.Fatalf("temporary files left: %v", entries)
	}
}

func jsonUnmarshal(data []byte, v any) error { return json.Unmarshal(data, v) }

func TestSARIFResultCap(t *testing.T) {
	pol, err := policy.Default()
	if err != nil {
		t.Fatal(err)
	}
	fs := make([]policy.Finding, MaxResults+3)
	for i := range fs {
		nr := uint32(i)
		fs[i] = policy.Finding{RuleID: "SG1401", Severity: policy.Medium, Message: "m", Policy: policy.Position{File: "pack:runtime-exec", Line: 5},
			Evidence: policy.Evidence{Exe: "/bin/x", Nr: &nr}}
	}
	obs := &observation.Observation{Schema: observation.Schema, Complete: true}
	data, err := SARIF(obs, pol, fs, Options{RepoRoot: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if bad := sarifcheck.Own(data); len(bad) > 0 {
		t.Fatalf("own checks: %v", bad[:1])
	}
	if n := bytes.Count(data, []byte(`"ruleId": "SG1401"`)); n != MaxResults {
		t.Errorf("%d results, want %d", n, MaxResults)
	}
	if !bytes.Contains(data, []byte(`"text": "3 findings were left out: GitHub takes at most 25000 results per run; the JSON report has them all."`)) {
		t.Error("no notification of the findings left out")
	}
}

// TestSARIFWorkloadStep: a finding first seen in a step of the workload
// gets that step as a related location, and as its location when the
// policy gives none (a pack's rule); the policy line and the allow-list
// line still come first; a step the workload lacks adds nothing.
func TestSARIFWorkloadStep(t *testing.T) {
	root, pol := testRepo(t)
	wl := filepath.Join(root, "deploy", "workload.yaml")
	if err := os.WriteFile(wl, []byte("steps:\n  - name: setup\n    run: [mount]\n  - name: serve\n    run: [app]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	obs := testObs("ghcr.io/acme/web:1.2", true)
	for i := range obs.Calls {
		switch obs.Calls[i].Name {
		case "mount", "keyctl":
			obs.Calls[i].FirstStep = "setup"
		case "connect":
			obs.Calls[i].FirstStep = "serve"
		case "execve":
			obs.Calls[i].FirstStep = "not-a-step"
		}
	}
	opts := Options{RepoRoot: root, Version: "0.3.0", Workload: Workload{Path: wl, StepLines: map[string]int{"setup": 2, "serve": 4}}}
	data := render(t, obs, pol, opts)
	validate(t, data)
	if again := render(t, obs, pol, opts); !bytes.Equal(data, again) {
		t.Error("the same inputs gave different SARIF")
	}
	type loc struct {
		ID               int `json:"id"`
		PhysicalLocation struct {
			ArtifactLocation struct {
				URI string `json:"uri"`
			} `json:"artifactLocation"`
			Region struct {
				StartLine int `json:"startLine"`
			} `json:"region"`
		} `json:"physicalLocation"`
		Message struct {
			Text string `json:"text"`
		} `json:"message"`
	}
	var log struct {
		Runs []struct {
			Results []struct {
				RuleID           string         `json:"ruleId"`
				Properties       map[string]any `json:"properties"`
				Locations        []loc          `json:"locations"`
				RelatedLocations []loc          `json:"relatedLocations"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(data, &log); err != nil {
		t.Fatal(err)
	}
	str := func(l loc) string {
		s := fmt.Sprintf("%s:%d", l.PhysicalLocation.ArtifactLocation.URI, l.PhysicalLocation.Region.StartLine)
		if l.Message.Text != "" {
			s += fmt.Sprintf(" #%d %q", l.ID, l.Message.Text)
		}
		return s
	}
	var got []string
	for _, r := range log.Runs[0].Results {
		line := fmt.Sprintf("%s %v %v at %s", r.RuleID, r.Properties["exe"], r.Properties["syscall"], str(r.Locations[0]))
		for _, rl := range r.RelatedLocations {
			line += "; related " + str(rl)
		}
		got = append(got, line)
	}
	want := []string{
		`SG0010 <nil> mount at deploy/sysgate.yaml:5`, // counted in the summary only: no step
		`SG0010 /usr/bin/app mount at deploy/sysgate.yaml:5; related deploy/workload.yaml:2 #1 "first seen in workload step setup"`,
		`SG1001 /usr/bin/app mount at deploy/workload.yaml:2; related deploy/workload.yaml:2 #1 "first seen in workload step setup"`,
		`SG1010 /usr/bin/app keyctl at deploy/workload.yaml:2; related deploy/workload.yaml:2 #1 "first seen in workload step setup"`,
		`policy/web.egress /usr/bin/app connect at deploy/sysgate.yaml:9; related deploy/workload.yaml:4 #1 "first seen in workload step serve"`,
		`SG1401 /usr/bin/app execve at deploy/sysgate.yaml:1`,
		`SG1601 /usr/bin/app connect at deploy/workload.yaml:4; related deploy/workload.yaml:4 #1 "first seen in workload step serve"`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("locations:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// A workload outside the repository is never used.
	opts.Workload.Path = filepath.Join(t.TempDir(), "workload.yaml")
	if err := os.WriteFile(opts.Workload.Path, []byte("steps:\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if out := render(t, obs, pol, opts); bytes.Contains(out, []byte("relatedLocations")) || bytes.Contains(out, []byte("workload.yaml")) {
		t.Error("a workload outside the repository is used")
	}
}

// With the built-in policy the repository is found above the workload.
func TestSARIFWorkloadRepoRoot(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	wl := filepath.Join(root, "ci", "workload.yaml")
	if err := os.MkdirAll(filepath.Dir(wl), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(wl, []byte("steps:\n  - name: setup\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	pol, err := policy.Default()
	if err != nil {
		t.Fatal(err)
	}
	obs := testObs("ghcr.io/acme/web:1.2", true)
	for i := range obs.Calls {
		obs.Calls[i].FirstStep = "setup"
	}
	fs, err := policy.Evaluate(obs, pol)
	if err != nil {
		t.Fatal(err)
	}
	data, err := SARIF(obs, pol, fs, Options{Workload: Workload{Path: wl, StepLines: map[string]int{"setup": 2}}})
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(data, []byte(DefaultFallback)) || !bytes.Contains(data, []byte(`"uri": "ci/workload.yaml"`)) {
		t.Errorf("results are not at the workload step:\n%s", data)
	}
	validate(t, data)
}

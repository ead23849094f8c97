package examples_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/sysgate/sysgate/policy"
	"github.com/sysgate/sysgate/workload"
)

// actionlintVersion is the actionlint the tests run, through the module
// proxy (go run MODULE@VERSION), so nothing is installed by hand.
const actionlintVersion = "v1.7.12"

// examples are the example directories, each with a Containerfile, a
// build.sh, a workload, a policy and its expected findings.
var examples = []string{"service", "batch", "compromised"}

// root is the repository's root: the tests run in examples/.
func root(t testing.TB) string {
	t.Helper()
	dir, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// expectedFinding is one entry of expected-findings.json ("act" says, for
// the reader, which act of the image it stands for).
type expectedFinding struct {
	RuleID   string `json:"ruleId"`
	Severity string `json:"severity"`
	Act      string `json:"act,omitempty"`
}

func readExpected(t testing.TB, name string) []expectedFinding {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root(t), "examples", name, "expected-findings.json"))
	if err != nil {
		t.Fatal(err)
	}
	var want []expectedFinding
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&want); err != nil {
		t.Fatalf("examples/%s/expected-findings.json: %v", name, err)
	}
	if want == nil {
		t.Fatalf("examples/%s/expected-findings.json: want a list ([] when clean)", name)
	}
	return want
}

// TestExampleFiles checks what every example needs without running it: the
// files exist, the policy and the workload are valid, and each expected
// finding names a rule the policy has, at the rule's severity.
func TestExampleFiles(t *testing.T) {
	for _, name := range examples {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(root(t), "examples", name)
			for _, f := range []string{"Containerfile", "build.sh", "workload.yaml", "policy.yaml", "expected-findings.json", "README.md"} {
				if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
					t.Errorf("missing: %v", err)
				}
			}
			if fi, err := os.Stat(filepath.Join(dir, "build.sh")); err == nil && fi.Mode()&0o111 == 0 {
				t.Errorf("build.sh is not executable")
			}
			if cf, err := os.ReadFile(filepath.Join(dir, "Containerfile")); err == nil && !regexp.MustCompile(`(?m)^FROM scratch$`).Match(cf) {
				t.Errorf("the Containerfile does not start FROM scratch")
			}
			if _, err := workload.Load(filepath.Join(dir, "workload.yaml")); err != nil {
				t.Errorf("workload: %v", err)
			}
			pol, err := policy.Load(filepath.Join(dir, "policy.yaml"))
			if err != nil {
				t.Fatalf("policy: %v", err)
			}
			severities := map[string]string{}
			for _, r := range pol.Rules {
				severities[r.ID] = r.Severity.String()
			}
			for _, f := range readExpected(t, name) {
				sev, ok := severities[f.RuleID]
				switch {
				case strings.HasPrefix(f.RuleID, "SG00"): // a core check, in every policy
				case !ok:
					t.Errorf("expected finding %s: the policy has no such rule", f.RuleID)
				case sev != f.Severity:
					t.Errorf("expected finding %s at %s: the rule's severity is %s", f.RuleID, f.Severity, sev)
				}
			}
		})
	}
}

// workflows lists the self-test workflow and the example workflows.
func workflows(t testing.TB) []string {
	t.Helper()
	var files []string
	for _, pattern := range []string{".github/workflows/*.yml", "examples/workflows/*.yml"} {
		m, err := filepath.Glob(filepath.Join(root(t), pattern))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) < 4 {
		t.Fatalf("found %d workflows (%v), want the self-test and the three examples", len(files), files)
	}
	return files
}

// TestActionlint runs actionlint on every workflow; it also checks the
// inputs and outputs that the self-test uses of the action (uses: ./)
// against action.yml. Any output is a failure.
func TestActionlint(t *testing.T) {
	files := workflows(t)
	var rel []string
	for _, f := range files {
		r, _ := filepath.Rel(root(t), f)
		rel = append(rel, r)
	}
	args := append([]string{"run", "github.com/rhysd/actionlint/cmd/actionlint@" + actionlintVersion, "-no-color"}, rel...)
	cmd := exec.Command("go", args...)
	cmd.Dir = root(t)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if err != nil || stdout.Len() > 0 {
		t.Fatalf("actionlint %s %s: %v\n%s%s", actionlintVersion, strings.Join(rel, " "), err, stdout.String(), stderr.String())
	}
}

// action is the part of action.yml the tests read.
type action struct {
	Name        string
	Description string
	Inputs      map[string]struct {
		Description string
		Required    bool
		Default     *string
	}
	Outputs map[string]struct {
		Description string
		Value       string
	}
	Runs struct {
		Using string
		Steps []step
	}
}

type step struct {
	Name  string
	ID    string
	If    string
	Uses  string
	Run   string
	Shell string
	Env   map[string]string
	With  map[string]string
}

func loadAction(t testing.TB) (*action, []byte) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root(t), "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var a action
	if err := yaml.Unmarshal(data, &a); err != nil {
		t.Fatalf("action.yml: %v", err)
	}
	return &a, data
}

// stepByID returns the step with id.
func (a *action) stepByID(t testing.TB, id string) (int, *step) {
	t.Helper()
	for i := range a.Runs.Steps {
		if a.Runs.Steps[i].ID == id {
			return i, &a.Runs.Steps[i]
		}
	}
	t.Fatalf("action.yml has no step with id %q", id)
	return 0, nil
}

var (
	kebabRE  = regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`)
	pinnedRE = regexp.MustCompile(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+(/[A-Za-z0-9_./-]+)?@[0-9a-f]{40}$`)
	outputRE = regexp.MustCompile(`^\$\{\{ steps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+) \}\}$`)
	inputRE  = regexp.MustCompile(`inputs\.([A-Za-z0-9_-]+)`)
	stepRE   = regexp.MustCompile(`steps\.([A-Za-z0-9_-]+)\.`)
)

// TestActionMetadata checks action.yml against what GitHub and GITHUB.md
// ask of a composite action.
func TestActionMetadata(t *testing.T) {
	a, data := loadAction(t)
	if a.Runs.Using != "composite" {
		t.Errorf("runs.using = %q, want composite", a.Runs.Using)
	}
	if a.Name == "" || a.Description == "" {
		t.Errorf("the action needs a name and a description")
	}
	t.Run("inputs", func(t *testing.T) { checkInputs(t, a) })
	t.Run("steps", func(t *testing.T) { checkSteps(t, a) })
	t.Run("outputs", func(t *testing.T) { checkOutputs(t, a) })
	t.Run("references", func(t *testing.T) { checkReferences(t, a, data) })
}

// cliDefaults are the inputs whose default is the CLI's.
var cliDefaults = map[string]string{
	"fail-on":    "low",
	"sarif-file": "sysgate.sarif",
	"summary":    "true",
	"record":     "false",
	"pull":       "missing",
	// sysgate scan --record's --policy-out and --seccomp-out.
	"record-policy-file":  "sysgate-policy.yaml",
	"record-seccomp-file": "sysgate-seccomp.json",
}

func checkInputs(t *testing.T, a *action) {
	for name, in := range a.Inputs {
		if !kebabRE.MatchString(name) {
			t.Errorf("input %q is not kebab-case", name)
		}
		if strings.TrimSpace(in.Description) == "" {
			t.Errorf("input %q has no description", name)
		}
		if !in.Required && in.Default == nil {
			t.Errorf("input %q is optional and has no default", name)
		}
	}
	for name, want := range cliDefaults {
		in, ok := a.Inputs[name]
		if !ok || in.Default == nil || *in.Default != want {
			t.Errorf("input %q: want default %q, the CLI's", name, want)
		}
	}
	for _, name := range []string{"image", "workload", "policy", "baseline-observation", "sysgate-version"} {
		if _, ok := a.Inputs[name]; !ok {
			t.Errorf("no input %q", name)
		}
	}
	if !a.Inputs["image"].Required {
		t.Errorf("input image is not required")
	}
}

func checkSteps(t *testing.T, a *action) {
	scan, _ := a.stepByID(t, "scan")
	for i, s := range a.Runs.Steps {
		label := fmt.Sprintf("step %d (%s)", i+1, s.Name)
		if s.Name == "" {
			t.Errorf("%s has no name", label)
		}
		switch {
		case s.Run != "" && s.Uses != "":
			t.Errorf("%s has both run and uses", label)
		case s.Run != "":
			if s.Shell != "bash" {
				t.Errorf("%s: shell %q, want bash", label, s.Shell)
			}
			// Inputs (and everything else) reach scripts through env:
			// an expression in a script is shell injection.
			if strings.Contains(s.Run, "${{") {
				t.Errorf("%s: an expression inside run:; pass it through env:", label)
			}
		case strings.HasPrefix(s.Uses, "./"), strings.HasPrefix(s.Uses, "docker://"):
		case s.Uses != "":
			if !pinnedRE.MatchString(s.Uses) {
				t.Errorf("%s: uses %s, not pinned to a full commit SHA", label, s.Uses)
			}
		default:
			t.Errorf("%s has neither run nor uses", label)
		}
		// The reports are written before a failing scan exits: every step
		// after it must run anyway.
		if i > scan && !strings.Contains(s.If, "always()") {
			t.Errorf("%s comes after the scan and does not run when it fails (if: %q)", label, s.If)
		}
	}
}

// checkOutputs checks that every output has a value from a step that runs
// on every path (if: always()) and writes it.
func checkOutputs(t *testing.T, a *action) {
	for _, name := range []string{"sarif-file", "findings", "verdict"} {
		if _, ok := a.Outputs[name]; !ok {
			t.Errorf("no output %q", name)
		}
	}
	for name, out := range a.Outputs {
		if !kebabRE.MatchString(name) {
			t.Errorf("output %q is not kebab-case", name)
		}
		if strings.TrimSpace(out.Description) == "" {
			t.Errorf("output %q has no description", name)
		}
		m := outputRE.FindStringSubmatch(out.Value)
		if m == nil {
			t.Errorf("output %q: value %q, want ${{ steps.ID.outputs.NAME }}", name, out.Value)
			continue
		}
		i, s := a.stepByID(t, m[1])
		if !strings.Contains(s.If, "always()") {
			t.Errorf("output %q comes from step %q, which does not run on every path (if: %q)", name, s.ID, s.If)
		}
		if !strings.Contains(s.Run, `echo "`+m[2]+`=`) {
			t.Errorf("output %q: step %q never writes %s= to $GITHUB_OUTPUT", name, s.ID, m[2])
		}
		if i != len(a.Runs.Steps)-1 {
			t.Errorf("output %q: step %q is not the last step", name, s.ID)
		}
	}
}

// checkReferences checks that every inputs.X names an input and every
// steps.ID a step before the reference.
func checkReferences(t *testing.T, a *action, data []byte) {
	for _, m := range inputRE.FindAllStringSubmatch(string(data), -1) {
		if _, ok := a.Inputs[m[1]]; !ok {
			t.Errorf("inputs.%s: no such input", m[1])
		}
	}
	seen := map[string]bool{}
	for _, s := range a.Runs.Steps {
		text, _ := yaml.Marshal(s)
		for _, m := range stepRE.FindAllStringSubmatch(string(text), -1) {
			if !seen[m[1]] {
				t.Errorf("step %q refers to steps.%s, which is not a step before it", s.Name, m[1])
			}
		}
		if s.ID != "" {
			seen[s.ID] = true
		}
	}
}

// stepRun is the environment of one run step of the action, as GitHub gives
// it: the step's env (the test supplies the values its expressions would
// have), the runner's variables, and $GITHUB_OUTPUT and
// $GITHUB_STEP_SUMMARY files.
type stepRun struct {
	dir     string   // RUNNER_TEMP, HOME and the working directory
	output  string   // $GITHUB_OUTPUT
	summary string   // $GITHUB_STEP_SUMMARY
	path    string   // PATH
	extra   []string // more of the environment, KEY=VALUE
}

func newStepRun(t *testing.T) *stepRun {
	dir := t.TempDir()
	r := &stepRun{dir: dir, output: filepath.Join(dir, "github-output"), summary: filepath.Join(dir, "step-summary"),
		path: os.Getenv("PATH")}
	for _, f := range []string{r.output, r.summary} {
		if err := os.WriteFile(f, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

// run runs the step's script with bash and returns its exit code and
// output. Every key of env must be one the step declares.
func (r *stepRun) run(t *testing.T, a *action, s *step, env map[string]string) (int, string) {
	t.Helper()
	// As GitHub runs shell: bash.
	cmd := exec.Command("bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", s.Run)
	cmd.Dir = r.dir
	cmd.Env = []string{"PATH=" + r.path, "HOME=" + r.dir, "RUNNER_TEMP=" + r.dir, "RUNNER_OS=Linux", "RUNNER_ARCH=X64",
		"GITHUB_OUTPUT=" + r.output, "GITHUB_STEP_SUMMARY=" + r.summary, "GITHUB_PATH=" + filepath.Join(r.dir, "github-path"),
		"GITHUB_WORKSPACE=" + r.dir, "GITHUB_ACTION_PATH=" + root(t)}
	cmd.Env = append(cmd.Env, r.extra...)
	for k, v := range env {
		if _, ok := s.Env[k]; !ok {
			t.Fatalf("step %q declares no env %s", s.Name, k)
		}
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0, string(out)
	case errors.As(err, &exit):
		return exit.ExitCode(), string(out)
	}
	t.Fatalf("step %q: %v", s.Name, err)
	return 0, ""
}

// outputs reads $GITHUB_OUTPUT: NAME=VALUE lines, the last one winning.
func (r *stepRun) outputs(t *testing.T) map[string]string {
	t.Helper()
	data, err := os.ReadFile(r.output)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for line := range strings.Lines(string(data)) {
		k, v, ok := strings.Cut(strings.TrimSuffix(line, "\n"), "=")
		if !ok {
			t.Fatalf("$GITHUB_OUTPUT line %q is not NAME=VALUE", line)
		}
		out[k] = v
	}
	return out
}

// stepNamed returns the step called name.
func (a *action) stepNamed(t testing.TB, name string) *step {
	t.Helper()
	for i := range a.Runs.Steps {
		if a.Runs.Steps[i].Name == name {
			return &a.Runs.Steps[i]
		}
	}
	t.Fatalf("action.yml has no step named %q", name)
	return nil
}

// fakeTool writes an executable script called name into a new directory
// and returns the directory.
func fakeTool(t *testing.T, name, script string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\n"+script), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestActionPodmanCheck runs the action's Podman check with stand-ins for
// podman: a missing or too old one stops the action with a clear error.
func TestActionPodmanCheck(t *testing.T) {
	a, _ := loadAction(t)
	s := a.stepNamed(t, "Check Podman")
	for _, tc := range []struct {
		version  string // "" for no podman at all
		wantCode int
		wantText string
	}{
		{"", 3, "podman is not installed"},
		{"3.4.4", 3, "Podman 3.4.4 is too old"},
		{"4.3.1", 0, "Podman 4.3.1"},
		{"5.7.0", 0, "Podman 5.7.0"},
	} {
		t.Run("podman "+tc.version, func(t *testing.T) {
			r := newStepRun(t)
			r.path = t.TempDir() // no podman
			if tc.version != "" {
				r.path = fakeTool(t, "podman", "echo "+tc.version+"\n")
			}
			code, out := r.run(t, a, s, nil)
			if code != tc.wantCode || !strings.Contains(out, tc.wantText) {
				t.Fatalf("exit %d, output:\n%s\nwant exit %d and %q", code, out, tc.wantCode, tc.wantText)
			}
			if code != 0 && !strings.Contains(out, "::error") {
				t.Errorf("no ::error:: annotation:\n%s", out)
			}
		})
	}
}

// prepareEnv is the Prepare step's env with the inputs' defaults.
func prepareEnv() map[string]string {
	return map[string]string{"IMAGE": "localhost/x:1", "FAIL_ON": "low", "SUMMARY": "true", "RECORD": "false",
		"PULL": "missing", "SARIF": "sysgate.sarif", "OBSERVATION": "", "SYSGATE_VERSION": ""}
}

// TestActionPrepare runs the Prepare step: bad inputs stop the action
// (exit 2); good ones give a scan directory and a cache key that depends
// only on the source.
func TestActionPrepare(t *testing.T) {
	a, _ := loadAction(t)
	_, s := a.stepByID(t, "prepare")
	for key, bad := range map[string]string{"IMAGE": "", "FAIL_ON": "severe", "SUMMARY": "yes", "RECORD": "1",
		"PULL": "sometimes", "SARIF": "", "SYSGATE_VERSION": "latest"} {
		t.Run("bad "+key, func(t *testing.T) {
			env := prepareEnv()
			env[key] = bad
			code, out := newStepRun(t).run(t, a, s, env)
			if code != 2 || !strings.Contains(out, "::error") {
				t.Fatalf("%s=%q: exit %d, want 2 with an ::error:: annotation:\n%s", key, bad, code, out)
			}
		})
	}
	var keys []string
	for range 2 {
		r := newStepRun(t)
		stale := filepath.Join(r.dir, "sysgate.sarif")
		if err := os.WriteFile(stale, []byte("{}"), 0o644); err != nil {
			t.Fatal(err)
		}
		if code, out := r.run(t, a, s, prepareEnv()); code != 0 {
			t.Fatalf("exit %d:\n%s", code, out)
		}
		if _, err := os.Stat(stale); !os.IsNotExist(err) {
			t.Errorf("the SARIF file of an earlier run is still there (%v)", err)
		}
		out := r.outputs(t)
		if fi, err := os.Stat(out["dir"]); err != nil || !fi.IsDir() {
			t.Errorf("dir=%q is not a directory (%v)", out["dir"], err)
		}
		if out["observation"] != filepath.Join(out["dir"], "observation.json") {
			t.Errorf("observation=%q, want it in dir=%q", out["observation"], out["dir"])
		}
		if !regexp.MustCompile(`^sysgate-Linux-X64-src-[0-9a-f]{40}$`).MatchString(out["cache-key"]) {
			t.Errorf("cache-key=%q", out["cache-key"])
		}
		if out["bin-dir"] != filepath.Join(r.dir, ".cache/sysgate-action", out["cache-key"]) || out["have-binary"] != "false" {
			t.Errorf("bin-dir=%q have-binary=%q", out["bin-dir"], out["have-binary"])
		}
		keys = append(keys, out["cache-key"])
	}
	if keys[0] != keys[1] {
		t.Errorf("the cache key changed between two runs on the same source: %v", keys)
	}
	env := prepareEnv()
	env["SYSGATE_VERSION"] = "v0.4.0"
	r := newStepRun(t)
	if code, out := r.run(t, a, s, env); code != 0 {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	if got := r.outputs(t)["cache-key"]; got != "sysgate-Linux-X64-v0.4.0" {
		t.Errorf("cache-key=%q for sysgate-version v0.4.0", got)
	}
}

// TestActionScanStep runs the Scan step with a stand-in for sysgate: the
// flags follow the inputs, and the exit code is sysgate's.
func TestActionScanStep(t *testing.T) {
	a, _ := loadAction(t)
	_, s := a.stepByID(t, "scan")
	for _, code := range []int{0, 1, 2, 3} {
		t.Run(fmt.Sprint("exit ", code), func(t *testing.T) {
			r := newStepRun(t)
			args := filepath.Join(r.dir, "args")
			bin := fakeTool(t, "sysgate", fmt.Sprintf("printf '%%s\\n' \"$@\" >%s\nexit %d\n", args, code))
			got, out := r.run(t, a, s, map[string]string{"BIN_DIR": bin, "DIR": r.dir, "OBSERVATION": filepath.Join(r.dir, "obs/o.json"),
				"IMAGE": "docker-archive:/tmp/app.tar", "WORKLOAD": "w.yaml", "POLICY": "", "FAIL_ON": "high",
				"SARIF": "reports/s.sarif", "RECORD": "true", "RECORD_POLICY": "b.yaml", "RECORD_SECCOMP": "s.json",
				"PULL": "never", "TIMEOUT": "", "CONNECTION": "", "REPO_ROOT": ""})
			if got != code {
				t.Fatalf("exit %d, want sysgate's %d:\n%s", got, code, out)
			}
			if o := r.outputs(t); o["exit-code"] != fmt.Sprint(code) {
				t.Errorf("exit-code=%q, want %d", o["exit-code"], code)
			}
			data, err := os.ReadFile(args)
			if err != nil {
				t.Fatal(err)
			}
			want := []string{"scan", "--image", "docker-archive:/tmp/app.tar", "--fail-on", "high", "--pull", "never",
				"--sarif", "reports/s.sarif", "--json", r.dir + "/findings.json", "--markdown", r.dir + "/summary.md",
				"--observation", r.dir + "/obs/o.json", "--repo-root", r.dir, "--workload", "w.yaml",
				"--record", "--policy-out", "b.yaml", "--seccomp-out", "s.json"}
			if got := strings.Fields(string(data)); !slices.Equal(got, want) {
				t.Errorf("sysgate %v\nwant    %v", got, want)
			}
			if _, err := os.Stat(filepath.Join(r.dir, "reports")); err != nil {
				t.Errorf("the SARIF file's directory was not made: %v", err)
			}
		})
	}
}

// TestActionBuildStep runs the step that builds sysgate from the action's
// source, as on a cache miss: one static binary that runs.
func TestActionBuildStep(t *testing.T) {
	a, _ := loadAction(t)
	_, s := a.stepByID(t, "build")
	r := newStepRun(t)
	// The machine's Go caches, not the fresh HOME's: the same build as
	// buildSysgate, so it is not done twice.
	for _, v := range []string{"GOCACHE", "GOMODCACHE", "GOPATH", "GOPROXY", "GOTOOLCHAIN"} {
		out, err := exec.Command("go", "env", v).Output()
		if err != nil {
			t.Fatalf("go env %s: %v", v, err)
		}
		r.extra = append(r.extra, v+"="+strings.TrimSpace(string(out)))
	}
	bin := filepath.Join(r.dir, "bin")
	if code, out := r.run(t, a, s, map[string]string{"BIN_DIR": bin, "SYSGATE_VERSION": ""}); code != 0 {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	out, err := exec.Command("file", filepath.Join(bin, "sysgate")).Output()
	if err == nil && !strings.Contains(string(out), "statically linked") {
		t.Errorf("the binary is not static: %s", out)
	}
}

// TestActionDiffStep runs the diff step with a stand-in for sysgate: exit 1
// (behaviour added) is an answer, exit 2 a failure.
func TestActionDiffStep(t *testing.T) {
	a, _ := loadAction(t)
	_, s := a.stepByID(t, "diff")
	for _, tc := range []struct {
		exit     int
		wantCode int
		want     string
	}{{0, 0, "false"}, {1, 0, "true"}, {2, 2, ""}} {
		t.Run(fmt.Sprint("exit ", tc.exit), func(t *testing.T) {
			r := newStepRun(t)
			args := filepath.Join(r.dir, "args")
			bin := fakeTool(t, "sysgate", fmt.Sprintf("printf '%%s\\n' \"$@\" >%s\nexit %d\n", args, tc.exit))
			obs := filepath.Join(r.dir, "observation.json")
			write(t, obs, "{}")
			code, out := r.run(t, a, s, map[string]string{"BIN_DIR": bin, "DIR": r.dir, "OBSERVATION": obs,
				"BASELINE": "base.json", "POLICY": "p.yaml"})
			if code != tc.wantCode {
				t.Fatalf("exit %d, want %d:\n%s", code, tc.wantCode, out)
			}
			if got := r.outputs(t)["behaviour-added"]; got != tc.want {
				t.Errorf("behaviour-added=%q, want %q", got, tc.want)
			}
			data, _ := os.ReadFile(args)
			want := []string{"diff", "--markdown", r.dir + "/diff.md", "--json", r.dir + "/diff.json", "--policy", "p.yaml", "base.json", obs}
			if got := strings.Fields(string(data)); !slices.Equal(got, want) {
				t.Errorf("sysgate %v\nwant    %v", got, want)
			}
		})
	}
}

// TestActionOutputs runs the Outputs step on each path: a scan with a
// report, a scan that wrote none, and no scan at all. Every output is
// written each time.
func TestActionOutputs(t *testing.T) {
	a, _ := loadAction(t)
	_, s := a.stepByID(t, "result")
	withJQ := func(t *testing.T) {
		if _, err := exec.LookPath("jq"); err != nil {
			t.Skipf("jq not found in PATH (%v): GitHub's runners have it; install jq to run this case", err)
		}
	}
	for _, tc := range []struct {
		name     string
		setup    func(t *testing.T, dir string) map[string]string
		want     map[string]string
		needsJQ  bool
		wantFile []string // outputs that must name an existing file
	}{{
		name: "findings",
		setup: func(t *testing.T, dir string) map[string]string {
			write(t, filepath.Join(dir, "findings.json"), `{"verdict": "fail", "findings": [{"ruleId": "SG1401"}, {"ruleId": "SG1010"}]}`)
			write(t, filepath.Join(dir, "sysgate.sarif"), `{"version": "2.1.0"}`)
			write(t, filepath.Join(dir, "summary.md"), "## sysgate\n")
			write(t, filepath.Join(dir, "observation.json"), "{}")
			return map[string]string{"SCAN_EXIT": "1"}
		},
		want:     map[string]string{"verdict": "fail", "findings": "2", "exit-code": "1", "diff-markdown": "", "record-policy-file": ""},
		needsJQ:  true,
		wantFile: []string{"sarif-file", "findings-json", "observation", "markdown"},
	}, {
		name: "no report",
		setup: func(t *testing.T, dir string) map[string]string {
			return map[string]string{"SCAN_EXIT": "3"}
		},
		want: map[string]string{"verdict": "untrusted", "findings": "0", "exit-code": "3", "sarif-file": "", "findings-json": "", "observation": "", "markdown": ""},
	}, {
		name: "bad input",
		setup: func(t *testing.T, dir string) map[string]string {
			return map[string]string{"SCAN_EXIT": "2"}
		},
		want: map[string]string{"verdict": "error", "findings": "0", "exit-code": "2", "sarif-file": ""},
	}, {
		name: "no scan",
		setup: func(t *testing.T, dir string) map[string]string {
			return map[string]string{"DIR": "", "OBSERVATION": "", "SCAN_EXIT": ""}
		},
		want: map[string]string{"verdict": "error", "findings": "0", "exit-code": "", "sarif-file": "", "observation": "", "markdown": ""},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.needsJQ {
				withJQ(t)
			}
			r := newStepRun(t)
			env := map[string]string{"DIR": r.dir, "OBSERVATION": filepath.Join(r.dir, "observation.json"),
				"SARIF": "sysgate.sarif", "RECORD": "false", "RECORD_POLICY": "b.yaml", "RECORD_SECCOMP": "s.json",
				"BEHAVIOUR_ADDED": ""}
			for k, v := range tc.setup(t, r.dir) {
				env[k] = v
			}
			if code, out := r.run(t, a, s, env); code != 0 {
				t.Fatalf("exit %d, want 0 always:\n%s", code, out)
			}
			got := r.outputs(t)
			for name := range a.Outputs {
				if _, ok := got[name]; !ok {
					t.Errorf("output %s was not written", name)
				}
			}
			for k, v := range tc.want {
				if got[k] != v {
					t.Errorf("%s=%q, want %q", k, got[k], v)
				}
			}
			for _, k := range tc.wantFile {
				path := got[k]
				if !filepath.IsAbs(path) {
					path = filepath.Join(r.dir, path)
				}
				if _, err := os.Stat(path); got[k] == "" || err != nil {
					t.Errorf("%s=%q does not name a file (%v)", k, got[k], err)
				}
			}
		})
	}
}

// TestActionSummary runs the Job summary step: the scan's markdown and the
// diff's, or a note that no scan ran.
func TestActionSummary(t *testing.T) {
	a, _ := loadAction(t)
	s := a.stepNamed(t, "Job summary")
	r := newStepRun(t)
	write(t, filepath.Join(r.dir, "summary.md"), "## sysgate: 2 findings\n")
	write(t, filepath.Join(r.dir, "diff.md"), "## new behaviour\n")
	if code, out := r.run(t, a, s, map[string]string{"DIR": r.dir, "IMAGE": "localhost/x:1"}); code != 0 {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	if got, _ := os.ReadFile(r.summary); string(got) != "## sysgate: 2 findings\n\n## new behaviour\n" {
		t.Errorf("summary %q", got)
	}
	r = newStepRun(t)
	if code, out := r.run(t, a, s, map[string]string{"DIR": "", "IMAGE": "localhost/x:1"}); code != 0 {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	if got, _ := os.ReadFile(r.summary); !strings.Contains(string(got), "localhost/x:1 was not scanned") {
		t.Errorf("summary without a scan: %q", got)
	}
	r = newStepRun(t)
	write(t, filepath.Join(r.dir, "summary.md"), strings.Repeat("| SG0010 | a finding's row |\n", 60000))
	if code, out := r.run(t, a, s, map[string]string{"DIR": r.dir, "IMAGE": "localhost/x:1"}); code != 0 {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	if got, _ := os.ReadFile(r.summary); len(got) > 1<<20 || !strings.Contains(string(got), "Summary cut at 1 MB") {
		t.Errorf("a summary of %d bytes, want it cut under 1 MiB with a note", len(got))
	}
}

func write(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestExampleWorkflows checks what actionlint does not: the example
// workflows pin third-party actions, upload SARIF also after a failing scan,
// and ask for no more permissions than they need.
func TestExampleWorkflows(t *testing.T) {
	for _, file := range workflows(t) {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		name, _ := filepath.Rel(root(t), file)
		text := string(data)
		for _, m := range regexp.MustCompile(`(?m)^\s*(?:-\s+)?uses:\s*(\S+)`).FindAllStringSubmatch(text, -1) {
			uses := m[1]
			// Our own action: ./ in the self-test; the examples name a
			// release, which users pin as they copy them.
			if strings.HasPrefix(uses, "./") || strings.HasPrefix(uses, "sysgate/sysgate@") {
				continue
			}
			if !pinnedRE.MatchString(uses) {
				t.Errorf("%s: uses %s, not pinned to a full commit SHA", name, uses)
			}
		}
		if strings.Contains(text, "upload-sarif@") && !regexp.MustCompile(`if: always\(\)`).MatchString(text) {
			t.Errorf("%s uploads SARIF only when the scan passes: give the upload if: always()", name)
		}
		if strings.Contains(text, "write-all") || strings.Contains(text, "contents: write") {
			t.Errorf("%s asks for write access to the repository", name)
		}
		if strings.Contains(text, "pull_request_target") {
			t.Errorf("%s runs on pull_request_target: it would build untrusted code with a write token", name)
		}
	}
}

// TestExampleScans builds each example's image with podman and scans it
// with sysgate scan, as the action does: the findings must be the expected
// ones, and the exit code 0 for a clean example, 1 for one with findings.
func TestExampleScans(t *testing.T) {
	requirePodman(t)
	for _, name := range examples {
		t.Run(name, func(t *testing.T) {
			want := readExpected(t, name)
			image := buildImage(t, name)
			wantExit := 0
			if len(want) > 0 {
				wantExit = 1
			}
			res := scan(t, image, name, name)
			if res.exit != wantExit {
				t.Fatalf("sysgate scan exit %d, want %d\n%s", res.exit, wantExit, res)
			}
			if got, want := findingKeys(res.findings), findingKeys(want); !slices.Equal(got, want) {
				t.Errorf("findings %v\nwant     %v\n%s", got, want, res)
			}
			if name != "compromised" {
				return
			}
			// The service's own policy, tighter than the compromised
			// example's, catches the backdoor as well.
			res = scan(t, image, name, "service")
			if res.exit != 1 {
				t.Fatalf("the compromised image under the service's policy: exit %d, want 1\n%s", res.exit, res)
			}
			got := findingKeys(res.findings)
			for _, id := range []string{"SG1401 medium", "SG1010 high", "SG1601 medium", "items.exec high", "SG0010 high"} {
				if !slices.Contains(got, id) {
					t.Errorf("the compromised image under the service's policy: no %s in %v", id, got)
				}
			}
		})
	}
}

func requirePodman(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("podman"); err != nil {
		t.Skipf("podman binary not found in PATH (%v): install podman and runc (scripts/deps does)", err)
	}
}

// buildImage runs the example's build.sh and builds its image as
// localhost/sysgate-test/example-NAME:PID, removed when the test ends.
func buildImage(t *testing.T, name string) string {
	t.Helper()
	dir := filepath.Join(root(t), "examples", name)
	command(t, dir, "./build.sh")
	tag := fmt.Sprintf("localhost/sysgate-test/example-%s:%d", name, os.Getpid())
	command(t, dir, "podman", "build", "--quiet", "--layers=false", "--tag", tag, ".")
	t.Cleanup(func() {
		if out, err := exec.Command("podman", "rmi", tag).CombinedOutput(); err != nil {
			t.Errorf("podman rmi %s: %v\n%s", tag, err, out)
		}
	})
	return tag
}

// command runs a command in dir; a failure ends the test.
func command(t *testing.T, dir string, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

var sysgate struct {
	once sync.Once
	dir  string
	path string
	err  error
}

// TestMain removes the sysgate binary the scans built.
func TestMain(m *testing.M) {
	code := m.Run()
	if sysgate.dir != "" {
		os.RemoveAll(sysgate.dir)
	}
	os.Exit(code)
}

// buildSysgate builds cmd/sysgate once, with the build settings of
// scripts/goenv (the Podman bindings' tags, CGO_ENABLED=0).
func buildSysgate(t *testing.T) string {
	t.Helper()
	sysgate.once.Do(func() {
		sysgate.dir, sysgate.err = os.MkdirTemp("", "sysgate-examples-")
		if sysgate.err != nil {
			return
		}
		sysgate.path = filepath.Join(sysgate.dir, "sysgate")
		cmd := exec.Command("bash", "-c", `. scripts/goenv && go build -trimpath -o "$1" ./cmd/sysgate`, "build", sysgate.path)
		cmd.Dir = root(t)
		if out, err := cmd.CombinedOutput(); err != nil {
			sysgate.err = fmt.Errorf("go build ./cmd/sysgate: %v\n%s", err, out)
		}
	})
	if sysgate.err != nil {
		t.Fatal(sysgate.err)
	}
	return sysgate.path
}

// scanResult is what one sysgate scan gave.
type scanResult struct {
	args     []string
	exit     int
	stdout   string
	stderr   string
	verdict  string
	findings []expectedFinding
}

func (r *scanResult) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "sysgate %s\nverdict %q, findings:\n", strings.Join(r.args, " "), r.verdict)
	for _, f := range r.findings {
		fmt.Fprintf(&b, "  %s %s\n", f.RuleID, f.Severity)
	}
	fmt.Fprintf(&b, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	return b.String()
}

// scan runs sysgate scan on image with the workload of example and the
// policy of example policyOf, and reads the JSON report it writes.
func scan(t *testing.T, image, example, policyOf string) *scanResult {
	t.Helper()
	bin := buildSysgate(t)
	out := t.TempDir()
	ex := filepath.Join(root(t), "examples")
	report := filepath.Join(out, "findings.json")
	sarif := filepath.Join(out, "sysgate.sarif")
	markdown := filepath.Join(out, "summary.md")
	res := &scanResult{args: []string{"scan", "--image", image,
		"--workload", filepath.Join(ex, example, "workload.yaml"),
		"--policy", filepath.Join(ex, policyOf, "policy.yaml"),
		"--json", report, "--sarif", sarif, "--markdown", markdown,
		"--observation", filepath.Join(out, "observation.json"),
		"--repo-root", root(t), "--pull", "never"}}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, res.args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	res.stdout, res.stderr = stdout.String(), stderr.String()
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit) && exit.ExitCode() >= 0:
		res.exit = exit.ExitCode()
	default:
		t.Fatalf("sysgate scan: %v\n%s", err, res)
	}
	data, err := os.ReadFile(report)
	if err != nil {
		t.Fatalf("sysgate scan wrote no JSON report (exit %d): %v\n%s", res.exit, err, res)
	}
	var doc struct {
		Verdict  string            `json:"verdict"`
		Findings []expectedFinding `json:"findings"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatalf("%s: %v", report, err)
	}
	res.verdict, res.findings = doc.Verdict, doc.Findings
	for _, f := range []string{sarif, markdown} {
		if fi, err := os.Stat(f); err != nil || fi.Size() == 0 {
			t.Errorf("sysgate scan wrote no %s (%v)", filepath.Base(f), err)
		}
	}
	return res
}

// findingKeys are "RULE severity" of each finding, sorted.
func findingKeys(fs []expectedFinding) []string {
	keys := make([]string, 0, len(fs))
	for _, f := range fs {
		keys = append(keys, f.RuleID+" "+f.Severity)
	}
	slices.Sort(keys)
	return keys
}

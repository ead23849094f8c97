package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sysgate/sysgate/observation"
	"github.com/sysgate/sysgate/policy"
	"github.com/sysgate/sysgate/report"
	"github.com/sysgate/sysgate/report/sarifcheck"
)

const plantedToken = "ghp_0123456789abcdefghijABCDEFGHIJ012345"

// TestCheckReportsRedacted plants a token in argv and a custom secret in a
// path, and finds neither in the SARIF, markdown, JSON or terminal output.
func TestCheckReportsRedacted(t *testing.T) {
	exec := appCall("execve", "path", "/bin/sh")
	exec.Args = append(exec.Args, observation.Arg{Key: "argv", List: []string{"sh", "-c", "GITHUB_TOKEN=" + plantedToken + " deploy"}})
	obsPath := writeObs(t, true, exec, appCall("openat", "path", "/tmp/corp-424242/key", "flags", "O_RDONLY"))
	dir := t.TempDir()
	sarifPath, mdPath, jsonPath := filepath.Join(dir, "out.sarif"), filepath.Join(dir, "out.md"), filepath.Join(dir, "out.json")
	code, stdout, stderr := runCmd(check, "--observation", obsPath, "--fail-on", "medium", "--sarif", sarifPath,
		"--markdown", mdPath, "--json", jsonPath, "--redact", `corp-[0-9]+`, "--repo-root", dir)
	if code != exitFindings {
		t.Fatalf("exit %d, want %d; stderr:\n%s", code, exitFindings, stderr)
	}
	outputs := map[string]string{"stdout": stdout, "stderr": stderr}
	for _, p := range []string{sarifPath, mdPath, jsonPath} {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatalf("a failing check must still write its reports: %v", err)
		}
		outputs[filepath.Base(p)] = string(data)
	}
	for name, out := range outputs {
		for _, secret := range []string{plantedToken, "corp-424242"} {
			if strings.Contains(out, secret) {
				t.Errorf("%s holds the secret %q", name, secret)
			}
		}
	}
	if !strings.Contains(outputs["out.md"], "GITHUB_TOKEN=[REDACTED] deploy") {
		t.Errorf("markdown lacks the redacted evidence:\n%s", outputs["out.md"])
	}
	if !strings.Contains(outputs["out.md"], "## sysgate: unknown — FAIL") {
		t.Errorf("markdown header:\n%s", outputs["out.md"])
	}
	validateSARIF(t, sarifPath)
}

func TestCheckSARIFIncomplete(t *testing.T) {
	obsPath := writeObs(t, false, appCall("read"))
	sarifPath := filepath.Join(t.TempDir(), "out.sarif")
	code, _, stderr := runCmd(check, "--observation", obsPath, "--sarif", sarifPath)
	if code != exitUntrusted {
		t.Fatalf("exit %d, want %d; stderr:\n%s", code, exitUntrusted, stderr)
	}
	data, err := os.ReadFile(sarifPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"executionSuccessful": false`, `"text": "The trace is incomplete, so the verdict cannot be trusted: interrupted by a signal."`} {
		if !strings.Contains(string(data), want) {
			t.Errorf("SARIF lacks %s", want)
		}
	}
	validateSARIF(t, sarifPath)
}

func TestCheckBadRedact(t *testing.T) {
	code, _, stderr := runCmd(check, "--observation", "x.json", "--redact", "(")
	if code != exitUsage || !strings.Contains(stderr, `redact pattern "("`) {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}

// validateSARIF runs our checks and Microsoft's multitool on the file.
func validateSARIF(t *testing.T, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if bad := sarifcheck.Own(data); len(bad) > 0 {
		t.Errorf("own SARIF checks:\n%s", strings.Join(bad, "\n"))
	}
	tool, err := sarifcheck.Multitool(".")
	if errors.Is(err, sarifcheck.ErrNoMultitool) && os.Getenv("CI") == "" {
		t.Skipf("multitool validation skipped: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	problems, err := sarifcheck.Validate(tool, path)
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) > 0 {
		t.Errorf("the SARIF multitool found in %s:\n%s", path, strings.Join(problems, "\n"))
	}
}

// TestCheckRealTrace traces a real shell command with a token in its argv,
// checks it with the default policy, and validates the SARIF and looks for
// the token in every report: a real scan, not only golden files.
func TestCheckRealTrace(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs sysgate")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "sysgate")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/sysgate/sysgate/cmd/sysgate").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	obs := filepath.Join(dir, "obs.json")
	script := "echo hi > " + filepath.Join(dir, "x.txt") + "; cat /etc/hostname >/dev/null; : --token " + plantedToken
	if out, err := exec.Command(bin, "trace", "--observation", obs, "--quiet", "--", "/bin/sh", "-c", script).CombinedOutput(); err != nil {
		t.Fatalf("sysgate trace: %v\n%s", err, out)
	}
	sarifPath, mdPath, jsonPath := filepath.Join(dir, "out.sarif"), filepath.Join(dir, "out.md"), filepath.Join(dir, "out.json")
	cmd := exec.Command(bin, "check", "--observation", obs, "--fail-on", "low", "--sarif", sarifPath, "--markdown", mdPath, "--json", jsonPath)
	cmd.Dir = dir // the default policy is no file: results go to the fallback
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != exitFindings {
		t.Fatalf("sysgate check: %v (want exit 1: the shell is a finding)\n%s", err, out)
	}
	for _, p := range []string{sarifPath, mdPath, jsonPath} {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(data), plantedToken) {
			t.Errorf("%s holds the planted token", p)
		}
	}
	if strings.Contains(string(out), plantedToken) {
		t.Errorf("the terminal output holds the planted token")
	}
	data, _ := os.ReadFile(sarifPath)
	if !strings.Contains(string(data), `"uri": ".sysgate.yaml"`) {
		t.Errorf("results are not at the fallback path:\n%s", data)
	}
	validateSARIF(t, sarifPath)
}

// TestCheckSARIFWorkload: the workload scan gives checkFlags locates a
// finding of a built-in pack at the step it was first seen in.
func TestCheckSARIFWorkload(t *testing.T) {
	repo := t.TempDir()
	wl := filepath.Join(repo, "workload.yaml")
	if err := os.WriteFile(wl, []byte("apiVersion: sysgate.dev/v1\nsteps:\n  - name: build\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c := appCall("execve", "path", "/bin/sh")
	c.FirstStep = "build"
	obs, err := observation.Load(writeObs(t, true, c))
	if err != nil {
		t.Fatal(err)
	}
	pol, err := policy.Default()
	if err != nil {
		t.Fatal(err)
	}
	findings, err := policy.Evaluate(obs, pol)
	if err != nil {
		t.Fatal(err)
	}
	sarifPath := filepath.Join(t.TempDir(), "out.sarif")
	f := &checkFlags{sarif: sarifPath, repoRoot: repo, failOn: failOn{sev: defaultFailOn},
		workload: report.Workload{Path: wl, StepLines: map[string]int{"build": 3}}}
	if err := writeReports(f, obs, pol, findings, "fail"); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(sarifPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"ruleId": "SG1401"`, `"uri": "workload.yaml"`, `"startLine": 3`, `"text": "first seen in workload step build"`} {
		if !strings.Contains(string(data), want) {
			t.Errorf("SARIF lacks %s:\n%s", want, data)
		}
	}
	validateSARIF(t, sarifPath)
}

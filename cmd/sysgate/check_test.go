package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sysgate/sysgate/observation"
)

// writeObs writes an observation of the calls to a temporary file.
func writeObs(t *testing.T, complete bool, calls ...observation.Call) string {
	t.Helper()
	obs := &observation.Observation{Schema: observation.Schema, Complete: complete, Incomplete: []string{}, Calls: calls,
		Processes: []observation.Process{{PID: 1, Exe: "/usr/bin/app", Argv: []string{"app", "-x"}}}}
	if !complete {
		obs.Incomplete = []string{"interrupted by a signal"}
	}
	path := filepath.Join(t.TempDir(), "obs.json")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := observation.Write(f, obs); err != nil {
		t.Fatal(err)
	}
	return path
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func appCall(name string, kv ...string) observation.Call {
	c := observation.Call{Exe: "/usr/bin/app", ABI: "x86_64", Name: name, Count: 1}
	for i := 0; i+1 < len(kv); i += 2 {
		c.Args = append(c.Args, observation.Arg{Key: kv[i], Value: kv[i+1]})
	}
	return c
}

func runCmd(f func([]string, *bytes.Buffer, *bytes.Buffer) int, args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := f(args, &out, &errb)
	return code, out.String(), errb.String()
}

func check(args []string, out, errb *bytes.Buffer) int { return runCheck(args, out, errb) }

func TestCheckExitCodes(t *testing.T) {
	clean := writeObs(t, true, appCall("read"), appCall("openat", "path", "/etc/hostname", "flags", "O_RDONLY"))
	escape := writeObs(t, true, appCall("mount", "target", "/mnt"))
	shell := writeObs(t, true, appCall("execve", "path", "/bin/sh"))
	incomplete := writeObs(t, false, appCall("read"))
	badPolicy := writeFile(t, "bad.yaml", "apiVersion: sysgate.dev/v1\nsyscalls:\n  allow: [raed]\n")
	tests := []struct {
		name string
		args []string
		code int
		out  string
		err  string
	}{
		{"clean", []string{"--observation", clean}, 0, "no findings; fail-on low: PASS", ""},
		{"finding at fail-on", []string{"--observation", escape}, 1, "HIGH     SG1001  Mount table changed at run time", ""},
		{"medium fails by default", []string{"--observation", shell}, 1, "1 finding: 1 medium; fail-on low: FAIL", ""},
		{"finding below fail-on", []string{"--observation", shell, "--fail-on", "high"}, 0, "1 finding: 1 medium; fail-on high: PASS", ""},
		{"lower fail-on", []string{"--observation", shell, "--fail-on", "medium"}, 1, "FAIL", ""},
		{"fail-on none", []string{"--observation", escape, "--fail-on", "none"}, 0, "PASS", ""},
		{"incomplete", []string{"--observation", incomplete}, 3, "SG0001", "cannot be trusted (interrupted by a signal)"},
		{"incomplete whatever fail-on", []string{"--observation", incomplete, "--fail-on", "none"}, 3, "UNTRUSTED", ""},
		{"no observation flag", nil, 2, "", "--observation FILE is required"},
		{"missing observation", []string{"--observation", "/nonexistent.json"}, 2, "", "open observation"},
		{"bad fail-on", []string{"--observation", clean, "--fail-on", "severe"}, 2, "", `unknown severity "severe"`},
		{"bad policy", []string{"--observation", clean, "--policy", badPolicy}, 2, "", `bad.yaml:3:11: unknown syscall "raed"`},
		{"missing policy", []string{"--observation", clean, "--policy", "/nonexistent.yaml"}, 2, "", "read policy"},
		{"stray argument", []string{"--observation", clean, "extra"}, 2, "", `unexpected argument "extra"`},
		{"unwritable json", []string{"--observation", clean, "--json", "/nonexistent/dir/x.json"}, 2, "", "open report"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := runCmd(check, tt.args...)
			if code != tt.code || !strings.Contains(out, tt.out) || !strings.Contains(errs, tt.err) {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s\nwant %q on stdout and %q on stderr", code, tt.code, out, errs, tt.out, tt.err)
			}
		})
	}
}

func TestCheckWithPolicy(t *testing.T) {
	pol := writeFile(t, "p.yaml", `apiVersion: sysgate.dev/v1
syscalls:
  severity: medium
  allow: ["@basic-io"]
rules:
  - id: no-etc
    description: reads under /etc
    severity: low
    match: {path: /etc/**}
`)
	obs := writeObs(t, true, appCall("read"), appCall("openat", "path", "/etc/hostname", "flags", "O_RDONLY"))
	code, out, _ := runCmd(check, "--observation", obs, "--policy", pol, "--fail-on", "medium")
	if code != 1 || !strings.Contains(out, "SG0010") || !strings.Contains(out, "no-etc") || !strings.Contains(out, "process: app -x") {
		t.Errorf("exit %d, stdout:\n%s", code, out)
	}
}

func TestCheckJSON(t *testing.T) {
	obs := writeObs(t, true, appCall("mount", "target", "/mnt"))
	path := filepath.Join(t.TempDir(), "findings.json")
	code, out, _ := runCmd(check, "--observation", obs, "--json", path)
	if code != 1 || out != "" {
		t.Errorf("exit %d, stdout %q: want 1 and no summary with --json", code, out)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var rep findingsReport
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Schema != "sysgate.findings/v1" || rep.Verdict != "fail" || rep.FailOn != "low" || rep.Counts["high"] != 1 || len(rep.Findings) != 1 {
		t.Errorf("report %+v", rep)
	}
	f := rep.Findings[0]
	if f.RuleID != "SG1001" || f.Evidence.Exe != "/usr/bin/app" || f.Evidence.Argv[1] != "-x" || f.Policy.File != "pack:escape" || f.Policy.Line == 0 {
		t.Errorf("finding %+v", f)
	}
	code, out, _ = runCmd(check, "--observation", obs, "--json", "-", "--fail-on", "critical")
	if code != 0 || !strings.Contains(out, `"verdict": "pass"`) {
		t.Errorf("--json -: exit %d, stdout %s", code, out)
	}
}

// severityPolicy has a rule of each low severity.
const severityPolicy = `apiVersion: sysgate.dev/v1
rules:
  - id: note.etc
    description: Reads under /etc
    severity: info
    match: {path: /etc/**}
  - id: low.tmp
    description: Opens under /tmp
    severity: low
    match: {path: /tmp/**}
`

// TestCheckDefaultFailOn: by default any finding of low or above fails the
// check, and info never does. The terminal summary is checked whole.
func TestCheckDefaultFailOn(t *testing.T) {
	pol := writeFile(t, "p.yaml", severityPolicy)
	info := writeObs(t, true, appCall("openat", "path", "/etc/hostname", "flags", "O_RDONLY"))
	low := writeObs(t, true, appCall("openat", "path", "/tmp/x", "flags", "O_RDONLY"))
	tests := []struct {
		name string
		obs  string
		code int
		out  string // {obs} and {pol} are the paths
	}{
		{"info only passes", info, 0, `sysgate check: {obs} against {pol}
1 finding: 1 info; fail-on low: PASS

INFO     note.etc  Reads under /etc
         /usr/bin/app called openat(path=/etc/hostname, flags=O_RDONLY) [x86_64], once
         process: app -x
         rule: {pol}:3:5
`},
		{"low fails", low, 1, `sysgate check: {obs} against {pol}
1 finding: 1 low; fail-on low: FAIL

LOW      low.tmp  Opens under /tmp
         /usr/bin/app called openat(path=/tmp/x, flags=O_RDONLY) [x86_64], once
         process: app -x
         rule: {pol}:7:5
`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := runCmd(check, "--observation", tc.obs, "--policy", pol)
			want := strings.NewReplacer("{obs}", tc.obs, "{pol}", pol).Replace(tc.out)
			if code != tc.code || out != want {
				t.Errorf("exit %d, want %d; stderr %q\nstdout:\n%s\nwant:\n%s", code, tc.code, errs, out, want)
			}
		})
	}
}

// The commands are wired into the dispatcher.
func TestDispatch(t *testing.T) {
	stdout, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	stderr, _ := os.CreateTemp(t.TempDir(), "err")
	obs := writeObs(t, true, appCall("read"))
	for _, args := range [][]string{
		{"check", "--observation", obs},
		{"record", "--observation", obs},
		{"policy", "groups"},
	} {
		if code := run(t.Context(), args, nil, stdout, stderr); code != 0 {
			errs, _ := os.ReadFile(stderr.Name())
			t.Errorf("sysgate %s: exit %d: %s", strings.Join(args, " "), code, errs)
		}
	}
}

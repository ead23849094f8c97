package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sysgate/sysgate/observation"
)

func diff(args []string, out, errb *bytes.Buffer) int { return runDiff(args, out, errb) }

// obsFile writes an observation with the processes and calls.
func obsFile(t *testing.T, procs []observation.Process, calls ...observation.Call) string {
	t.Helper()
	obs := &observation.Observation{Schema: observation.Schema, Complete: true, Incomplete: []string{}, Processes: procs, Calls: calls}
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

var appProc = []observation.Process{{PID: 1, Exe: "/usr/bin/app", Argv: []string{"app", "-x"}}}

func baseCalls() []observation.Call {
	return []observation.Call{appCall("read"), appCall("connect", "family", "AF_INET", "addr", "10.0.3.7:5432")}
}

func TestDiffObservations(t *testing.T) {
	base := obsFile(t, appProc, baseCalls()...)
	shProcs := append(append([]observation.Process{}, appProc...), observation.Process{PID: 2, PPID: 1, Exe: "/bin/sh", Argv: []string{"sh", "-c", "id"}})
	tests := []struct {
		name string
		head string
		code int
		out  string
	}{
		{"identical", obsFile(t, appProc, baseCalls()...), 0, "no changes\n"},
		{"keyctl", obsFile(t, appProc, append(baseCalls(), appCall("keyctl", "op", "KEYCTL_JOIN_SESSION_KEYRING"))...), 1,
			"+ syscall          keyctl\n      /usr/bin/app: keyctl(op=KEYCTL_JOIN_SESSION_KEYRING) [x86_64]\n"},
		{"shell", obsFile(t, shProcs, append(baseCalls(), appCall("execve", "path", "/bin/sh"))...), 1,
			"+ syscall          execve\n      /usr/bin/app: execve(path=/bin/sh) [x86_64]\n" +
				"+ program          /bin/sh\n      /usr/bin/app: execve(path=/bin/sh) [x86_64]\n"},
		{"new address", obsFile(t, appProc, append(baseCalls(), appCall("connect", "family", "AF_INET", "addr", "203.0.113.9:443"))...), 1,
			"+ network          203.0.113.9:443\n      /usr/bin/app: connect(family=AF_INET, addr=203.0.113.9:443) [x86_64]\n"},
		{"drops only", obsFile(t, appProc, appCall("read")), 0,
			"- syscall          connect\n      /usr/bin/app: connect(family=AF_INET, addr=10.0.3.7:5432) [x86_64]\n" +
				"- network          10.0.3.7:5432\n      /usr/bin/app: connect(family=AF_INET, addr=10.0.3.7:5432) [x86_64]\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runCmd(diff, base, tc.head)
			if code != tc.code {
				t.Errorf("exit %d, want %d; stderr %q", code, tc.code, errOut)
			}
			want := "sysgate diff (observations): " + base + " -> " + tc.head + "\n" + tc.out
			if out != want {
				t.Errorf("output:\n%s\nwant:\n%s", out, want)
			}
		})
	}
}

func TestDiffObservationsMarkdownAndJSON(t *testing.T) {
	base := obsFile(t, appProc, baseCalls()...)
	head := obsFile(t, appProc, append(baseCalls(), appCall("keyctl", "op", "KEYCTL_JOIN_SESSION_KEYRING"))...)
	md := filepath.Join(t.TempDir(), "diff.md")
	code, out, _ := runCmd(diff, "--markdown", md, "--json", "-", base, head)
	if code != 1 {
		t.Fatalf("exit %d", code)
	}
	wantJSON := `{
  "kind": "observation",
  "added": [
    {
      "what": "syscall",
      "item": "keyctl",
      "evidence": "/usr/bin/app: keyctl(op=KEYCTL_JOIN_SESSION_KEYRING) [x86_64]"
    }
  ],
  "removed": []
}
`
	if out != wantJSON {
		t.Errorf("JSON:\n%s", out)
	}
	data, err := os.ReadFile(md)
	if err != nil {
		t.Fatal(err)
	}
	wantMD := "## sysgate diff: `" + base + "` → `" + head + "`\n\n### Head adds (1)\n\n" +
		"- syscall `keyctl`: /usr/bin/app: keyctl(op=KEYCTL\\_JOIN\\_SESSION\\_KEYRING) \\[x86\\_64\\]\n\n"
	if string(data) != wantMD {
		t.Errorf("markdown:\n%q\nwant:\n%q", data, wantMD)
	}
}

const basePolicy = `apiVersion: sysgate.dev/v1
name: app
syscalls:
  severity: high
  allow: [read, write, exit_group]
rules:
  - id: app.shell
    description: A shell ran
    severity: high
    match: {class: exec, exec: /bin/sh}
`

func TestDiffPolicies(t *testing.T) {
	base := writeFile(t, "base.yaml", basePolicy)
	ptrace := writeFile(t, "head.yaml", strings.Replace(basePolicy, "exit_group]", "exit_group, ptrace]", 1))
	lowered := writeFile(t, "head.yaml", strings.Replace(basePolicy, "    severity: high\n    match", "    severity: low\n    match", 1))
	tighter := writeFile(t, "head.yaml", strings.Replace(basePolicy, "write, ", "", 1))
	excepted := writeFile(t, "head.yaml", basePolicy+"exceptions:\n  - rules: [app.shell]\n    exe: /usr/bin/app\n    reason: the entrypoint runs sh\n")
	noRules := writeFile(t, "head.yaml", basePolicy[:strings.Index(basePolicy, "rules:")])
	tests := []struct {
		name string
		head string
		code int
		out  string
	}{
		{"identical", writeFile(t, "same.yaml", basePolicy), 0, "no changes\n"},
		{"adds ptrace", ptrace, 1, "+ allow            ptrace\n      the allow-list now allows ptrace\n      at " + ptrace + ":3:1\n"},
		{"lowers a severity", lowered, 1, "+ severity-lowered policy/app.shell\n      policy/app.shell is now low, was high\n      at " + lowered + ":7:5\n"},
		{"new exception", excepted, 1, "+ exception        app.shell\n      a new exception from app.shell: the entrypoint runs sh\n      at " + excepted + ":12:5\n"},
		{"removes a rule", noRules, 1, "+ rule-removed     policy/app.shell\n      policy/app.shell (A shell ran, high) is no longer checked\n"},
		{"tightens only", tighter, 0, "- disallow         write\n      the allow-list no longer allows write\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runCmd(diff, base, tc.head)
			if code != tc.code {
				t.Errorf("exit %d, want %d; stderr %q", code, tc.code, errOut)
			}
			want := "sysgate diff (policies): " + base + " -> " + tc.head + "\n" + tc.out
			if out != want {
				t.Errorf("output:\n%s\nwant:\n%s", out, want)
			}
		})
	}
}

func TestDiffUsage(t *testing.T) {
	obs := obsFile(t, appProc, baseCalls()...)
	pol := writeFile(t, "p.yaml", basePolicy)
	for _, tc := range []struct {
		args []string
		err  string
	}{
		{[]string{obs}, "want BASE and HEAD, got 1 argument(s)"},
		{[]string{obs, pol}, "BASE and HEAD must be two observations or two policies"},
		{[]string{"--redact", "(", obs, obs}, `redact pattern "("`},
	} {
		code, _, errOut := runCmd(diff, tc.args...)
		if code != exitUsage || !strings.Contains(errOut, tc.err) {
			t.Errorf("%v: exit %d, stderr %q", tc.args, code, errOut)
		}
	}
}

// TestDiffSARIF: each addition is a result, located in the repository: a
// new syscall at the allow-list of --policy, a new allowance at the head
// policy's allow-list; every file passes the validators.
func TestDiffSARIF(t *testing.T) {
	repo := t.TempDir()
	pol := filepath.Join(repo, "sysgate.yaml")
	if err := os.WriteFile(pol, []byte(basePolicy), 0o644); err != nil {
		t.Fatal(err)
	}
	headPol := filepath.Join(repo, "head.yaml")
	if err := os.WriteFile(headPol, []byte(strings.Replace(basePolicy, "exit_group]", "exit_group, ptrace]", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	base := obsFile(t, appProc, baseCalls()...)
	head := obsFile(t, appProc, append(baseCalls(), appCall("keyctl", "op", "KEYCTL_JOIN_SESSION_KEYRING"))...)
	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"observations", []string{"--policy", pol, "--repo-root", repo, base, head}, []string{
			`"ruleId": "SGD001"`, `"uri": "sysgate.yaml"`, `"startLine": 3`,
			`"text": "Syscall keyctl: /usr/bin/app: keyctl(op=KEYCTL_JOIN_SESSION_KEYRING) [x86_64]."`,
			`"id": "sysgate/diff/observation/"`}},
		{"policies", []string{"--repo-root", repo, pol, headPol}, []string{
			`"ruleId": "SGD101"`, `"uri": "head.yaml"`, `"startLine": 3`,
			`"text": "Allow ptrace: the allow-list now allows ptrace."`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "diff.sarif")
			code, _, errOut := runCmd(diff, append([]string{"--sarif", out}, tc.args...)...)
			if code != 1 {
				t.Fatalf("exit %d; stderr %q", code, errOut)
			}
			data, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.want {
				if !strings.Contains(string(data), w) {
					t.Errorf("SARIF lacks %s:\n%s", w, data)
				}
			}
			validateSARIF(t, out)
		})
	}
}

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
		{"new exception", excepted, 1, "+ exception        app.shell\n      a new exception from app.shell (exe: /usr/bin/app): the entrypoint runs sh\n      at " + excepted + ":12:5\n"},
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
	progPol := filepath.Join(repo, "programs.yaml")
	prog := strings.Replace(programsPolicy("    - exe: /usr/bin/git\n      allow: [ptrace]\n"), "exec: /bin/sh}", "exec: /bin/bash}", 1)
	if err := os.WriteFile(progPol, []byte(prog), 0o644); err != nil {
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
		{"programs and conditions", []string{"--repo-root", repo, pol, progPol}, []string{
			`"ruleId": "SGD106"`, `"uri": "programs.yaml"`, `"startLine": 7`,
			`"text": "Program-allow /usr/bin/git: ptrace: the syscalls.programs entry for /usr/bin/git now allows ptrace."`,
			`"ruleId": "SGD107"`, `"startLine": 10`,
			`"text": "Conditions policy/app.shell: rule policy/app.shell changed its conditions."`}},
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

// programsPolicy is basePolicy with a syscalls.programs section.
func programsPolicy(entries string) string {
	return strings.Replace(basePolicy, "exit_group]\n", "exit_group]\n  programs:\n"+entries, 1)
}

// TestDiffPoliciesProgramsAndConditions: what syscalls.programs entries
// allow, rules whose conditions changed and exceptions whose scope changed
// are compared; a rule rewritten to the same conditions is no change.
func TestDiffPoliciesProgramsAndConditions(t *testing.T) {
	const gitPtrace = "    - exe: /usr/bin/git\n      allow: [ptrace]\n"
	const binPtrace = "    - exe: /usr/bin/*\n      allow: [ptrace]\n"
	const exception = "exceptions:\n  - rules: [app.shell]\n    exe: /usr/bin/app\n    reason: the entrypoint runs sh\n"
	tests := []struct {
		name       string
		base, head string
		code       int
		out        string // {head} is the head policy's path
	}{
		{"program entry allows a new call", basePolicy, programsPolicy(gitPtrace), 1,
			"+ program-allow    /usr/bin/git: ptrace\n      the syscalls.programs entry for /usr/bin/git now allows ptrace\n      at {head}:7:7\n"},
		{"program entry drops it", programsPolicy(gitPtrace), basePolicy, 0,
			"- program-disallow /usr/bin/git: ptrace\n      /usr/bin/git may no longer call ptrace\n"},
		{"program entry allows what all may", basePolicy, programsPolicy("    - exe: /usr/bin/git\n      allow: [read, write]\n"), 0,
			"no changes\n"},
		{"program entry a broader one covers", programsPolicy(binPtrace), programsPolicy(binPtrace + gitPtrace), 0,
			"no changes\n"},
		{"wildcard entry", basePolicy, programsPolicy("    - exe: [\"**/git-remote-*\"]\n      allow: [\"@debug\", \"!perf_event_open\", \"!lookup_dcookie\"]\n"), 1,
			"+ program-allow    **/git-remote-*: pidfd_getfd\n      the syscalls.programs entry for **/git-remote-* now allows pidfd_getfd\n      at {head}:7:7\n" +
				"+ program-allow    **/git-remote-*: ptrace\n      the syscalls.programs entry for **/git-remote-* now allows ptrace\n      at {head}:7:7\n"},
		{"wildcard entry unchanged", programsPolicy(binPtrace), programsPolicy(binPtrace), 0, "no changes\n"},
		{"new global allowance not repeated", basePolicy,
			strings.Replace(programsPolicy(gitPtrace), "exit_group]", "exit_group, ptrace]", 1), 1,
			"+ allow            ptrace\n      the allow-list now allows ptrace\n      at {head}:3:1\n"},
		{"rule conditions changed", basePolicy, strings.Replace(basePolicy, "exec: /bin/sh}", "exec: /bin/bash}", 1), 1,
			"+ conditions       policy/app.shell\n      rule policy/app.shell changed its conditions\n      at {head}:7:5\n"},
		{"rule conditions narrowed", basePolicy, strings.Replace(basePolicy, "exec: /bin/sh}", "exec: /bin/sh, exe: /usr/bin/app}", 1), 1,
			"+ conditions       policy/app.shell\n      rule policy/app.shell changed its conditions\n      at {head}:7:5\n"},
		{"rule conditions rewritten the same", basePolicy,
			strings.Replace(basePolicy, "match: {class: exec, exec: /bin/sh}", "match:\n      - exec: [/bin/sh, /bin/sh]\n        class: [exec]", 1), 0,
			"no changes\n"},
		{"exception scope widened", basePolicy + exception, basePolicy + strings.Replace(exception, "exe: /usr/bin/app", `exe: "**"`, 1), 1,
			"+ exception        app.shell\n      a new exception from app.shell (exe: **): the entrypoint runs sh\n      at {head}:12:5\n" +
				"- exception-removed app.shell\n      an exception from app.shell is gone (exe: /usr/bin/app)\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			base := writeFile(t, "base.yaml", tc.base)
			head := writeFile(t, "head.yaml", tc.head)
			code, out, errOut := runCmd(diff, base, head)
			if code != tc.code {
				t.Errorf("exit %d, want %d; stderr %q", code, tc.code, errOut)
			}
			want := "sysgate diff (policies): " + base + " -> " + head + "\n" + strings.ReplaceAll(tc.out, "{head}", head)
			if out != want {
				t.Errorf("output:\n%s\nwant:\n%s", out, want)
			}
		})
	}
}

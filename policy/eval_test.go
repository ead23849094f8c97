package policy

import (
	"encoding/json"
	"flag"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/sysgate/sysgate/observation"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// The allow-list and the rules are independent: an allowed openat that
// writes under /etc is still a finding of the rule, and an unlisted call is
// a finding even when no rule matches it.
func TestAllowListAndRulesIndependent(t *testing.T) {
	pol := mustParse(t, header+`syscalls:
  severity: medium
  allow: [openat, read]
rules:
  - id: etc-write
    description: writes under /etc
    severity: high
    match: {class: open-write, path: /etc/**}
`)
	obs := obsOf(
		x64("openat", "path", "/etc/passwd", "flags", "O_WRONLY"),
		x64("read"),
		x64("mount", "target", "/mnt"),
	)
	got := strings.Join(evalIDs(t, pol, obs), " ")
	if got != "etc-write SG0010" {
		t.Errorf("findings %q, want the rule on the allowed openat and SG0010 on mount", got)
	}
}

func TestAllowListPerProgram(t *testing.T) {
	pol := mustParse(t, header+`syscalls:
  severity: low
  allow: [read]
  programs:
    - exe: /usr/bin/curl
      allow: ["@network-io"]
`)
	obs := obsOf(
		call("/usr/bin/curl", "x86_64", "connect", "addr", "1.1.1.1:443"),
		call("/usr/bin/curl", "x86_64", "read"),
		call("/bin/sh", "x86_64", "connect", "addr", "1.1.1.1:443"),
		call("/bin/sh", "x86_64", "connect", "addr", "1.1.1.2:443"),
		observation.Call{Exe: "/bin/sh", ABI: "x86_64", Nr: 1000, Count: 2},
	)
	fs, _ := Evaluate(obs, pol)
	if len(fs) != 3 {
		t.Fatalf("findings %+v, want 3", fs)
	}
	// SG0004 (medium) first, then SG0010 of #1000 and of connect.
	if fs[0].RuleID != CoreUnknownSyscall || fs[1].RuleID != CoreUnlisted || *fs[1].Evidence.Nr != 1000 {
		t.Errorf("an unknown number is SG0004 and never allowed: %+v", fs)
	}
	if e := fs[2].Evidence; fs[2].RuleID != CoreUnlisted || e.Exe != "/bin/sh" || e.Syscall != "connect" || e.Records != 2 || e.Count != 2 || e.Args != nil || fs[2].Severity != Low {
		t.Errorf("sh's connects are one low finding of 2 records, got %+v", fs[2])
	}
}

// An exception exempts only from the rules it names, only within its scope,
// and a path scope must cover every path of the call.
func TestExceptions(t *testing.T) {
	pol := mustParse(t, header+`include: [system-writes]
syscalls:
  allow: ["@file-system"]
exceptions:
  - rules: [SG1501]
    exe: /usr/bin/dpkg
    path: [/etc/**, /usr/**]
    reason: installs packages
  - rules: [SG0010]
    exe: /usr/bin/dpkg
`)
	obs := obsOf(
		call("/usr/bin/dpkg", "x86_64", "openat", "path", "/etc/x", "flags", "O_WRONLY"),         // exempt
		call("/usr/bin/dpkg", "x86_64", "renameat", "path", "/etc/x", "path2", "/usr/y"),         // exempt: both paths covered
		call("/usr/bin/dpkg", "x86_64", "renameat", "path", "/etc/x", "path2", "/lib/y"),         // /lib/y not covered
		call("/usr/bin/dpkg", "x86_64", "openat", "path", "/proc/sys/x", "flags", "O_WRONLY"),    // SG1502 not named
		call("/usr/bin/other", "x86_64", "openat", "path", "/etc/x", "flags", "O_WRONLY"),        // another program
		call("/usr/bin/dpkg", "x86_64", "mount", "target", "/mnt"),                               // SG0010 exempt for dpkg
		call("/usr/bin/other", "x86_64", "mount", "target", "/mnt"),                              // not for other
		call("/usr/bin/dpkg", "x86_64", "openat", "path", "/etc/y", "flags", "O_RDONLY|O_CREAT"), // exempt
	)
	fs, _ := Evaluate(obs, pol)
	var got []string
	for _, f := range fs {
		got = append(got, f.RuleID+" "+f.Evidence.Exe+" "+f.Evidence.Syscall)
	}
	want := []string{
		"SG1502 /usr/bin/dpkg openat",
		"SG0010 /usr/bin/other mount",
		"SG1501 /usr/bin/dpkg renameat",
		"SG1501 /usr/bin/other openat",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestExceptionScopes(t *testing.T) {
	pol := mustParse(t, header+`include: [network, runtime-exec]
exceptions:
  - {rules: [SG1601], addr: [10.0.0.0/8:443]}
  - {rules: [SG1401], exec: /bin/sh}
`)
	obs := obsOf(
		x64("connect", "addr", "10.1.1.1:443"),
		x64("connect", "addr", "10.1.1.1:80"),
		x64("execve", "path", "/bin/sh"),
		x64("execve", "path", "/bin/bash"),
	)
	fs, _ := Evaluate(obs, pol)
	var got []string
	for _, f := range fs {
		got = append(got, f.RuleID+" "+f.Evidence.Args.Key())
	}
	if len(fs) != 2 || fs[0].Evidence.Args[0].Value != "/bin/bash" || fs[1].Evidence.Args[0].Value != "10.1.1.1:80" {
		t.Errorf("findings %q, want bash and port 80 only", got)
	}
}

// What the tracer could not see or read is a finding whatever the policy.
func TestCoreFindings(t *testing.T) {
	pol := mustParse(t, header+"name: empty\n")
	obs := obsOf(
		x64("openat", "path", "/x", "unreadable", "flags: EFAULT"),
		x64("execve", "path", "/bin/x", "argv", "[a b]", "truncated", "argv"),
		observation.Call{Exe: "/usr/bin/app", ABI: "x86_64", Nr: 4242, Count: 3},
	)
	obs.Complete = false
	obs.Incomplete = []string{"untraced: a child ran untraced"}
	obs.Tampering = []string{"process 21 (/hostile) called kill on the tracer (pid 1)"}
	fs, _ := Evaluate(obs, pol)
	got := make([]string, len(fs))
	for i, f := range fs {
		got[i] = f.RuleID + " " + f.Severity.String()
	}
	want := []string{"SG0001 high", "SG0002 high", "SG0005 high", "SG0003 medium", "SG0004 medium"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("findings %q, want %q", got, want)
	}
	if fs[0].Evidence.Reason != "untraced: a child ran untraced" || fs[0].Policy.String() != "core" {
		t.Errorf("SG0001 = %+v", fs[0])
	}
	exempt := mustParse(t, header+"exceptions:\n  - {rules: [SG0002, SG0003, SG0004], exe: /usr/bin/app}\n")
	if ids := evalIDs(t, exempt, obs); len(ids) != 2 || ids[0] != CoreIncomplete || ids[1] != CoreTampering {
		t.Errorf("with exceptions: %q, want SG0001 and SG0005 (no program to except)", ids)
	}
}

// Calls the summary counts but no record holds (records dropped at a bound)
// are judged by the allow-list, their program unknown.
func TestSummaryOnlyCalls(t *testing.T) {
	pol := mustParse(t, header+"syscalls:\n  allow: [read]\n")
	obs := obsOf(x64("read"))
	obs.Syscalls = []observation.Syscall{{ABI: "x86_64", Nr: 0, Name: "read", Count: 5}, {ABI: "x86_64", Nr: 165, Name: "mount", Count: 2}}
	fs, _ := Evaluate(obs, pol)
	if len(fs) != 1 || fs[0].Evidence.Syscall != "mount" || fs[0].Evidence.Exe != "" || fs[0].Evidence.Count != 2 {
		t.Errorf("findings %+v, want mount by an unknown program", fs)
	}
}

// The same observation in any order gives the same findings.
func TestFindingsDeterministic(t *testing.T) {
	pol, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	var calls []observation.Call
	for _, tc := range packTests {
		calls = append(calls, tc.yes...)
		calls = append(calls, tc.no...)
	}
	first, _ := Evaluate(obsOf(calls...), pol)
	r := rand.New(rand.NewSource(1))
	for i := 0; i < 5; i++ {
		r.Shuffle(len(calls), func(a, b int) { calls[a], calls[b] = calls[b], calls[a] })
		again, _ := Evaluate(obsOf(calls...), pol)
		if !reflect.DeepEqual(first, again) {
			t.Fatal("findings depend on the order of the calls")
		}
	}
}

func TestEvaluateNeedsInputs(t *testing.T) {
	if _, err := Evaluate(nil, mustParse(t, header)); err == nil {
		t.Error("nil observation accepted")
	}
	if _, err := Evaluate(obsOf(), &Policy{}); err == nil {
		t.Error("unparsed policy accepted")
	}
}

// TestConditionsGolden evaluates testdata/conditions/observation.json by
// policy.yaml beside it, a rule per condition kind, against the golden
// findings (compared as JSON values; -update rewrites them).
func TestConditionsGolden(t *testing.T) {
	goldenEval(t, "testdata/conditions")
}

func goldenEval(t *testing.T, dir string) {
	t.Helper()
	pol, err := Load(filepath.Join(dir, "policy.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	pol = relocate(pol)
	obs, err := observation.Load(filepath.Join(dir, "observation.json"))
	if err != nil {
		t.Fatal(err)
	}
	fs, err := Evaluate(obs, pol)
	if err != nil {
		t.Fatal(err)
	}
	compareGolden(t, filepath.Join(dir, "findings.golden.json"), fs)
}

// relocate names the policy file by its base name, so that golden positions
// do not depend on the directory.
func relocate(pol *Policy) *Policy {
	if pol.Syscalls != nil {
		pol.Syscalls.Pos.File = filepath.Base(pol.Syscalls.Pos.File)
	}
	for _, r := range pol.Rules {
		if r.Pack == "" {
			r.Pos.File = filepath.Base(r.Pos.File)
		}
	}
	return pol
}

func compareGolden(t *testing.T, path string, v any) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(path, append(got, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("%s differs (go test -update rewrites it); got:\n%s", path, got)
	}
}

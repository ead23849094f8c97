package main

import (
	"bytes"
	"strings"
	"testing"
)

func policyCmd(args []string, out, errb *bytes.Buffer) int { return runPolicy(args, out, errb) }

func TestPolicyLint(t *testing.T) {
	good := writeFile(t, "good.yaml", "apiVersion: sysgate.dev/v1\ninclude: [default]\nsyscalls:\n  allow: ['@system-service']\n")
	bad := writeFile(t, "bad.yaml", "apiVersion: sysgate.dev/v1\nrules:\n  - id: R\n    description: d\n    severity: hihg\n    match: {path: etc, clas: exec}\n")
	code, out, errs := runCmd(policyCmd, "lint", good)
	if code != 0 || !strings.Contains(out, "good.yaml: ok: 35 rules (35 from packs") {
		t.Errorf("lint good: exit %d\n%s%s", code, out, errs)
	}
	code, out, errs = runCmd(policyCmd, "lint", good, bad)
	if code != 2 || !strings.Contains(out, "good.yaml: ok") {
		t.Errorf("lint good bad: exit %d, want 2\n%s", code, out)
	}
	for _, want := range []string{"bad.yaml:5:15: unknown severity", `bad.yaml:6:24: unknown key "clas" in match`, "2 problem(s)"} {
		if !strings.Contains(errs, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errs)
		}
	}
	if code, _, _ := runCmd(policyCmd, "lint"); code != 2 {
		t.Errorf("lint without a file: exit %d", code)
	}
}

func TestPolicyLists(t *testing.T) {
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"groups"}, 0, "@system-service"},
		{[]string{"groups", "@mount"}, 0, "pivot_root"},
		{[]string{"groups", "@nope"}, 2, ""},
		{[]string{"classes"}, 0, "open-write: Opening a file for writing"},
		{[]string{"packs"}, 0, "SG1004  critical"},
		{[]string{"frob"}, 2, ""},
		{nil, 2, ""},
	}
	for _, tt := range tests {
		code, out, _ := runCmd(policyCmd, tt.args...)
		if code != tt.code || !strings.Contains(out, tt.want) {
			t.Errorf("policy %v: exit %d, want %d; stdout lacks %q:\n%s", tt.args, code, tt.code, tt.want, out)
		}
	}
}

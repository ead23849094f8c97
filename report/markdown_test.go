package report

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/sysgate/sysgate/observation"
	"github.com/sysgate/sysgate/policy"
)

func TestMarkdownGolden(t *testing.T) {
	root, pol := testRepo(t)
	for _, tc := range []struct {
		name     string
		complete bool
		verdict  string
	}{{"scan.md", true, "fail"}, {"incomplete.md", false, "untrusted"}} {
		t.Run(tc.name, func(t *testing.T) {
			obs := testObs("ghcr.io/acme/web:1.2", tc.complete)
			_, fs := evaluate(t, obs, pol)
			for i := range fs {
				fs[i].Policy.File = strings.TrimPrefix(fs[i].Policy.File, root+"/")
			}
			md := Markdown(obs, fs, Summary{Verdict: tc.verdict, FailOn: "low", Policy: "deploy/sysgate.yaml", TopSyscalls: 3}, nil)
			golden(t, tc.name, []byte(md))
			if strings.Contains(md, plantedToken) {
				t.Error("the planted token is in the markdown")
			}
		})
	}
}

func TestMarkdownTruncated(t *testing.T) {
	var fs []policy.Finding
	for i := 0; i < 2000; i++ {
		fs = append(fs, policy.Finding{RuleID: "SG1401", Severity: policy.Medium, Title: "Shell started",
			Message: strings.Repeat("x", 100), Policy: policy.Position{File: "pack:runtime-exec", Line: 5, Column: 5}})
	}
	obs := &observation.Observation{Complete: true}
	for _, limit := range []int{0, 5000} {
		md := Markdown(obs, fs, Summary{Verdict: "fail", Limit: limit}, nil)
		want := limit
		if want == 0 {
			want = CommentLimit
		}
		if len(md) > want || utf8.RuneCountInString(md) > want {
			t.Errorf("limit %d: summary is %d bytes", limit, len(md))
		}
		if !strings.Contains(md, "Summary truncated to fit GitHub's limit of") {
			t.Errorf("limit %d: no truncation note", limit)
		}
	}
	short := Markdown(obs, fs[:1], Summary{Verdict: "fail"}, nil)
	if strings.Contains(short, "truncated") {
		t.Error("a short summary was truncated")
	}
}

func TestRedactor(t *testing.T) {
	red, err := NewRedactor(`corp-[0-9]{6}`)
	if err != nil {
		t.Fatal(err)
	}
	for in, want := range map[string]string{
		"GITHUB_TOKEN=" + plantedToken:            "GITHUB_TOKEN=[REDACTED]",
		"--password=hunter2":                      "--password=[REDACTED]",
		"https://bob:s3cret@example.com/x":        "https://bob:[REDACTED]@example.com/x",
		"Authorization: Bearer abc.def.ghi":       "Authorization: Bearer [REDACTED]",
		"key AKIAABCDEFGHIJKLMNOP here":           "key [REDACTED] here",
		"id corp-123456 end":                      "id [REDACTED] end",
		"/etc/hostname":                           "/etc/hostname",
		"openat(path=/run/secrets/db, flags=O_R)": "openat(path=/run/secrets/db, flags=O_R)",
	} {
		if got := red.String(in); got != want {
			t.Errorf("String(%q) = %q, want %q", in, got, want)
		}
	}
	if twice := red.String(red.String("GITHUB_TOKEN=" + plantedToken + " x")); twice != "GITHUB_TOKEN=[REDACTED] x" {
		t.Errorf("redacting twice gave %q", twice)
	}
	argv := red.Argv([]string{"app", "--token", "plain-value", "-v"})
	if strings.Join(argv, " ") != "app --token [REDACTED] -v" {
		t.Errorf("Argv = %q", argv)
	}
	if _, err := NewRedactor("("); err == nil || !strings.Contains(err.Error(), `redact pattern "("`) {
		t.Errorf("bad pattern: %v", err)
	}
}

package record

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/sysgate/sysgate/observation"
	"github.com/sysgate/sysgate/policy"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func loadRuns(t *testing.T, names ...string) []Run {
	t.Helper()
	var runs []Run
	for _, n := range names {
		obs, err := observation.Load(filepath.Join("testdata", n))
		if err != nil {
			t.Fatal(err)
		}
		runs = append(runs, Run{Name: n, Obs: obs})
	}
	return runs
}

func baseline(t *testing.T, names ...string) *Baseline {
	t.Helper()
	b, err := New(loadRuns(t, names...))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// golden compares got with the file (as text, comments being part of a
// baseline), or rewrites it with -update.
func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -update writes it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (go test -update rewrites it); got:\n%s", path, got)
	}
}

func TestBaselinePolicyGolden(t *testing.T) {
	data, err := baseline(t, "run1.json", "run2.json").Policy()
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "testdata/baseline.golden.yaml", data)
}

// The seccomp golden is compared as JSON values.
func TestSeccompGolden(t *testing.T) {
	data, err := baseline(t, "run1.json", "run2.json").Seccomp()
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		golden(t, "testdata/seccomp.golden.json", data)
	}
	want, err := os.ReadFile("testdata/seccomp.golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var g, w any
	if err := json.Unmarshal(data, &g); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("seccomp profile differs from testdata/seccomp.golden.json (go test -update rewrites it):\n%s", data)
	}
}

// The baseline parses and, evaluated against the runs it came from, yields
// no finding.
func TestBaselineAcceptsItsRuns(t *testing.T) {
	runs := loadRuns(t, "run1.json", "run2.json")
	b, err := New(runs)
	if err != nil {
		t.Fatal(err)
	}
	pol := parseBaseline(t, b)
	for _, r := range runs {
		fs, err := policy.Evaluate(r.Obs, pol)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range fs {
			t.Errorf("%s: %s %s", r.Name, f.RuleID, f.Message)
		}
	}
}

func parseBaseline(t *testing.T, b *Baseline) *policy.Policy {
	t.Helper()
	data, err := b.Policy()
	if err != nil {
		t.Fatal(err)
	}
	pol, err := policy.Parse("baseline.yaml", data)
	if err != nil {
		t.Fatalf("the baseline does not parse:\n%v\n%s", err, data)
	}
	return pol
}

// What the runs did not do is a finding: a new syscall, program executed,
// path written, destination, or program.
func TestBaselineFlagsNewBehaviour(t *testing.T) {
	pol := parseBaseline(t, baseline(t, "run1.json", "run2.json"))
	app := func(name string, kv ...string) observation.Call {
		c := observation.Call{Exe: "/usr/bin/app", ABI: "x86_64", Name: name, Count: 1}
		for i := 0; i+1 < len(kv); i += 2 {
			c.Args = append(c.Args, observation.Arg{Key: kv[i], Value: kv[i+1]})
		}
		return c
	}
	tests := []struct {
		call observation.Call
		want []string
	}{
		{app("read"), nil},
		{app("openat", "path", "/var/log/app/new.log", "flags", "O_WRONLY|O_CREAT"), nil}, // /var/log/app/*
		{app("openat", "path", "/var/lib/app/cache/1/data", "flags", "O_WRONLY"), nil},
		{app("mount", "target", "/mnt"), []string{"SG0010", "SG1001"}},
		{app("execve", "path", "/bin/ls"), []string{"BL-EXEC-1"}},
		{app("execve", "path", "/bin/bash"), []string{"BL-EXEC-1", "SG1401"}},
		{app("openat", "path", "/etc/passwd", "flags", "O_WRONLY"), []string{"SG1501", "BL-WRITE-1"}},
		{app("openat", "path", "/var/lib/app/other", "flags", "O_WRONLY"), []string{"BL-WRITE-1"}},
		{app("connect", "addr", "127.0.0.1:6379"), []string{"BL-NET-1"}},
		{app("connect", "addr", "10.0.0.1:443"), []string{"BL-NET-1", "SG1601"}},
		{observation.Call{Exe: "/usr/bin/curl", ABI: "x86_64", Name: "connect", Count: 1, Args: observation.Args{{Key: "addr", Value: "1.2.3.4:443"}}}, []string{"BL-NET-2", "SG1601"}},
		{observation.Call{Exe: "/usr/bin/new", ABI: "x86_64", Name: "read", Count: 1}, []string{"SG0010"}},
	}
	for _, tt := range tests {
		obs := &observation.Observation{Schema: observation.Schema, Complete: true, Calls: []observation.Call{tt.call}}
		fs, err := policy.Evaluate(obs, pol)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, f := range fs {
			got = append(got, f.RuleID)
		}
		if strings.Join(got, " ") != strings.Join(tt.want, " ") {
			t.Errorf("%s %v: findings %q, want %q", tt.call.Name, tt.call.Args, got, tt.want)
		}
	}
}

func TestIncompleteRunsWarn(t *testing.T) {
	runs := loadRuns(t, "run2.json")
	runs[0].Obs.Complete = false
	runs[0].Obs.Incomplete = []string{"interrupted"}
	b, err := New(runs)
	if err != nil {
		t.Fatal(err)
	}
	if got := b.Incomplete(); len(got) != 1 || got[0] != "run2.json: interrupted" {
		t.Errorf("Incomplete() = %q", got)
	}
	data, _ := b.Policy()
	if !strings.Contains(string(data), "# WARNING: incomplete run") {
		t.Error("the baseline does not warn that it comes from an incomplete run")
	}
	if _, err := New(nil); err == nil {
		t.Error("a baseline of no run")
	}
}

func TestGroupPaths(t *testing.T) {
	written := map[string]*counter{}
	for i, p := range []string{
		"/var/log/a", "/var/log/b", "/var/log/c", "/var/log/d",
		"/tmp/x", "/etc/a", "/etc/b", "/etc/c", "/etc/d",
		"/srv/c/1/a", "/srv/c/1/b", "/srv/c/1/c", "/srv/c/1/d",
		"/srv/c/2/a", "/srv/c/2/b", "/srv/c/2/c", "/srv/c/2/d",
		"/srv/c/3/a", "/srv/c/3/b", "/srv/c/3/c", "/srv/c/3/d",
		"/srv/c/4/a", "/srv/c/4/b", "/srv/c/4/c", "/srv/c/4/d",
		"rel/x", "/tmp/we*rd",
		"/srv/d[1]/a/x", "/srv/d[1]/a/y", "/srv/d[1]/a/z", "/srv/d[1]/a/w",
		"/srv/d[1]/b/x", "/srv/d[1]/b/y", "/srv/d[1]/b/z", "/srv/d[1]/b/w",
		"/srv/d[1]/c/x", "/srv/d[1]/c/y", "/srv/d[1]/c/z", "/srv/d[1]/c/w",
		"/srv/d[1]/d/x", "/srv/d[1]/d/y", "/srv/d[1]/d/z", "/srv/d[1]/d/w",
	} {
		written[p] = &counter{ids: []int{i % 2}}
	}
	var got []string
	for _, g := range groupPaths(written) {
		got = append(got, g.pattern)
	}
	want := []string{"**/rel/x", "/etc/a", "/etc/b", "/etc/c", "/etc/d", "/srv/c/**", `/srv/d\[1]/**`, `/tmp/we\*rd`, "/tmp/x", "/var/log/*"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("groups %q, want %q", got, want)
	}
}

package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sysgate/sysgate/policy"
)

func recordCmd(args []string, out, errb *bytes.Buffer) int { return runRecord(args, out, errb) }

func TestRecord(t *testing.T) {
	run1 := writeObs(t, true, appCall("read"), appCall("openat", "path", "/tmp/a", "flags", "O_WRONLY|O_CREAT"))
	run2 := writeObs(t, true, appCall("read"), appCall("connect", "addr", "127.0.0.1:80"))
	dir := t.TempDir()
	polOut, secOut := filepath.Join(dir, "baseline.yaml"), filepath.Join(dir, "seccomp.json")
	code, out, errs := runCmd(recordCmd, "--observation", run1, "--observation", run2, "--policy-out", polOut, "--seccomp-out", secOut)
	if code != 0 || out != "" {
		t.Fatalf("exit %d, stdout %q, stderr %s", code, out, errs)
	}
	data, err := os.ReadFile(polOut)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "- read # 2/2 runs") {
		t.Errorf("baseline lacks read seen in both runs:\n%s", data)
	}
	if _, err := policy.Parse(polOut, data); err != nil {
		t.Errorf("baseline does not parse: %v", err)
	}
	// check with the baseline: the runs pass.
	if code, out, _ := runCmd(check, "--observation", run1, "--policy", polOut, "--fail-on", "info"); code != 0 {
		t.Errorf("check run1 with its baseline: exit %d\n%s", code, out)
	}
	var prof struct {
		DefaultAction string
		Syscalls      []struct{ Names []string }
	}
	sec, _ := os.ReadFile(secOut)
	if err := json.Unmarshal(sec, &prof); err != nil || prof.DefaultAction != "SCMP_ACT_ERRNO" {
		t.Errorf("seccomp profile: %v %s", err, sec)
	}
}

func TestRecordStdoutAndErrors(t *testing.T) {
	run1 := writeObs(t, true, appCall("read"))
	code, out, _ := runCmd(recordCmd, "--observation", run1)
	if code != 0 || !strings.HasPrefix(out, "# sysgate baseline") {
		t.Errorf("no output flag: exit %d, stdout:\n%s", code, out)
	}
	code, out, _ = runCmd(recordCmd, "--observation", run1, "--seccomp-out", "-")
	if code != 0 || !strings.Contains(out, `"defaultErrnoRet": 38`) || strings.Contains(out, "apiVersion") {
		t.Errorf("--seccomp-out -: exit %d, stdout:\n%s", code, out)
	}
	incomplete := writeObs(t, false, appCall("read"))
	code, out, errs := runCmd(recordCmd, "--observation", incomplete)
	if code != 3 || !strings.Contains(out, "WARNING: incomplete run") || !strings.Contains(errs, "incomplete observations") {
		t.Errorf("incomplete: exit %d, want 3\n%s\n%s", code, out, errs)
	}
	for _, args := range [][]string{nil, {"--observation", "/nonexistent.json"}, {"--observation", run1, "x"}, {"--observation", run1, "--policy-out", "/nonexistent/dir/p.yaml"}} {
		if code, _, _ := runCmd(recordCmd, args...); code != 2 {
			t.Errorf("record %v: exit %d, want 2", args, code)
		}
	}
}

package workload

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"
)

func mustParse(t *testing.T, src string) *Workload {
	t.Helper()
	w, err := Parse(file, []byte(src))
	if err != nil {
		t.Fatalf("parse:\n%v", err)
	}
	return w
}

func intp(i int) *int { return &i }

// A workload with every key reads into what it says, defaults applied.
func TestParseFull(t *testing.T) {
	w := mustParse(t, `apiVersion: sysgate.dev/v1
mode: service
timeout: 2m30s
stop:
  signal: quit
  grace: 0s
steps:
  - name: ready
    timeout: 5s
    waitFor:
      port: 8080
  - name: logged
    waitFor: {log: 'listening on :\d+'}
  - name: pause
    waitFor: {duration: 1500ms}
  - name: get
    http: {port: 8080}
  - name: post
    http:
      port: 0x1F90
      method: POST
      path: /items?x=1
      headers: {X-Token: abc, X-Count: 5}
      body: '{"a":1}'
    expect:
      status: 201
      bodyContains: apple
  - name: cli
    exec:
      argv: [/app/cli, list, 3]
      env: {K: V}
      workdir: /tmp
    expect:
      stdoutContains: "x"
  - name: plain
    exec: {argv: [ls]}
  - name: fails
    exec: {argv: [/bin/false]}
    expect: {exitCode: 1}
  - name: reload
    signal: SIGHUP
  - name: seed.1
    copy:
      from: data/seed.sql
      to: /data/seed.sql
      mode: "0600"
  - name: seed_2
    copy: {from: input.txt, to: /in, mode: 755}
  - name: seed-3
    copy: {from: input.txt, to: /in3}
`)
	dir, _ := filepath.Abs("testdata")
	if w.Path != file || w.Dir != dir || w.Mode != Service || w.Timeout != 150*time.Second || w.StopSignal != "SIGQUIT" || w.StopGrace != 0 {
		t.Errorf("workload %+v", w)
	}
	if w.Steps[1].WaitFor.Log.String() != `listening on :\d+` || !w.Steps[1].WaitFor.Log.MatchString("now listening on :8080") {
		t.Errorf("log regexp %v", w.Steps[1].WaitFor.Log)
	}
	w.Steps[1].WaitFor.Log = nil
	want := []Step{
		{Name: "ready", Pos: Pos{8, 5}, Timeout: 5 * time.Second, WaitFor: &WaitFor{Port: 8080}},
		{Name: "logged", Pos: Pos{12, 5}, Timeout: DefaultStepTimeout, WaitFor: &WaitFor{LogText: `listening on :\d+`}},
		{Name: "pause", Pos: Pos{14, 5}, Timeout: DefaultStepTimeout, WaitFor: &WaitFor{Duration: 1500 * time.Millisecond}},
		{Name: "get", Pos: Pos{16, 5}, Timeout: DefaultStepTimeout, HTTP: &HTTP{Port: 8080, Method: "GET", Path: "/"}},
		{Name: "post", Pos: Pos{18, 5}, Timeout: DefaultStepTimeout,
			HTTP:   &HTTP{Port: 8080, Method: "POST", Path: "/items?x=1", Headers: map[string]string{"X-Token": "abc", "X-Count": "5"}, Body: `{"a":1}`},
			Expect: Expect{Status: intp(201), BodyContains: "apple"}},
		{Name: "cli", Pos: Pos{28, 5}, Timeout: DefaultStepTimeout,
			Exec:   &Exec{Argv: []string{"/app/cli", "list", "3"}, Env: map[string]string{"K": "V"}, Workdir: "/tmp"},
			Expect: Expect{ExitCode: intp(0), StdoutContains: "x"}},
		{Name: "plain", Pos: Pos{35, 5}, Timeout: DefaultStepTimeout, Exec: &Exec{Argv: []string{"ls"}}, Expect: Expect{ExitCode: intp(0)}},
		{Name: "fails", Pos: Pos{37, 5}, Timeout: DefaultStepTimeout, Exec: &Exec{Argv: []string{"/bin/false"}}, Expect: Expect{ExitCode: intp(1)}},
		{Name: "reload", Pos: Pos{40, 5}, Timeout: DefaultStepTimeout, Signal: "SIGHUP"},
		{Name: "seed.1", Pos: Pos{42, 5}, Timeout: DefaultStepTimeout, Copy: &Copy{From: filepath.Join(dir, "data/seed.sql"), To: "/data/seed.sql", Mode: 0o600}},
		{Name: "seed_2", Pos: Pos{47, 5}, Timeout: DefaultStepTimeout, Copy: &Copy{From: filepath.Join(dir, "input.txt"), To: "/in", Mode: 0o755}},
		{Name: "seed-3", Pos: Pos{49, 5}, Timeout: DefaultStepTimeout, Copy: &Copy{From: filepath.Join(dir, "input.txt"), To: "/in3", Mode: 0o644}},
	}
	if len(w.Steps) != len(want) {
		t.Fatalf("%d steps, want %d", len(w.Steps), len(want))
	}
	for i := range want {
		if !reflect.DeepEqual(w.Steps[i], want[i]) {
			t.Errorf("step %d:\n got %+v\nwant %+v", i, w.Steps[i], want[i])
		}
	}
}

// What a file leaves out gets its default.
func TestParseDefaults(t *testing.T) {
	w := mustParse(t, header)
	if w.Mode != Job || w.Timeout != 0 || w.StopSignal != DefaultStopSignal || w.StopGrace != DefaultStopGrace || len(w.Steps) != 0 {
		t.Errorf("defaults %+v", w)
	}
	w = mustParse(t, header+"steps: []\n")
	if len(w.Steps) != 0 {
		t.Errorf("steps: [] gave %d steps", len(w.Steps))
	}
	w = mustParse(t, header+"mode: job\nsteps:\n  - {name: a, waitFor: {duration: 29s}}\n")
	if w.Mode != Job || w.Steps[0].Kind() != "waitFor" {
		t.Errorf("job with a step: %+v", w)
	}
}

// Signal names are read with or without SIG, in any case.
func TestSignalNames(t *testing.T) {
	for _, name := range []string{"SIGTERM", "sigterm", "TERM", "term", "SigTerm"} {
		w := mustParse(t, service+"stop: {signal: "+name+"}\n")
		if w.StopSignal != "SIGTERM" {
			t.Errorf("%s read as %q", name, w.StopSignal)
		}
		if sig, ok := Signal(name); !ok || sig != 15 {
			t.Errorf("Signal(%q) = %v, %v", name, sig, ok)
		}
	}
	for _, name := range []string{"", "SIG", "SIGRTMIN", "SIGTERM2", "9"} {
		if sig, ok := Signal(name); ok {
			t.Errorf("Signal(%q) = %v, want unknown", name, sig)
		}
	}
}

func TestKind(t *testing.T) {
	w := mustParse(t, service+`steps:
  - {name: a, waitFor: {port: 1}}
  - {name: b, http: {port: 1}}
  - {name: c, exec: {argv: [ls]}}
  - {name: d, signal: usr1}
  - {name: e, copy: {from: input.txt, to: /x}}
`)
	var kinds []string
	for _, s := range w.Steps {
		kinds = append(kinds, s.Kind())
	}
	if got := strings.Join(kinds, " "); got != "waitFor http exec signal copy" {
		t.Errorf("kinds %q", got)
	}
	if (Step{}).Kind() != "" {
		t.Errorf("an empty step has a kind")
	}
}

// Load reads a file; copy sources resolve against its directory.
func TestLoad(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "w.yaml")
	src := service + "steps:\n  - {name: c, copy: {from: in.txt, to: /in.txt}}\n"
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path); err == nil || !strings.Contains(err.Error(), path+`:4:28: step "c": copy.from "in.txt": no such file`) {
		t.Fatalf("load without the copy source: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "in.txt"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	w, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if w.Path != path || w.Dir != dir || w.Steps[0].Copy.From != filepath.Join(dir, "in.txt") {
		t.Errorf("loaded %+v, copy %+v", w, w.Steps[0].Copy)
	}
}

func TestLoadMissing(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.yaml"))
	if err == nil || !errors.Is(err, fs.ErrNotExist) || !strings.HasPrefix(err.Error(), "read workload: ") {
		t.Errorf("load a missing file: %v", err)
	}
}

// A workload parsed without a path resolves copies against the working
// directory and says "workload" in messages.
func TestParseNoPath(t *testing.T) {
	_, err := Parse("", []byte(header+"mode: jbo\n"))
	if err == nil || err.Error() != `workload:2:7: unknown mode "jbo": want job or service (did you mean "job"?)` {
		t.Errorf("error %v", err)
	}
	w, err := Parse("", []byte(header))
	cwd, _ := os.Getwd()
	if err != nil || w.Path != "" || w.Dir != cwd {
		t.Errorf("parse from bytes: %+v, %v", w, err)
	}
}

// An absolute copy source is used as it is.
func TestCopyAbsolute(t *testing.T) {
	from, _ := filepath.Abs("testdata/input.txt")
	w := mustParse(t, step("    copy: {from: "+from+", to: /x}\n"))
	if w.Steps[0].Copy.From != from {
		t.Errorf("from %q, want %q", w.Steps[0].Copy.From, from)
	}
}

// Errors come back with errors.As, sorted by position, each on its line.
func TestErrorsSortedAndUnwrapped(t *testing.T) {
	_, err := Parse(file, []byte(service+"steps:\n  - {name: b, signal: x}\n  - {name: a, signal: y}\ntimeout: x\n"))
	var es *Errors
	if !errors.As(err, &es) || len(*es) != 3 {
		t.Fatalf("errors %v", err)
	}
	for i, line := range []int{4, 5, 6} {
		if (*es)[i].Line != line || (*es)[i].Path != file {
			t.Errorf("error %d: %+v, want line %d", i, (*es)[i], line)
		}
	}
	var one *Error
	if !errors.As(err, &one) || one != (*es)[0] {
		t.Errorf("errors.As(*Error) = %v", one)
	}
	if n := strings.Count(err.Error(), "\n"); n != 2 {
		t.Errorf("%d newlines in\n%v", n, err)
	}
}

func TestDefault(t *testing.T) {
	w := Default()
	if w.Mode != Job || len(w.Steps) != 0 || w.StopSignal != "SIGTERM" || w.StopGrace != DefaultStopGrace || w.Timeout != 0 {
		t.Errorf("default %+v", w)
	}
	if sig, ok := Signal(w.StopSignal); !ok || sig != syscall.Signal(15) {
		t.Errorf("default stop signal %v", sig)
	}
}

package workload

import (
	"errors"
	"os"
	"testing"
)

// FuzzParse feeds arbitrary bytes to the parser: it must never panic, every
// error must have a position and a message, and a workload it accepts must
// hold what the rest of sysgate relies on.
func FuzzParse(f *testing.F) {
	if data, err := os.ReadFile("../docs/workload.md"); err == nil {
		for _, b := range fencedBlocks(string(data)) {
			f.Add([]byte(b.body))
		}
	}
	f.Add([]byte(step("    copy: {from: input.txt, to: /a, mode: '0600'}\n")))
	f.Add([]byte(step("    http: {port: 1, method: POST, headers: {A: b}, body: x}\n    expect: {status: 200, bodyContains: y}\n")))
	f.Add([]byte(step("    exec: {argv: [ls], env: {A: b}, workdir: /}\n    expect: {exitCode: 1}\n")))
	f.Add([]byte(step("    waitFor: {log: 'a+'}\n    timeout: 1s\n")))
	f.Add([]byte(service + "stop: {signal: hup, grace: 1s}\n"))
	f.Add([]byte(header + "mode: &m job\n"))
	f.Add([]byte("\xff\xfe"))
	f.Fuzz(func(t *testing.T, data []byte) {
		w, err := Parse(file, data)
		if err != nil {
			checkErrors(t, err)
			return
		}
		checkWorkload(t, w)
	})
}

func checkErrors(t *testing.T, err error) {
	var es *Errors
	if !errors.As(err, &es) || len(*es) == 0 {
		t.Fatalf("error %v (%T) is not a non-empty *Errors", err, err)
	}
	for _, e := range *es {
		if e.Line < 1 || e.Column < 1 || e.Path != file || e.Msg == "" {
			t.Fatalf("error without position or message: %#v", e)
		}
	}
}

func checkWorkload(t *testing.T, w *Workload) {
	if w.Mode != Job && w.Mode != Service {
		t.Fatalf("mode %q", w.Mode)
	}
	if _, ok := Signal(w.StopSignal); !ok || w.StopGrace < 0 || w.Timeout < 0 {
		t.Fatalf("stop %q after %v, timeout %v", w.StopSignal, w.StopGrace, w.Timeout)
	}
	names := map[string]bool{}
	for _, s := range w.Steps {
		if s.Name == "" || names[s.Name] || s.Kind() == "" || s.Timeout <= 0 {
			t.Fatalf("step %+v", s)
		}
		names[s.Name] = true
		actions := 0
		for _, set := range []bool{s.WaitFor != nil, s.HTTP != nil, s.Exec != nil, s.Signal != "", s.Copy != nil} {
			if set {
				actions++
			}
		}
		if actions != 1 {
			t.Fatalf("step %q has %d actions", s.Name, actions)
		}
	}
}

package policy

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/sysgate/sysgate/observation"
	"github.com/sysgate/sysgate/policy/packs"
)

// FuzzParse feeds arbitrary bytes to the parser: it must never panic, every
// error must have a position, and a policy it accepts must evaluate.
func FuzzParse(f *testing.F) {
	for _, name := range packs.Names() {
		src, _ := packs.Source(name)
		f.Add(src)
	}
	files, _ := filepath.Glob("testdata/*/*.yaml")
	examples, _ := filepath.Glob("../examples/policies/*.yaml")
	for _, file := range append(files, examples...) {
		if src, err := os.ReadFile(file); err == nil {
			f.Add(src)
		}
	}
	f.Add([]byte(header + "rules:\n  - {id: R, description: d, severity: low, match: {path: '/a/**', addr: '[::1]:1-2', port: 3}}\n"))
	f.Add([]byte(header + "name: &a x\n"))
	f.Add([]byte("\xff\xfe"))
	obs := obsOf(append(conditionCalls(), x64("getppid"))...)
	f.Fuzz(func(t *testing.T, data []byte) {
		pol, err := Parse("fuzz.yaml", data)
		if err != nil {
			es, ok := err.(Errors)
			if !ok || len(es) == 0 {
				t.Fatalf("error %v (%T) is not a non-empty Errors", err, err)
			}
			for _, e := range es {
				if e.Pos.Line < 1 || e.Pos.File == "" || e.Msg == "" {
					t.Fatalf("error without position or message: %#v", e)
				}
			}
			return
		}
		if _, err := Evaluate(obs, pol); err != nil {
			t.Fatalf("evaluate an accepted policy: %v", err)
		}
	})
}

// conditionCalls are every call of the condition table.
func conditionCalls() []observation.Call {
	var out []observation.Call
	for _, tt := range conditionTests {
		out = append(out, tt.yes...)
		out = append(out, tt.no...)
	}
	return out
}

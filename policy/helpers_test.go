package policy

import (
	"errors"
	"strings"
	"testing"

	"github.com/sysgate/sysgate/observation"
)

// call builds a call record: args as key, value pairs; a value starting
// with "[" and holding spaces-separated words is a list ("[sh -c x]").
func call(exe, abi, name string, kv ...string) observation.Call {
	c := observation.Call{Exe: exe, ABI: abi, Name: name, Count: 1}
	for i := 0; i+1 < len(kv); i += 2 {
		k, v := kv[i], kv[i+1]
		if strings.HasPrefix(v, "[") && strings.HasSuffix(v, "]") {
			c.Args = append(c.Args, observation.Arg{Key: k, List: strings.Fields(v[1 : len(v)-1])})
			continue
		}
		c.Args = append(c.Args, observation.Arg{Key: k, Value: v})
	}
	return c
}

// x64 is a call of /usr/bin/app through x86_64.
func x64(name string, kv ...string) observation.Call {
	return call("/usr/bin/app", "x86_64", name, kv...)
}

func obsOf(calls ...observation.Call) *observation.Observation {
	return &observation.Observation{Schema: observation.Schema, Complete: true, Incomplete: []string{}, Calls: calls}
}

// mustParse parses a policy that must be valid.
func mustParse(t testing.TB, src string) *Policy {
	t.Helper()
	pol, err := Parse("test.yaml", []byte(src))
	if err != nil {
		t.Fatalf("parse:\n%s\nerror:\n%v", src, err)
	}
	return pol
}

// evalIDs evaluates and returns the rule ids of the findings, in order.
func evalIDs(t testing.TB, pol *Policy, obs *observation.Observation) []string {
	t.Helper()
	fs, err := Evaluate(obs, pol)
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, len(fs))
	for i, f := range fs {
		ids[i] = f.RuleID
	}
	return ids
}

// parseErrors parses a policy that must be invalid and returns its errors.
func parseErrors(t *testing.T, src string) Errors {
	t.Helper()
	_, err := Parse("test.yaml", []byte(src))
	var es Errors
	if !errors.As(err, &es) {
		t.Fatalf("parse:\n%s\nerror = %v, want Errors", src, err)
	}
	return es
}

const header = "apiVersion: sysgate.dev/v1\n"

package workload

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

const (
	header  = "apiVersion: sysgate.dev/v1\n"
	service = header + "mode: service\n"
	// file is where the tests' workloads say they are: copy sources
	// resolve against testdata/.
	file = "testdata/w.yaml"
)

// parseErrors parses src, which must fail, and returns the message with the
// absolute testdata directory written as TESTDATA.
func parseErrors(t *testing.T, src string) string {
	t.Helper()
	w, err := Parse(file, []byte(src))
	if err == nil {
		t.Fatalf("parsed into %+v, want an error", w)
	}
	var es *Errors
	if !errors.As(err, &es) || len(*es) == 0 {
		t.Fatalf("error %v (%T) is not a non-empty *Errors", err, err)
	}
	dir, _ := filepath.Abs("testdata")
	return strings.ReplaceAll(err.Error(), dir, "TESTDATA")
}

// step is a service workload of one step.
func step(lines string) string {
	return service + "steps:\n  - name: s\n" + lines
}

// Every mistake is an error with its position and exact message.
func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		// The document.
		{"empty", "", `1:1: empty workload: it must start with apiVersion: sysgate.dev/v1`},
		{"comment only", "# nothing\n", `1:1: empty workload: it must start with apiVersion: sysgate.dev/v1`},
		{"syntax", header + "steps: [\n", `2:1: YAML syntax: did not find expected node content`},
		{"two documents", header + "---\n" + header, `2:1: a second YAML document: a workload file holds one`},
		{"not a mapping", "- a\n", `1:1: the workload must be a mapping (key: value), not a list`},
		{"anchor", header + "timeout: &t 5m\n", `2:10: YAML anchors (&t) are not supported in a workload`},
		{"alias", header + "mode: &m job\ntimeout: *m\n", "2:7: YAML anchors (&m) are not supported in a workload\n" +
			"testdata/w.yaml:3:10: YAML aliases (*m) are not supported in a workload"},
		{"no apiVersion", "mode: job\n", `1:1: missing apiVersion: a workload starts with apiVersion: sysgate.dev/v1`},
		{"apiVersion not first", "mode: job\n" + header, `2:1: apiVersion must be the first key of a workload`},
		{"bad apiVersion", "apiVersion: sysgate.dev/v2\n", `1:13: unsupported apiVersion "sysgate.dev/v2": this sysgate reads sysgate.dev/v1`},
		{"apiVersion a list", "apiVersion: [a]\n", `1:13: apiVersion must be a single value, not a list`},
		{"unknown key", header + "stpes: []\n", `2:1: unknown key "stpes" in the workload (known: apiVersion, mode, timeout, stop, steps) (did you mean "steps"?)`},
		{"unknown key far", header + "zzzzzz: 1\n", `2:1: unknown key "zzzzzz" in the workload (known: apiVersion, mode, timeout, stop, steps)`},
		{"key twice", header + "mode: job\nmode: job\n", `3:1: the workload: key "mode" given twice (first at line 2)`},
		{"key not a name", header + "[a]: 1\n", `2:1: the workload: keys must be plain names, not a list`},

		// Top-level values.
		{"unknown mode", header + "mode: servise\n", `2:7: unknown mode "servise": want job or service (did you mean "service"?)`},
		{"mode empty", header + "mode:\n", `2:6: mode must be a single value, not empty`},
		{"bad timeout", header + "timeout: 5\n", `2:10: timeout: bad duration "5": want a number and a unit, like 30s, 5m or 1m30s`},
		{"zero timeout", header + "timeout: 0s\n", `2:10: timeout must be more than 0, not 0s`},
		{"negative timeout", header + "timeout: -1m\n", `2:10: timeout must be more than 0, not -1m`},
		{"steps not a list", header + "steps: {a: 1}\n", `2:8: steps must be a list of steps, not a mapping (steps: [] for none)`},
		{"steps empty", header + "steps:\n", `2:7: steps must be a list of steps, not empty (steps: [] for none)`},

		// stop.
		{"stop in job mode", header + "stop:\n  signal: TERM\n", `2:1: stop is for mode: service; a job's entrypoint runs to completion`},
		{"stop not a mapping", service + "stop: SIGTERM\n", `3:7: stop must be a mapping (key: value), not the value "SIGTERM"`},
		{"stop unknown key", service + "stop: {sginal: TERM}\n", `3:8: unknown key "sginal" in stop (known: signal, grace) (did you mean "signal"?)`},
		{"unknown stop signal", service + "stop: {signal: SIGTREM}\n", `3:16: stop.signal: unknown signal "SIGTREM" (did you mean "SIGTERM"?)`},
		{"empty stop signal", service + "stop: {signal: ''}\n", `3:16: stop.signal must not be empty`},
		{"negative grace", service + "stop: {grace: -1s}\n", `3:15: stop.grace must not be negative, not -1s`},

		// A step's name and action.
		{"step not a mapping", service + "steps: [ready]\n", `3:9: step 1 must be a mapping (key: value), not the value "ready"`},
		{"unknown step key", step("    waitFor: {port: 1}\n    expcet: {}\n"), `6:5: unknown key "expcet" in step "s" (known: name, timeout, waitFor, http, exec, signal, copy, expect) (did you mean "expect"?)`},
		{"no name", service + "steps:\n  - waitFor: {port: 1}\n", `4:5: step 1 needs a name`},
		{"name a list", service + "steps:\n  - name: [a]\n    waitFor: {port: 1}\n", `4:11: step 1: name must be a single value, not a list`},
		{"empty name", service + "steps:\n  - name: ''\n    waitFor: {port: 1}\n", `4:11: step 1: name must not be empty`},
		{"bad name", service + "steps:\n  - name: a b\n    waitFor: {port: 1}\n", `4:11: bad step name "a b": letters, digits, '.', '_' and '-' only`},
		{"reserved name", service + "steps:\n  - name: Shutdown\n    waitFor: {port: 1}\n", `4:11: step name "Shutdown" is reserved: sysgate names what happens before the first step "startup" and after the last "shutdown"`},
		{"name taken", service + "steps:\n  - {name: a, waitFor: {port: 1}}\n  - {name: a, waitFor: {port: 2}}\n", `5:12: step name "a" is already taken by the step at line 4`},
		{"no action", step("    timeout: 1s\n"), `4:5: step "s" needs an action: one of waitFor, http, exec, signal, copy`},
		{"two actions", step("    waitFor: {port: 1}\n    signal: HUP\n"), `6:5: step "s" has waitFor and signal: a step does one of waitFor, http, exec, signal, copy (split it into steps)`},
		{"three actions", step("    signal: HUP\n    exec: {argv: [a]}\n    http: {port: 1}\n"), `6:5: step "s" has http, exec and signal: a step does one of waitFor, http, exec, signal, copy (split it into steps)`},
		{"bad step timeout", step("    timeout: 0s\n    signal: HUP\n"), `5:14: step "s": timeout must be more than 0, not 0s`},

		// waitFor.
		{"waitFor empty", step("    waitFor: {}\n"), `5:14: step "s": waitFor waits for exactly one of port, log or duration`},
		{"waitFor two", step("    waitFor: {port: 1, duration: 1s}\n"), `5:14: step "s": waitFor waits for exactly one of port, log or duration`},
		{"waitFor scalar", step("    waitFor: 8080\n"), `5:14: the waitFor of step "s" must be a mapping (key: value), not the value "8080"`},
		{"waitFor unknown key", step("    waitFor: {prot: 1}\n"), `5:15: unknown key "prot" in the waitFor of step "s" (known: port, log, duration) (did you mean "port"?)`},
		{"port too big", step("    waitFor: {port: 80800}\n"), `5:21: step "s": waitFor.port must be a whole number from 1 to 65535, not the value "80800"`},
		{"port zero", step("    waitFor: {port: 0}\n"), `5:21: step "s": waitFor.port must be a whole number from 1 to 65535, not the value "0"`},
		{"port a string", step("    waitFor: {port: '8080'}\n"), `5:21: step "s": waitFor.port must be a whole number from 1 to 65535, not the value "8080"`},
		{"port a float", step("    waitFor: {port: 80.5}\n"), `5:21: step "s": waitFor.port must be a whole number from 1 to 65535, not the value "80.5"`},
		{"bad log", step("    waitFor: {log: 'a(b'}\n"), "5:20: step \"s\": waitFor.log: bad regular expression \"a(b\": missing closing ): `a(b`"},
		{"empty log", step("    waitFor: {log: ''}\n"), `5:20: step "s": waitFor.log must not be empty`},
		{"bad wait duration", step("    waitFor: {duration: soon}\n"), `5:25: step "s": waitFor.duration: bad duration "soon": want a number and a unit, like 30s, 5m or 1m30s`},
		{"wait longer than timeout", step("    waitFor: {duration: 30s}\n"), `5:25: step "s": waitFor.duration 30s must be shorter than the step's timeout 30s (raise timeout)`},
		{"wait longer than own timeout", step("    timeout: 5s\n    waitFor: {duration: 1m}\n"), `6:25: step "s": waitFor.duration 1m0s must be shorter than the step's timeout 5s (raise timeout)`},

		// http.
		{"http no port", step("    http: {path: /}\n"), `5:11: step "s": http needs port`},
		{"http unknown key", step("    http: {port: 1, methd: GET}\n"), `5:21: unknown key "methd" in the http of step "s" (known: port, method, path, headers, body) (did you mean "method"?)`},
		{"http lower method", step("    http: {port: 1, method: get}\n"), `5:29: step "s": http.method: unknown method "get": want one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS (did you mean "GET"?)`},
		{"http bad method", step("    http: {port: 1, method: FETCH}\n"), `5:29: step "s": http.method: unknown method "FETCH": want one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS (did you mean "PATCH"?)`},
		{"http relative path", step("    http: {port: 1, path: items}\n"), `5:27: step "s": http.path "items" must start with "/"`},
		{"http path with space", step("    http: {port: 1, path: /a b}\n"), `5:27: step "s": http.path "/a b" must not hold spaces or control characters (escape them: %20)`},
		{"http headers a list", step("    http: {port: 1, headers: [a]}\n"), `5:30: step "s": http.headers must be a mapping (name: value), not a list`},
		{"http bad header", step("    http: {port: 1, headers: {'X Token': a}}\n"), "5:31: step \"s\": http.headers: \"X Token\" is no header name: letters, digits and !#$%&'*+-.^_`|~ only"},
		{"http header twice", step("    http: {port: 1, headers: {X: a, X: b}}\n"), `5:37: step "s": http.headers: "X" given twice`},
		{"http header no value", step("    http: {port: 1, headers: {X: }}\n"), `5:34: step "s": http.headers X must be a single value, not empty`},
		{"http header line break", step("    http: {port: 1, headers: {X: \"a\\nb\"}}\n"), `5:34: step "s": http.headers X "a\nb" must not hold a line break or NUL`},
		{"http body a mapping", step("    http: {port: 1, body: {a: 1}}\n"), `5:27: step "s": http.body must be a single value, not a mapping`},

		// exec.
		{"exec no argv", step("    exec: {env: {A: b}}\n"), `5:11: step "s": exec needs argv`},
		{"exec argv a string", step("    exec: {argv: ls -l}\n"), `5:18: step "s": exec.argv must be a non-empty list, like [/app/cli, list], not the value "ls -l"`},
		{"exec argv empty", step("    exec: {argv: []}\n"), `5:18: step "s": exec.argv must be a non-empty list, like [/app/cli, list], not a list`},
		{"exec relative command", step("    exec: {argv: [bin/cli]}\n"), `5:19: step "s": exec.argv: the command "bin/cli" must be an absolute path or a name looked up in the container's PATH`},
		{"exec empty command", step("    exec: {argv: ['']}\n"), `5:19: step "s": exec.argv: the command "" must be an absolute path or a name looked up in the container's PATH`},
		{"exec argv NUL", step("    exec: {argv: [ls, \"a\\0b\"]}\n"), `5:23: step "s": exec.argv entry "a\x00b" must not hold a NUL byte`},
		{"exec argv entry a list", step("    exec: {argv: [ls, [a]]}\n"), `5:23: step "s": exec.argv entry must be a single value, not a list`},
		{"exec bad env name", step("    exec: {argv: [ls], env: {A=B: c}}\n"), `5:30: step "s": exec.env: "A=B" is no variable name: it must not be empty or hold '=' or NUL`},
		{"exec env NUL", step("    exec: {argv: [ls], env: {A: \"a\\0\"}}\n"), `5:33: step "s": exec.env A "a\x00" must not hold a NUL byte`},
		{"exec relative workdir", step("    exec: {argv: [ls], workdir: tmp}\n"), `5:33: step "s": exec.workdir "tmp" must be an absolute path in the container`},

		// signal.
		{"unknown signal", step("    signal: HUPP\n"), `5:13: step "s": signal: unknown signal "HUPP" (did you mean "SIGHUP"?)`},
		{"signal a list", step("    signal: [HUP]\n"), `5:13: step "s": signal must be a single value, not a list`},

		// copy.
		{"copy no from or to", step("    copy: {mode: '0600'}\n"), "5:11: step \"s\": copy needs from\n" +
			`testdata/w.yaml:5:11: step "s": copy needs to`},
		{"copy missing file", step("    copy: {from: nothere.txt, to: /a}\n"), `5:18: step "s": copy.from "nothere.txt": no such file (looked for TESTDATA/nothere.txt)`},
		{"copy from a directory", step("    copy: {from: data, to: /a}\n"), `5:18: step "s": copy.from "data" is not a regular file (TESTDATA/data is a directory)`},
		{"copy relative to", step("    copy: {from: input.txt, to: a}\n"), `5:33: step "s": copy.to "a" must be an absolute path in the container`},
		{"copy to a directory", step("    copy: {from: input.txt, to: /data/}\n"), `5:33: step "s": copy.to "/data/" names a directory: give the file's full path`},
		{"copy bad mode", step("    copy: {from: input.txt, to: /a, mode: '0968'}\n"), `5:43: step "s": copy.mode "0968": want octal permission bits from 0000 to 0777, like "0644"`},
		{"copy mode too big", step("    copy: {from: input.txt, to: /a, mode: '04755'}\n"), `5:43: step "s": copy.mode "04755": want octal permission bits from 0000 to 0777, like "0644"`},

		// expect.
		{"expect on signal", step("    signal: HUP\n    expect: {exitCode: 0}\n"), `6:5: step "s": a signal step takes no expect: only http and exec steps have a result to check`},
		{"expect on waitFor", step("    waitFor: {port: 1}\n    expect: {status: 200}\n"), `6:5: step "s": a waitFor step takes no expect: only http and exec steps have a result to check`},
		{"expect on copy", step("    copy: {from: input.txt, to: /a}\n    expect: {}\n"), `6:5: step "s": a copy step takes no expect: only http and exec steps have a result to check`},
		{"expect empty", step("    exec: {argv: [ls]}\n    expect: {}\n"), `6:13: step "s": expect is empty: say what the step must see, or leave expect out`},
		{"expect a list", step("    exec: {argv: [ls]}\n    expect: [0]\n"), `6:13: the expect of step "s" must be a mapping (key: value), not a list`},
		{"expect unknown key", step("    exec: {argv: [ls]}\n    expect: {exitcode: 0}\n"), `6:14: unknown key "exitcode" in the expect of step "s" (known: status, bodyContains, exitCode, stdoutContains) (did you mean "exitCode"?)`},
		{"status on exec", step("    exec: {argv: [ls]}\n    expect: {status: 200}\n"), `6:14: step "s": expect.status is for http steps, not exec`},
		{"bodyContains on exec", step("    exec: {argv: [ls]}\n    expect: {bodyContains: a}\n"), `6:14: step "s": expect.bodyContains is for http steps, not exec`},
		{"exitCode on http", step("    http: {port: 1}\n    expect: {exitCode: 0}\n"), `6:14: step "s": expect.exitCode is for exec steps, not http`},
		{"stdoutContains on http", step("    http: {port: 1}\n    expect: {stdoutContains: a}\n"), `6:14: step "s": expect.stdoutContains is for exec steps, not http`},
		{"bad status", step("    http: {port: 1}\n    expect: {status: 99}\n"), `6:22: step "s": expect.status must be a whole number from 100 to 599, not the value "99"`},
		{"bad exitCode", step("    exec: {argv: [ls]}\n    expect: {exitCode: 256}\n"), `6:24: step "s": expect.exitCode must be a whole number from 0 to 255, not the value "256"`},
		{"empty bodyContains", step("    http: {port: 1}\n    expect: {bodyContains: ''}\n"), `6:28: step "s": expect.bodyContains must not be empty`},
		{"empty stdoutContains", step("    exec: {argv: [ls]}\n    expect: {stdoutContains: }\n"), `6:30: step "s": expect.stdoutContains must be a single value, not empty`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := file + ":" + tt.want
			if got := parseErrors(t, tt.src); got != want {
				t.Errorf("errors:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

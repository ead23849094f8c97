package observation

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestBuilderAggregatesDistinctCalls(t *testing.T) {
	b := NewBuilder(Subject{Command: []string{"x"}}, DefaultLimits)
	open := Args{{Key: "path", Value: "/etc/hostname"}}
	h1 := b.Call("/bin/cat", "x86_64", 257, "openat", open)
	b.Outcome(h1, "")
	h2 := b.Call("/bin/cat", "x86_64", 257, "openat", Args{{Key: "path", Value: "/etc/hostname"}})
	b.Outcome(h2, "ENOENT")
	b.Call("/bin/cat", "x86_64", 257, "openat", Args{{Key: "path", Value: "/etc/passwd"}})
	b.Call("/bin/cat", "x86_64", 0, "read", nil)
	b.Call("/bin/sh", "x86_64", 0, "read", nil)
	o := b.Observation()
	if h1 != h2 || len(o.Calls) != 4 {
		t.Fatalf("handles %d %d, %d records; want one record for the same path", h1, h2, len(o.Calls))
	}
	want := Call{Exe: "/bin/cat", ABI: "x86_64", Nr: 257, Name: "openat", Args: open, Count: 2, Outcomes: 2, Errors: map[string]uint64{"ENOENT": 1}}
	if !reflect.DeepEqual(o.Calls[0], want) {
		t.Errorf("first record = %+v, want %+v", o.Calls[0], want)
	}
	wantSys := []Syscall{{ABI: "x86_64", Nr: 0, Name: "read", Count: 2}, {ABI: "x86_64", Nr: 257, Name: "openat", Count: 3}}
	if !reflect.DeepEqual(o.Syscalls, wantSys) {
		t.Errorf("syscalls = %+v, want %+v", o.Syscalls, wantSys)
	}
	if !o.Complete || len(o.Incomplete) != 0 {
		t.Errorf("complete = %v %v, want a complete observation", o.Complete, o.Incomplete)
	}
}

func TestBuilderBoundMakesIncomplete(t *testing.T) {
	b := NewBuilder(Subject{}, Limits{MaxCalls: 2, MaxProcesses: 1})
	for _, p := range []string{"/a", "/b", "/c", "/d"} {
		b.Call("/bin/x", "x86_64", 2, "open", Args{{Key: "path", Value: p}})
	}
	b.ProcessStart(1, 0, "/bin/x", nil)
	b.ProcessStart(2, 1, "/bin/x", nil)
	o := b.Observation()
	if o.Complete {
		t.Fatal("observation complete after its bounds were hit")
	}
	want := []string{
		"distinct call records: bound of 2 reached, 2 calls not recorded with their arguments",
		"process records: bound of 1 reached, 1 processes not listed",
	}
	if !reflect.DeepEqual(o.Incomplete, want) {
		t.Errorf("incomplete = %q, want %q", o.Incomplete, want)
	}
	if o.Syscalls[0].Count != 4 {
		t.Errorf("summary count = %d, want 4: a cut record still counts", o.Syscalls[0].Count)
	}
}

func TestProcessLifecycle(t *testing.T) {
	b := NewBuilder(Subject{}, DefaultLimits)
	b.ProcessStart(10, 1, "", nil)
	b.ProcessExec(10, "/bin/true", []string{"true"})
	b.ProcessExit(10, Exit{Code: intp(0)})
	b.ProcessStart(10, 1, "/bin/sh", nil) // pid reused
	b.ProcessExit(10, Exit{Signal: "SIGKILL"})
	o := b.Observation()
	want := []Process{
		{PID: 10, PPID: 1, Exe: "/bin/true", Argv: []string{"true"}, Exit: &Exit{Code: intp(0)}},
		{PID: 10, PPID: 1, Exe: "/bin/sh", Exit: &Exit{Signal: "SIGKILL"}},
	}
	if !reflect.DeepEqual(o.Processes, want) {
		t.Errorf("processes = %+v, want %+v", o.Processes, want)
	}
}

func intp(i int) *int { return &i }

func TestArgsJSONRoundTrip(t *testing.T) {
	in := Args{{Key: "path", Value: "/bin/sh"}, {Key: "argv", List: []string{"sh", "-c", "x"}}, {Key: "empty", List: []string{}}}
	data, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	if string(data) != `{"path":"/bin/sh","argv":["sh","-c","x"],"empty":[]}` {
		t.Errorf("marshal = %s", data)
	}
	var out Args
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(in, out) {
		t.Errorf("round trip = %+v, want %+v", out, in)
	}
	if in.Key() == (Args{{Key: "path", Value: "/bin/sh"}}).Key() {
		t.Error("distinct args share a key")
	}
	if err := json.Unmarshal([]byte(`{"a":1}`), &out); err == nil || !strings.Contains(err.Error(), `"a"`) {
		t.Errorf("number value: err = %v, want an error naming the key", err)
	}
}

func TestWriteRead(t *testing.T) {
	b := NewBuilder(Subject{Command: []string{"true"}}, DefaultLimits)
	b.Call("/bin/true", "x86_64", 231, "exit_group", nil)
	var buf bytes.Buffer
	if err := Write(&buf, b.Observation()); err != nil {
		t.Fatal(err)
	}
	o, err := Read(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if o.Schema != Schema || o.Calls[0].Name != "exit_group" || o.Subject.Command[0] != "true" {
		t.Errorf("read back %+v", o)
	}
	if _, err := Read(strings.NewReader(`{"schema":"other/v9"}`)); err == nil {
		t.Error("a foreign schema was accepted")
	}
}

func TestTamperingRepeatsCounted(t *testing.T) {
	b := NewBuilder(Subject{}, DefaultLimits)
	for range 3 {
		b.Tamper("process 7 (/x) called kill on the tracer (pid 1)")
	}
	b.Tamper("process 7 (/x) called ptrace on the tracer (pid 1)")
	got := b.Observation().Tampering
	want := []string{"process 7 (/x) called kill on the tracer (pid 1) (3 times)", "process 7 (/x) called ptrace on the tracer (pid 1)"}
	if !slices.Equal(got, want) {
		t.Errorf("tampering %q, want %q", got, want)
	}
	for i := range maxTampering + 5 {
		b.Tamper(fmt.Sprintf("attempt %d", i))
	}
	got = b.Observation().Tampering
	if len(got) != maxTampering+1 || got[maxTampering] != "7 more attempts of other kinds, not listed (bound of 1000 kinds)" {
		t.Errorf("%d entries, last %q", len(got), got[len(got)-1])
	}
}

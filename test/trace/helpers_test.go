package trace_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sysgate/sysgate/observation"
	"github.com/sysgate/sysgate/tracer/systab"
)

// runTimeout bounds every run, so a broken tracer fails instead of hanging.
const runTimeout = 60 * time.Second

// modes are the two trace modes every strace comparison runs in.
var modes = []string{"seccomp", "ptrace"}

// result is how one run ended.
type result struct {
	Code           int // exit status: the code, or 128+N when signal N killed it
	Stdout, Stderr string
	Start          time.Time
	// Obs is the loaded --observation, when the run was asked for one and
	// exited with a status other than 125.
	Obs    *observation.Observation
	Events string // path of the --events file, when asked for
}

// runOpts says how to run sysgate.
type runOpts struct {
	Mode   string   // SYSGATE_TRACE_MODE; "" leaves it unset (the default mode)
	Flags  []string // flags before "--"
	Cmd    []string // the traced command
	Stdin  string
	NoObs  bool     // do not pass --observation
	Events bool     // pass --events
	Wrap   []string // run sysgate through this command (e.g. setarch)
	// Cred runs sysgate as another user; the observation directory is then
	// made writable by all.
	Cred *syscall.Credential
}

// runSysgate runs `sysgate trace [flags] -- cmd` and loads its observation.
func runSysgate(t *testing.T, o runOpts) *result {
	t.Helper()
	needSysgate(t)
	dir := t.TempDir()
	if o.Cred != nil {
		// t.TempDir's parent is private: use a directory anyone can reach.
		var err error
		if dir, err = os.MkdirTemp(filepath.Dir(victimDir), "run-"); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.RemoveAll(dir) })
		if err := os.Chmod(dir, 0o777); err != nil {
			t.Fatal(err)
		}
	}
	args := []string{"trace"}
	obsPath := filepath.Join(dir, "observation.json")
	if !o.NoObs {
		args = append(args, "--observation", obsPath)
	}
	evPath := filepath.Join(dir, "events.jsonl")
	if o.Events {
		args = append(args, "--events", evPath)
	}
	args = append(args, o.Flags...)
	args = append(args, "--")
	args = append(args, o.Cmd...)
	argv := append(append(slices.Clone(o.Wrap), sysgateBin), args...)

	env := os.Environ()
	env = slices.DeleteFunc(env, func(s string) bool { return strings.HasPrefix(s, "SYSGATE_TRACE_MODE=") })
	if o.Mode != "" {
		env = append(env, "SYSGATE_TRACE_MODE="+o.Mode)
	}
	r := run(t, argv, env, o.Stdin, o.Cred)
	if o.Events {
		r.Events = evPath
	}
	if !o.NoObs && r.Code != 125 {
		r.Obs = loadObservation(t, obsPath)
	}
	return r
}

// runUntraced runs a command directly.
func runUntraced(t *testing.T, argv ...string) *result {
	t.Helper()
	return run(t, argv, nil, "", nil)
}

// run runs argv with a timeout and returns its status and output.
func run(t *testing.T, argv, env []string, stdin string, cred *syscall.Credential) *result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = env
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	// A tracee left behind must not keep the pipes, and so this run, open.
	cmd.WaitDelay = 10 * time.Second
	if cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	}
	start := time.Now()
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("%s: still running after %v (killed)\nstdout:\n%s\nstderr:\n%s", shellQuote(argv), runTimeout, stdout.String(), stderr.String())
	}
	code, cerr := exitStatus(cmd.ProcessState, err)
	if cerr != nil {
		t.Fatalf("%s: %v", shellQuote(argv), cerr)
	}
	t.Logf("%s: status %d in %v", shellQuote(argv), code, time.Since(start).Round(time.Millisecond))
	return &result{Code: code, Stdout: stdout.String(), Stderr: stderr.String(), Start: start}
}

// exitStatus is a shell's $?: the code, or 128+N for death by signal N.
func exitStatus(ps *os.ProcessState, err error) (int, error) {
	if ps == nil {
		return 0, fmt.Errorf("did not run: %w", err)
	}
	ws := ps.Sys().(syscall.WaitStatus)
	switch {
	case ws.Exited():
		var ee *exec.ExitError
		if err != nil && !errors.As(err, &ee) && !errors.Is(err, exec.ErrWaitDelay) {
			return 0, err
		}
		return ws.ExitStatus(), nil
	case ws.Signaled():
		return 128 + int(ws.Signal()), nil
	}
	return 0, fmt.Errorf("unexpected wait status %#x", uint32(ws))
}

func shellQuote(argv []string) string {
	q := make([]string, len(argv))
	for i, a := range argv {
		if a == "" || strings.ContainsAny(a, " \t\n'\"\\$*?") {
			a = strconv.Quote(a)
		}
		if len(a) > 80 {
			a = a[:40] + "..." + a[len(a)-20:]
		}
		q[i] = a
	}
	return strings.Join(q, " ")
}

// loadObservation reads and checks an observation file.
func loadObservation(t *testing.T, path string) *observation.Observation {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("observation: %v", err)
	}
	var obs observation.Observation
	if err := json.Unmarshal(data, &obs); err != nil {
		t.Fatalf("observation %s: %v\n%.2000s", path, err, data)
	}
	if obs.Schema != observation.Schema {
		t.Errorf("observation schema = %q, want %q", obs.Schema, observation.Schema)
	}
	if obs.Complete != (len(obs.Incomplete) == 0) {
		t.Errorf("observation complete=%v but incomplete=%q", obs.Complete, obs.Incomplete)
	}
	return &obs
}

// sysKey identifies a syscall: its ABI and number (x32 numbers without
// __X32_SYSCALL_BIT, which an observation may or may not keep).
type sysKey struct {
	ABI string
	Nr  uint32
}

func keyOf(abi string, nr uint32) sysKey {
	if abi == "x32" {
		nr &^= 0x40000000
	}
	return sysKey{abi, nr}
}

// straceRun is strace's view of one run of a command.
type straceRun struct {
	Code   int
	Counts map[sysKey]uint64 // calls entered, per ABI and number
	Names  map[sysKey]string
}

// runStrace runs the command under `strace -f -n` and counts every syscall
// entry. The full trace is parsed rather than `strace -c`: -c counts a call
// when it returns, so it leaves out exit_group, exit and every call cut off
// by a process's death, and it drops numbers its tables do not know, while
// sysgate counts every entry.
func runStrace(t *testing.T, argv ...string) *straceRun {
	t.Helper()
	out := filepath.Join(t.TempDir(), "strace.out")
	args := append([]string{"strace", "-f", "-n", "-s", "0", "-o", out, "--"}, argv...)
	r := run(t, args, nil, "", nil)
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	counts, names, err := parseStrace(f)
	if err != nil {
		t.Fatalf("strace output: %v", err)
	}
	return &straceRun{Code: r.Code, Counts: counts, Names: names}
}

var (
	// 1234  [  39] getpid()  = 1234
	straceCall = regexp.MustCompile(`^(?:(\d+) +)?\[ *(\d+)\] ([A-Za-z0-9_]+)\(`)
	// 1234  [ Process PID=1234 runs in 32 bit mode. ]
	stracePers = regexp.MustCompile(`^(?:(\d+) +)?(?:\[ *\d+\] )?\[ Process PID=(\d+) runs in (.+) mode\. \]`)
)

// parseStrace counts the syscall entries of `strace -f -n` output: a line per
// call entered ("<... resumed>" lines continue one already counted).
func parseStrace(f *os.File) (map[sysKey]uint64, map[sysKey]string, error) {
	counts := map[sysKey]uint64{}
	names := map[sysKey]string{}
	pers := map[string]string{} // pid -> ABI, when strace said it changed
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		line := sc.Text()
		if m := stracePers.FindStringSubmatch(line); m != nil {
			abi := "x86_64"
			switch m[3] {
			case "32 bit":
				abi = "i386"
			case "x32":
				abi = "x32"
			}
			// With one process strace prefixes no pid, on this line or
			// on the calls that follow: key those by "".
			pers[m[2]], pers[m[1]] = abi, abi
			continue
		}
		m := straceCall.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		nr, err := strconv.ParseUint(m[2], 10, 32)
		if err != nil {
			return nil, nil, fmt.Errorf("%q: %v", line, err)
		}
		abi := "x86_64"
		if p, ok := pers[m[1]]; ok {
			abi = p
		}
		if nr&0x40000000 != 0 {
			abi = "x32"
		}
		abi = i386ByName(abi, uint32(nr), m[3])
		k := keyOf(abi, uint32(nr))
		counts[k]++
		names[k] = m[3]
	}
	return counts, names, sc.Err()
}

// i386ByName: strace 6.1 names an int 0x80 call from the i386 table but
// does not always announce the personality change, so a name that only the
// i386 table gives that number marks the call as i386.
func i386ByName(abi string, nr uint32, name string) string {
	if abi != "x86_64" {
		return abi
	}
	if n, _ := systab.Name(systab.X86_64, nr); n == name {
		return abi
	}
	if n, _ := systab.Name(systab.I386, nr); n == name {
		return "i386"
	}
	return abi
}

// excluded are the calls whose counts depend on scheduling (x86_64 numbers):
// futex, sched_yield, nanosleep, clock_nanosleep, restart_syscall.
var excluded = map[uint32]string{202: "futex", 24: "sched_yield", 35: "nanosleep", 230: "clock_nanosleep", 219: "restart_syscall"}

func isExcluded(k sysKey) bool {
	_, ok := excluded[k.Nr]
	return k.ABI == "x86_64" && ok
}

var (
	headerOnce  sync.Once
	headerNames map[uint32]string // x86_64 syscall names from the kernel headers
	headerNrs   map[string]uint32
)

// x86Names returns the x86_64 syscall table of the installed kernel headers.
func x86Names() (map[uint32]string, map[string]uint32) {
	headerOnce.Do(func() {
		headerNames, headerNrs = map[uint32]string{}, map[string]uint32{}
		data, err := os.ReadFile("/usr/include/x86_64-linux-gnu/asm/unistd_64.h")
		if err != nil {
			data, _ = os.ReadFile("/usr/include/asm/unistd_64.h")
		}
		re := regexp.MustCompile(`(?m)^#define __NR_(\w+) (\d+)$`)
		for _, m := range re.FindAllStringSubmatch(string(data), -1) {
			nr, _ := strconv.ParseUint(m[2], 10, 32)
			headerNames[uint32(nr)] = m[1]
			headerNrs[m[1]] = uint32(nr)
		}
	})
	return headerNames, headerNrs
}

// compareWithStrace asserts that the observation's per-syscall totals equal
// strace's, exactly, for every ABI (scheduling-dependent calls aside), and
// that the observation is consistent with itself.
func compareWithStrace(t *testing.T, want *straceRun, obs *observation.Observation) {
	t.Helper()
	got := map[sysKey]uint64{}
	gotNames := map[sysKey]string{}
	for _, s := range obs.Syscalls {
		k := keyOf(s.ABI, s.Nr)
		if _, dup := got[k]; dup {
			t.Errorf("syscalls lists %s %d twice", s.ABI, s.Nr)
		}
		got[k] += s.Count
		gotNames[k] = s.Name
	}
	keys := map[sysKey]bool{}
	for k := range want.Counts {
		keys[k] = true
	}
	for k := range got {
		keys[k] = true
	}
	var rows []sysKey
	for k := range keys {
		if !isExcluded(k) && want.Counts[k] != got[k] {
			rows = append(rows, k)
		}
	}
	sortKeys(rows)
	if len(rows) > 0 {
		var b strings.Builder
		fmt.Fprintf(&b, "syscall counts differ from strace's (futex, sched_yield, nanosleep, clock_nanosleep, restart_syscall excluded):\n")
		fmt.Fprintf(&b, "  %-7s %10s %-22s %8s %8s\n", "abi", "nr", "name (strace/sysgate)", "strace", "sysgate")
		for _, k := range rows {
			name := want.Names[k]
			if gotNames[k] != "" && gotNames[k] != name {
				name += "/" + gotNames[k]
			}
			fmt.Fprintf(&b, "  %-7s %10d %-22s %8d %8d\n", k.ABI, k.Nr, name, want.Counts[k], got[k])
		}
		t.Error(b.String())
	}

	// Names are the kernel's (absent for numbers no table knows).
	hdr, _ := x86Names()
	for k, name := range gotNames {
		if k.ABI != "x86_64" {
			continue
		}
		if h, ok := hdr[k.Nr]; ok && name != h {
			t.Errorf("syscall x86_64 %d is named %q, want %q", k.Nr, name, h)
		}
		if strings.HasPrefix(want.Names[k], "syscall_0x") && name != "" {
			t.Errorf("syscall x86_64 %d, which no table knows, is named %q; want no name", k.Nr, name)
		}
	}

	// The distinct calls add up to the totals.
	sums := map[sysKey]uint64{}
	for _, c := range obs.Calls {
		sums[keyOf(c.ABI, c.Nr)] += c.Count
		if c.Outcomes > c.Count {
			t.Errorf("call %s has %d outcomes for %d calls", describeCall(c), c.Outcomes, c.Count)
		}
	}
	for k := range keys {
		if sums[k] != got[k] {
			t.Errorf("calls of %s %d (%s) add up to %d, syscalls says %d", k.ABI, k.Nr, want.Names[k], sums[k], got[k])
		}
	}
}

func sortKeys(ks []sysKey) {
	sort.Slice(ks, func(i, j int) bool {
		if ks[i].ABI != ks[j].ABI {
			return ks[i].ABI < ks[j].ABI
		}
		return ks[i].Nr < ks[j].Nr
	})
}

// check is one named assertion on a traced run.
type check struct {
	name string
	fn   func(t *testing.T, r *result)
}

// straceCase runs argv untraced (its status must be want), under strace
// (counts), and under sysgate in both modes: each mode's subtest asserts
// the status, compares the counts with strace's and runs the checks.
func straceCase(t *testing.T, argv []string, want int, checks ...check) {
	t.Helper()
	if u := runUntraced(t, argv...); u.Code != want {
		t.Fatalf("untraced %s: status %d, want %d (the victim is broken)\nstdout: %s\nstderr: %s", filepath.Base(argv[0]), u.Code, want, u.Stdout, u.Stderr)
	}
	st := runStrace(t, argv...)
	if st.Code != want {
		t.Fatalf("under strace: status %d, want %d", st.Code, want)
	}
	for _, mode := range modes {
		t.Run(mode, func(t *testing.T) {
			r := runSysgate(t, runOpts{Mode: mode, Cmd: argv})
			if r.Code != want {
				t.Errorf("traced status %d, untraced %d\nstderr:\n%s", r.Code, want, r.Stderr)
			}
			if r.Obs == nil {
				t.Fatalf("no observation")
			}
			t.Run("counts", func(t *testing.T) { compareWithStrace(t, st, r.Obs) })
			for _, c := range checks {
				t.Run(c.name, func(t *testing.T) { c.fn(t, r) })
			}
		})
	}
}

// sysCount is the observation's total for the named x86_64 syscall.
func sysCount(obs *observation.Observation, name string) uint64 {
	_, nrs := x86Names()
	var n uint64
	for _, s := range obs.Syscalls {
		if s.ABI == "x86_64" && (s.Name == name || (s.Name == "" && s.Nr == nrs[name])) {
			n += s.Count
		}
	}
	return n
}

// callsNamed returns the observation's x86_64 calls of the named syscall.
func callsNamed(obs *observation.Observation, name string) []observation.Call {
	_, nrs := x86Names()
	nr, known := nrs[name]
	var out []observation.Call
	for _, c := range obs.Calls {
		if c.ABI == "x86_64" && (c.Name == name || (known && c.Nr == nr)) {
			out = append(out, c)
		}
	}
	return out
}

// callWith returns the one call of the named syscall whose key argument has
// the value, failing the test (listing the calls there are) otherwise.
func callWith(t *testing.T, obs *observation.Observation, name, key, value string) observation.Call {
	t.Helper()
	var found []observation.Call
	calls := callsNamed(obs, name)
	for _, c := range calls {
		if v, ok := c.Args.Get(key); ok && v == value {
			found = append(found, c)
		}
	}
	if len(found) != 1 {
		t.Fatalf("want one %s call with %s=%q, found %d; the %s calls are:\n%s", name, key, shorten(value), len(found), name, describeCalls(calls))
	}
	return found[0]
}

func describeCalls(calls []observation.Call) string {
	if len(calls) == 0 {
		return "  (none)"
	}
	var b strings.Builder
	for _, c := range calls {
		fmt.Fprintf(&b, "  %s\n", describeCall(c))
	}
	return b.String()
}

func describeCall(c observation.Call) string {
	args, _ := json.Marshal(c.Args)
	errs, _ := json.Marshal(c.Errors)
	return shorten(fmt.Sprintf("%s %s(%d) args=%s count=%d outcomes=%d errors=%s exe=%s", c.ABI, c.Name, c.Nr, args, c.Count, c.Outcomes, errs, c.Exe))
}

func shorten(s string) string {
	if len(s) > 400 {
		return fmt.Sprintf("%s...(%d bytes)...%s", s[:200], len(s), s[len(s)-100:])
	}
	return s
}

// wantErrors asserts a call's errno counts exactly.
func wantErrors(t *testing.T, c observation.Call, want map[string]uint64) {
	t.Helper()
	if len(want) == 0 && len(c.Errors) == 0 {
		return
	}
	if !mapsEqual(c.Errors, want) {
		t.Errorf("%s: errors %v, want %v", describeCall(c), c.Errors, want)
	}
}

func mapsEqual(a, b map[string]uint64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// wantArg asserts a decoded string argument.
func wantArg(t *testing.T, c observation.Call, key, want string) {
	t.Helper()
	if got, ok := c.Args.Get(key); !ok || got != want {
		t.Errorf("%s: %s = %q (present %v), want %q", describeCall(c), key, shorten(got), ok, shorten(want))
	}
}

// exitOf describes how a process ended: "code N", "signal S" or "none".
func exitOf(p observation.Process) string {
	switch {
	case p.Exit == nil:
		return "none"
	case p.Exit.Code != nil:
		return fmt.Sprintf("code %d", *p.Exit.Code)
	case p.Exit.Signal != "":
		return "signal " + p.Exit.Signal
	}
	return "empty"
}

// rootProcess returns the process whose parent was not traced: the command.
func rootProcess(t *testing.T, obs *observation.Observation) observation.Process {
	t.Helper()
	pids := map[int]bool{}
	for _, p := range obs.Processes {
		pids[p.PID] = true
	}
	var roots []observation.Process
	for _, p := range obs.Processes {
		if !pids[p.PPID] {
			roots = append(roots, p)
		}
	}
	if len(roots) != 1 {
		t.Fatalf("want one root process, found %d:\n%s", len(roots), describeProcesses(obs.Processes))
	}
	return roots[0]
}

func describeProcesses(ps []observation.Process) string {
	var b strings.Builder
	for _, p := range ps {
		fmt.Fprintf(&b, "  pid %d ppid %d exe %s argv %q exit %s\n", p.PID, p.PPID, p.Exe, p.Argv, exitOf(p))
	}
	return b.String()
}

// wantProcesses asserts the number of processes.
func wantProcesses(t *testing.T, obs *observation.Observation, n int) {
	t.Helper()
	if len(obs.Processes) != n {
		t.Fatalf("%d processes, want %d:\n%s", len(obs.Processes), n, describeProcesses(obs.Processes))
	}
}

// wantRoot asserts the command's process: exe, argv and how it ended.
func wantRoot(t *testing.T, obs *observation.Observation, argv []string, exit string) observation.Process {
	t.Helper()
	p := rootProcess(t, obs)
	if p.Exe != argv[0] || !slices.Equal(p.Argv, argv) || exitOf(p) != exit {
		t.Errorf("command process: exe %q argv %q exit %s; want exe %q argv %q exit %s", p.Exe, p.Argv, exitOf(p), argv[0], argv, exit)
	}
	return p
}

// children returns the processes whose parent is pid.
func children(obs *observation.Observation, pid int) []observation.Process {
	var out []observation.Process
	for _, p := range obs.Processes {
		if p.PPID == pid {
			out = append(out, p)
		}
	}
	return out
}

// wantIncomplete asserts the observation is incomplete for a reason
// containing substr.
func wantIncomplete(t *testing.T, obs *observation.Observation, substr string) {
	t.Helper()
	if obs.Complete {
		t.Errorf("observation is complete, want incomplete (%q)", substr)
	}
	for _, s := range obs.Incomplete {
		if strings.Contains(s, substr) {
			return
		}
	}
	t.Errorf("incomplete = %q, want an entry containing %q", obs.Incomplete, substr)
}

// wantComplete asserts the observation is complete.
func wantComplete(t *testing.T, obs *observation.Observation) {
	t.Helper()
	if !obs.Complete || len(obs.Incomplete) > 0 {
		t.Errorf("observation complete=%v incomplete=%q, want complete", obs.Complete, obs.Incomplete)
	}
}

// wantSysgateError asserts a sysgate failure: status, and a "sysgate: "
// message on stderr mentioning each of substrs.
func wantSysgateError(t *testing.T, r *result, code int, substrs ...string) {
	t.Helper()
	if r.Code != code {
		t.Errorf("status %d, want %d\nstderr:\n%s", r.Code, code, r.Stderr)
	}
	var msg string
	for _, line := range strings.Split(r.Stderr, "\n") {
		if strings.HasPrefix(line, "sysgate: ") {
			msg += line + "\n"
		}
	}
	if msg == "" {
		t.Errorf("no message starting \"sysgate: \" on stderr:\n%s", r.Stderr)
		return
	}
	for _, s := range substrs {
		if !strings.Contains(msg, s) {
			t.Errorf("no \"sysgate: \" message mentions %q; stderr:\n%s", s, r.Stderr)
		}
	}
}

// event is one line of the --events file.
type event struct {
	Type  string           `json:"type"`
	Time  json.RawMessage  `json:"time"`
	PID   int              `json:"pid"`
	TID   int              `json:"tid"`
	ABI   string           `json:"abi"`
	Nr    *uint32          `json:"nr"`
	Name  string           `json:"name"`
	Args  observation.Args `json:"args"`
	Ret   *json.Number     `json:"ret"`
	Errno string           `json:"errno"`
}

// loadEvents reads the --events file, one JSON object a line.
func loadEvents(t *testing.T, path string) []event {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("events: %v", err)
	}
	var evs []event
	for i, line := range bytes.Split(data, []byte("\n")) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var ev event
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.UseNumber()
		if err := dec.Decode(&ev); err != nil {
			t.Fatalf("events line %d: %v: %.300s", i+1, err, line)
		}
		evs = append(evs, ev)
	}
	return evs
}

// procState returns the state letter of /proc/PID/stat, or "" when the
// process is gone.
func procState(pid int) string {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return ""
	}
	s := string(data)
	i := strings.LastIndexByte(s, ')')
	if i < 0 || i+2 >= len(s) {
		return ""
	}
	return s[i+2 : i+3]
}

// alive reports whether pid is a live process (not gone, not a zombie).
func alive(pid int) bool {
	st := procState(pid)
	return st != "" && st != "Z" && st != "X"
}

// pidsRunning returns the live processes whose executable is exe.
func pidsRunning(exe string) []int {
	ents, _ := os.ReadDir("/proc")
	var out []int
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if target, err := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid)); err == nil && target == exe && alive(pid) {
			out = append(out, pid)
		}
	}
	return out
}

// killAll SIGKILLs the processes left over by a failed test.
func killAll(pids []int) {
	for _, pid := range pids {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
}

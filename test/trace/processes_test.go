package trace_test

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
)

// Processes and threads: every call of every thread and process is counted
// exactly as strace counts it, in both modes, and every process is recorded
// with how it ended.

func TestThreads(t *testing.T) {
	t.Parallel()
	argv := []string{victim("threads")}
	straceCase(t, argv, 3,
		check{"getppid", func(t *testing.T, r *result) {
			if n := sysCount(r.Obs, "getppid"); n != 16000 {
				t.Errorf("getppid count %d, want 16 threads x 1000 = 16000", n)
			}
		}},
		check{"processes", func(t *testing.T, r *result) {
			wantProcesses(t, r.Obs, 1) // threads are not processes
			wantRoot(t, r.Obs, argv, "code 3")
			wantComplete(t, r.Obs)
		}},
	)
}

func TestForkExec(t *testing.T) {
	t.Parallel()
	v := victim("forkexec")
	argv := []string{v}
	straceCase(t, argv, 4,
		check{"processes", func(t *testing.T, r *result) {
			wantProcesses(t, r.Obs, 101)
			root := wantRoot(t, r.Obs, argv, "code 4")
			kids := children(r.Obs, root.PID)
			if len(kids) != 100 {
				t.Fatalf("%d children of the command, want 100", len(kids))
			}
			seen := map[string]bool{}
			for _, p := range kids {
				if p.Exe != v || len(p.Argv) != 3 || p.Argv[0] != v || p.Argv[1] != "child" || exitOf(p) != "code 7" {
					t.Errorf("child pid %d: exe %q argv %q exit %s; want exe %q argv [%s child N] exit code 7", p.PID, p.Exe, p.Argv, exitOf(p), v, v)
					continue
				}
				seen[p.Argv[2]] = true
			}
			for i := range 100 {
				if !seen[strconv.Itoa(i)] {
					t.Errorf("no child process with argv [%s child %d]", v, i)
				}
			}
			wantComplete(t, r.Obs)
		}},
		check{"execve", func(t *testing.T, r *result) {
			calls := callsNamed(r.Obs, "execve")
			var total uint64
			found := map[string]bool{}
			for _, c := range calls {
				total += c.Count
				got, _ := c.Args.GetList("argv")
				if len(got) == 3 && got[0] == v && got[1] == "child" && c.Count == 1 {
					found[got[2]] = true
					wantArg(t, c, "path", v)
					wantErrors(t, c, nil)
				}
			}
			if total != 101 {
				t.Errorf("%d execve calls, want 101 (the command's own and 100 children's)", total)
			}
			for i := range 100 {
				if !found[strconv.Itoa(i)] {
					t.Errorf("no execve call with argv [%s child %d] (count 1); execve calls:\n%s", v, i, describeCalls(calls))
					break
				}
			}
			if n := sysCount(r.Obs, "fork") + sysCount(r.Obs, "clone") + sysCount(r.Obs, "clone3"); n != 100 {
				t.Errorf("%d fork/clone/clone3 calls, want 100", n)
			}
		}},
	)
}

func TestVforkExec(t *testing.T) {
	t.Parallel()
	v := victim("vforkexec")
	argv := []string{v}
	straceCase(t, argv, 6,
		check{"processes", func(t *testing.T, r *result) {
			wantProcesses(t, r.Obs, 2)
			root := wantRoot(t, r.Obs, argv, "code 6")
			kids := children(r.Obs, root.PID)
			if len(kids) != 1 || !slices.Equal(kids[0].Argv, []string{v, "child"}) || exitOf(kids[0]) != "code 9" {
				t.Errorf("want one child with argv [%s child] exit code 9:\n%s", v, describeProcesses(r.Obs.Processes))
			}
			if n := sysCount(r.Obs, "vfork"); n != 1 {
				t.Errorf("vfork count %d, want 1", n)
			}
			wantComplete(t, r.Obs)
		}},
	)
}

func TestClone3(t *testing.T) {
	t.Parallel()
	v := victim("clone3")
	argv := []string{v}
	straceCase(t, argv, 8,
		check{"processes", func(t *testing.T, r *result) {
			wantProcesses(t, r.Obs, 2)
			root := wantRoot(t, r.Obs, argv, "code 8")
			kids := children(r.Obs, root.PID)
			if len(kids) != 1 || exitOf(kids[0]) != "code 12" || kids[0].Exe != v {
				t.Errorf("want one clone3 child of exe %s with exit code 12:\n%s", v, describeProcesses(r.Obs.Processes))
			}
			if n := sysCount(r.Obs, "clone3"); n != 1 {
				t.Errorf("clone3 count %d, want 1", n)
			}
			// The child's three getppid are counted: the command makes none.
			if n := sysCount(r.Obs, "getppid"); n != 3 {
				t.Errorf("getppid count %d, want the clone3 child's 3", n)
			}
			wantComplete(t, r.Obs)
		}},
	)
}

func TestExecFromThread(t *testing.T) {
	t.Parallel()
	target := victim("exitcode")
	argv := []string{victim("threadexec"), target}
	straceCase(t, argv, 13,
		check{"processes", func(t *testing.T, r *result) {
			// execve from a non-leader thread keeps the thread group (and
			// its pid): one process, now running the exec'd program.
			wantProcesses(t, r.Obs, 1)
			p := r.Obs.Processes[0]
			if p.Exe != target || !slices.Equal(p.Argv, []string{"exitcode", "13"}) || exitOf(p) != "code 13" {
				t.Errorf("process: exe %q argv %q exit %s; want exe %q argv [exitcode 13] exit code 13", p.Exe, p.Argv, exitOf(p), target)
			}
			wantComplete(t, r.Obs)
		}},
		check{"execve", func(t *testing.T, r *result) {
			c := callWith(t, r.Obs, "execve", "path", target)
			if got, _ := c.Args.GetList("argv"); !slices.Equal(got, []string{"exitcode", "13"}) {
				t.Errorf("execve argv %q, want [exitcode 13]", got)
			}
			if c.Count != 1 || c.Exe != argv[0] {
				t.Errorf("%s: want count 1 from exe %s", describeCall(c), argv[0])
			}
			wantErrors(t, c, nil)
		}},
	)
}

func TestGrandchildOutlivesParent(t *testing.T) {
	t.Parallel()
	const file = "/etc/hostname"
	if _, err := os.Stat(file); err != nil {
		t.Fatalf("the victim opens %s: %v", file, err)
	}
	dir := t.TempDir()
	marker := filepath.Join(dir, "grandchild-done")
	argv := []string{victim("doublefork"), file, marker}
	straceCase(t, argv, 5,
		check{"waited", func(t *testing.T, r *result) {
			// sysgate returned only once the grandchild was done: the
			// marker was created during this very run.
			fi, err := os.Stat(marker)
			if err != nil {
				t.Fatalf("the grandchild's marker is missing when sysgate returned: %v", err)
			}
			if !fi.ModTime().After(r.Start) {
				t.Errorf("the grandchild's marker dates from %v, before this run started at %v: sysgate returned before the grandchild was done", fi.ModTime(), r.Start)
			}
		}},
		check{"processes", func(t *testing.T, r *result) {
			wantProcesses(t, r.Obs, 3)
			root := wantRoot(t, r.Obs, argv, "code 5")
			kids := children(r.Obs, root.PID)
			if len(kids) != 1 || exitOf(kids[0]) != "code 0" {
				t.Fatalf("want one child exiting 0:\n%s", describeProcesses(r.Obs.Processes))
			}
			grand := children(r.Obs, kids[0].PID)
			if len(grand) != 1 || exitOf(grand[0]) != "code 0" {
				t.Errorf("want one grandchild (ppid %d, its parent at fork) exiting 0:\n%s", kids[0].PID, describeProcesses(r.Obs.Processes))
			}
			wantComplete(t, r.Obs)
		}},
		check{"open", func(t *testing.T, r *result) {
			c := callWith(t, r.Obs, "openat", "path", file)
			if c.Count != 1 {
				t.Errorf("%s: count %d, want 1", describeCall(c), c.Count)
			}
			wantErrors(t, c, nil)
		}},
	)
}

func TestStopAndContinue(t *testing.T) {
	t.Parallel()
	argv := []string{victim("sigstop")}
	straceCase(t, argv, 15,
		check{"processes", func(t *testing.T, r *result) {
			wantProcesses(t, r.Obs, 3)
			root := wantRoot(t, r.Obs, argv, "code 15")
			kids := children(r.Obs, root.PID)
			if len(kids) != 1 || exitOf(kids[0]) != "code 0" {
				t.Fatalf("want the stopped child exiting 0:\n%s", describeProcesses(r.Obs.Processes))
			}
			grand := children(r.Obs, kids[0].PID)
			if len(grand) != 1 || exitOf(grand[0]) != "code 0" {
				t.Errorf("want the continuing grandchild exiting 0:\n%s", describeProcesses(r.Obs.Processes))
			}
			if n := sysCount(r.Obs, "kill"); n != 1 {
				t.Errorf("kill count %d, want 1 (the SIGCONT)", n)
			}
			wantComplete(t, r.Obs)
		}},
	)
}

func TestSignals(t *testing.T) {
	t.Parallel()
	argv := []string{victim("signals")}
	straceCase(t, argv, 21,
		check{"handlers", func(t *testing.T, r *result) {
			// 5 SIGUSR1 and 1 SIGUSR2 handler returns.
			if n := sysCount(r.Obs, "rt_sigreturn"); n != 6 {
				t.Errorf("rt_sigreturn count %d, want 6", n)
			}
			wantProcesses(t, r.Obs, 1)
			wantRoot(t, r.Obs, argv, "code 21")
		}},
	)
}

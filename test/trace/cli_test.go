package trace_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
)

// The CLI contract: the command's own status and streams pass through;
// 126/127 for a command that cannot run; 125, with a "sysgate: " message and
// without running the command, when sysgate itself cannot do its job.

func TestExitStatus(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		arg  string
		want int
		exit string
	}{
		{"0", 0, "code 0"},
		{"1", 1, "code 1"},
		{"77", 77, "code 77"},
		{"255", 255, "code 255"},
		{"-15", 128 + 15, "signal SIGTERM"},
		{"-9", 128 + 9, "signal SIGKILL"},
	} {
		t.Run(tc.arg, func(t *testing.T) {
			argv := []string{victim("exitcode"), tc.arg}
			if u := runUntraced(t, argv...); u.Code != tc.want {
				t.Fatalf("untraced: status %d, want %d", u.Code, tc.want)
			}
			r := runSysgate(t, runOpts{Cmd: argv})
			if r.Code != tc.want {
				t.Errorf("traced status %d, untraced %d\nstderr:\n%s", r.Code, tc.want, r.Stderr)
			}
			if r.Obs != nil {
				wantRoot(t, r.Obs, argv, tc.exit)
			}
		})
	}
}

func TestCommandNotFound(t *testing.T) {
	t.Parallel()
	for _, cmd := range []string{"sysgate-test-no-such-command", "/nonexistent-dir/sysgate-test-cmd"} {
		t.Run(filepath.Base(cmd), func(t *testing.T) {
			r := runSysgate(t, runOpts{Cmd: []string{cmd}, NoObs: true})
			wantSysgateError(t, r, 127, cmd)
		})
	}
}

func TestCommandNotExecutable(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "not-executable")
	if err := os.WriteFile(file, []byte("#!/bin/sh\nexit 0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := runSysgate(t, runOpts{Cmd: []string{file}, NoObs: true})
	wantSysgateError(t, r, 126, file)
}

// markerCmd returns a command that proves it ran by creating a file, and a
// function asserting it did not.
func markerCmd(t *testing.T) ([]string, func()) {
	marker := filepath.Join(t.TempDir(), "ran")
	return []string{victim("marker"), marker}, func() {
		t.Helper()
		if _, err := os.Stat(marker); err == nil {
			t.Errorf("the command ran (%s exists): sysgate must fail before running it", marker)
		}
	}
}

func TestUnwritableObservation(t *testing.T) {
	t.Parallel()
	cmd, notRun := markerCmd(t)
	const path = "/nonexistent-dir/obs.json"
	r := runSysgate(t, runOpts{NoObs: true, Flags: []string{"--observation", path}, Cmd: cmd})
	wantSysgateError(t, r, 125, path)
	notRun()
}

func TestBadFlags(t *testing.T) {
	t.Parallel()
	for _, flags := range [][]string{{"--no-such-flag"}, {"--max-tasks", "0"}, {"--max-tasks", "many"}} {
		t.Run(flags[len(flags)-1], func(t *testing.T) {
			cmd, notRun := markerCmd(t)
			r := runSysgate(t, runOpts{NoObs: true, Flags: flags, Cmd: cmd})
			wantSysgateError(t, r, 125)
			notRun()
		})
	}
	t.Run("no-command", func(t *testing.T) {
		r := runSysgate(t, runOpts{NoObs: true})
		wantSysgateError(t, r, 125)
	})
	t.Run("bad-mode", func(t *testing.T) {
		cmd, notRun := markerCmd(t)
		r := runSysgate(t, runOpts{NoObs: true, Mode: "bogus", Cmd: cmd})
		wantSysgateError(t, r, 125, "SYSGATE_TRACE_MODE")
		notRun()
	})
}

func TestPtraceRefused(t *testing.T) {
	t.Parallel()
	// The wrapper makes every ptrace(2) of sysgate and its children fail
	// EPERM, as a host (a container's seccomp profile) that refuses it.
	cmd, notRun := markerCmd(t)
	r := runSysgate(t, runOpts{NoObs: true, Wrap: []string{victim("noptrace")}, Cmd: cmd})
	wantSysgateError(t, r, 125, "ptrace")
	notRun()
}

func TestKernelTooOld(t *testing.T) {
	t.Parallel()
	setarch, err := exec.LookPath("setarch")
	if err != nil {
		t.Fatalf("setarch (util-linux) is required: %v", err)
	}
	// The UNAME26 personality makes uname(2) report a 2.6.x release.
	cmd, notRun := markerCmd(t)
	r := runSysgate(t, runOpts{NoObs: true, Wrap: []string{setarch, "x86_64", "--uname-2.6"}, Cmd: cmd})
	wantSysgateError(t, r, 125, "5.3")
	notRun()
}

func TestStdio(t *testing.T) {
	t.Parallel()
	argv := []string{victim("echo")}
	t.Run("quiet", func(t *testing.T) {
		r := runSysgate(t, runOpts{Flags: []string{"--quiet"}, Cmd: argv, Stdin: "hello\n"})
		if r.Code != 31 || r.Stdout != "out:hello\n" || r.Stderr != "err:hello\n" {
			t.Errorf("status %d stdout %q stderr %q; want 31, \"out:hello\\n\", \"err:hello\\n\"", r.Code, r.Stdout, r.Stderr)
		}
	})
	t.Run("summary", func(t *testing.T) {
		r := runSysgate(t, runOpts{Cmd: argv, Stdin: "hello\n"})
		if r.Code != 31 || r.Stdout != "out:hello\n" || len(r.Stderr) < 10 || r.Stderr[:10] != "err:hello\n" {
			t.Errorf("status %d stdout %q stderr %q; want 31, \"out:hello\\n\", stderr starting \"err:hello\\n\"", r.Code, r.Stdout, r.Stderr)
		}
	})
}

func TestEvents(t *testing.T) {
	t.Parallel()
	v := victim("forkexec")
	for _, mode := range modes {
		t.Run(mode, func(t *testing.T) {
			r := runSysgate(t, runOpts{Mode: mode, Events: true, Cmd: []string{v}})
			if r.Code != 4 {
				t.Fatalf("status %d, want 4\nstderr:\n%s", r.Code, r.Stderr)
			}
			evs := loadEvents(t, r.Events)
			root := rootProcess(t, r.Obs)
			byType := map[string]int{}
			calls := map[sysKey]uint64{}
			exits := map[int]bool{}
			var childExecs int
			for _, ev := range evs {
				byType[ev.Type]++
				if len(ev.Time) == 0 || ev.PID <= 0 {
					t.Fatalf("event without time or pid: %+v", ev)
				}
				switch ev.Type {
				case "call":
					if ev.Nr == nil || ev.ABI == "" || ev.TID != ev.PID {
						t.Fatalf("call event without nr/abi, or with tid != pid in a threadless victim: %+v", ev)
					}
					calls[keyOf(ev.ABI, *ev.Nr)]++
					if argv, _ := ev.Args.GetList("argv"); ev.Name == "execve" && len(argv) == 3 && argv[1] == "child" {
						childExecs++
						if ev.Ret == nil || ev.Ret.String() != "0" || ev.Errno != "" {
							t.Errorf("execve of %q: ret %v errno %q, want ret 0", argv, ev.Ret, ev.Errno)
						}
					}
				case "exec", "fork":
				case "exit":
					exits[ev.PID] = true
				default:
					t.Errorf("event of unknown type %q", ev.Type)
				}
			}
			t.Logf("events by type: %v", byType)
			if byType["fork"] != 100 || byType["exec"] != 101 {
				t.Errorf("%d fork and %d exec events, want 100 forks and 101 execs (the command's and its 100 children's)", byType["fork"], byType["exec"])
			}
			if childExecs != 100 {
				t.Errorf("%d execve call events of children, want 100", childExecs)
			}
			var pids []int
			for _, p := range r.Obs.Processes {
				pids = append(pids, p.PID)
				if !exits[p.PID] {
					t.Errorf("no exit event for process %d", p.PID)
				}
			}
			if !slices.Contains(pids, root.PID) {
				t.Errorf("root %d not among processes", root.PID)
			}
			// The stream and the observation count the same calls.
			for _, s := range r.Obs.Syscalls {
				k := keyOf(s.ABI, s.Nr)
				if calls[k] != s.Count {
					t.Errorf("%s %d (%s): %d call events, observation counts %d", s.ABI, s.Nr, s.Name, calls[k], s.Count)
				}
				delete(calls, k)
			}
			for k, n := range calls {
				t.Errorf("%s %d: %d call events, not in the observation", k.ABI, k.Nr, n)
			}
		})
	}
}

// TestStraceParser checks the harness: strace's view of a victim whose
// calls are known.
func TestStraceParser(t *testing.T) {
	t.Parallel()
	st := runStrace(t, victim("unknownnr"))
	if st.Code != 22 {
		t.Fatalf("under strace: status %d, want 22", st.Code)
	}
	_, nrs := x86Names()
	for _, w := range []struct {
		nr   uint32
		name string
	}{{1000, "syscall_0x3e8"}, {0x3ff, "syscall_0x3ff"}, {nrs["execve"], "execve"}, {nrs["exit_group"], "exit_group"}} {
		k := sysKey{"x86_64", w.nr}
		if st.Counts[k] != 1 || st.Names[k] != w.name {
			t.Errorf("strace: x86_64 %d counted %d named %q, want 1, %q", w.nr, st.Counts[k], st.Names[k], w.name)
		}
	}
	st = runStrace(t, victim("threads"))
	if k := (sysKey{"x86_64", nrs["getppid"]}); st.Counts[k] != 16000 {
		t.Errorf("strace: getppid counted %d, want 16000", st.Counts[k])
	}
	if k := (sysKey{"x86_64", nrs["exit"]}); st.Counts[k] != 16 {
		t.Errorf("strace: exit counted %d, want 16 (one per thread)", st.Counts[k])
	}
	for k := range st.Counts {
		if k.ABI != "x86_64" {
			t.Errorf("strace: unexpected ABI %s (nr %d)", k.ABI, k.Nr)
		}
	}
}

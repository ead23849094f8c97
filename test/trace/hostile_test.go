package trace_test

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sysgate/sysgate/observation"
)

// Hostile programs: they escape, hide from, confuse, flood or outlive the
// tracer. Each run must end, with the right status, and say exactly what it
// could not see.

// TestCloneUntraced: CLONE_UNTRACED would hide the child from the tracer
// (and, in seccomp mode, leave it with a filter whose every call fails for
// want of a tracer). sysgate clears the flag at the clone's stop, so the
// child is traced; the clone is recorded with the flags it was made with.
func TestCloneUntraced(t *testing.T) {
	t.Parallel()
	argv := []string{victim("cloneuntraced")}
	if u := runUntraced(t, argv...); u.Code != 26 {
		t.Fatalf("untraced: status %d, want 26", u.Code)
	}
	for _, mode := range modes {
		t.Run(mode, func(t *testing.T) {
			r := runSysgate(t, runOpts{Mode: mode, Cmd: argv})
			if r.Code != 26 {
				t.Errorf("traced status %d, untraced 26\nstderr:\n%s", r.Code, r.Stderr)
			}
			if r.Obs == nil {
				t.Fatal("no observation")
			}
			if !r.Obs.Complete {
				t.Errorf("observation incomplete: %q; the child should have been traced", r.Obs.Incomplete)
			}
			c := callWith(t, r.Obs, "clone", "flags", "CLONE_UNTRACED")
			if c.Count != 1 {
				t.Errorf("%s: count %d, want 1", describeCall(c), c.Count)
			}
			if n := len(r.Obs.Processes); n != 2 {
				t.Errorf("%d processes, want 2 (the child traced)", n)
			}
			var getppid uint64
			for _, s := range r.Obs.Syscalls {
				if s.Name == "getppid" {
					getppid = s.Count
				}
			}
			if getppid != 2 {
				t.Errorf("getppid counted %d times, want the child's 2", getppid)
			}
		})
	}
}

func TestNonDumpable(t *testing.T) {
	t.Parallel()
	const file = "/etc/hostname"
	argv := []string{victim("dumpable"), file}
	straceCase(t, argv, 27,
		check{"args", func(t *testing.T, r *result) {
			// As root the tracer reads a non-dumpable tracee's memory.
			c := callWith(t, r.Obs, "prctl", "option", "PR_SET_DUMPABLE")
			wantErrors(t, c, nil)
			c = callWith(t, r.Obs, "openat", "path", file)
			wantErrors(t, c, nil)
		}},
	)
}

// TestNonDumpableUnprivileged runs sysgate as nobody, so the tracer has no
// CAP_SYS_PTRACE: once the tracee is non-dumpable the kernel refuses the
// tracer its memory (ptrace_access_vm and mm_access both demand a dumpable
// mm or the capability), whatever the attachment. The open's path is then
// either decoded exactly or marked unreadable, never wrong.
func TestNonDumpableUnprivileged(t *testing.T) {
	t.Parallel()
	if os.Geteuid() != 0 {
		t.Skip("needs root to switch to uid 65534")
	}
	const file = "/etc/hostname"
	argv := []string{victim("dumpable"), file}
	nobody := &syscall.Credential{Uid: 65534, Gid: 65534, Groups: []uint32{}}
	for _, mode := range modes {
		t.Run(mode, func(t *testing.T) {
			r := runSysgate(t, runOpts{Mode: mode, Cmd: argv, Cred: nobody})
			if r.Code != 27 {
				t.Fatalf("traced as nobody: status %d, want 27\nstderr:\n%s", r.Code, r.Stderr)
			}
			calls := callsNamed(r.Obs, "openat")
			var found int
			for _, c := range calls {
				if c.Exe != argv[0] {
					continue
				}
				path, hasPath := c.Args.Get("path")
				unreadable, _ := c.Args.Get("unreadable")
				switch {
				case hasPath && path == file:
					found++
					t.Logf("observed: path decoded exactly: %s", describeCall(c))
				case !hasPath && strings.HasPrefix(unreadable, "path: "):
					found++
					t.Logf("observed: path unreadable: %s", describeCall(c))
				case hasPath && path != file:
					t.Errorf("%s: wrong path, want %q or an unreadable path", describeCall(c), file)
				}
			}
			if found != 1 {
				t.Errorf("want one openat from %s with path %q or unreadable path; openat calls:\n%s", argv[0], file, describeCalls(calls))
			}
		})
	}
}

func TestUnreadablePaths(t *testing.T) {
	t.Parallel()
	argv := []string{victim("efault")}
	u := runUntraced(t, argv...)
	var unterminated, badptr string
	if _, err := fmt.Sscanf(u.Stdout, "unterminated=%s badptr=%s", &unterminated, &badptr); err != nil || u.Code != 28 {
		t.Fatalf("untraced: status %d, output %q: %v", u.Code, u.Stdout, err)
	}
	t.Logf("untraced, the kernel gave %s for the unterminated path and %s for the invalid pointer", unterminated, badptr)
	cwd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	straceCase(t, argv, 28,
		check{"unterminated", func(t *testing.T, r *result) {
			// A page of 'A' with no NUL: the prefix is kept (the whole
			// page, which is also the 4096-byte bound), made absolute
			// against the cwd, and marked truncated.
			want := cwd + "/" + strings.Repeat("A", 4096)
			c := callWith(t, r.Obs, "openat", "path", want)
			wantArg(t, c, "truncated", "path")
			wantErrors(t, c, map[string]uint64{unterminated: 1})
		}},
		check{"badptr", func(t *testing.T, r *result) {
			c := callWith(t, r.Obs, "openat", "unreadable", "path: EFAULT")
			if v, ok := c.Args.Get("path"); ok {
				t.Errorf("%s: an unreadable path has path=%q", describeCall(c), v)
			}
			wantErrors(t, c, map[string]uint64{badptr: 1})
		}},
	)
}

func TestSegfault(t *testing.T) {
	t.Parallel()
	argv := []string{victim("segv")}
	straceCase(t, argv, 128+int(syscall.SIGSEGV),
		check{"processes", func(t *testing.T, r *result) {
			wantProcesses(t, r.Obs, 1)
			wantRoot(t, r.Obs, argv, "signal SIGSEGV")
		}},
	)
}

func TestInt3(t *testing.T) {
	t.Parallel()
	argv := []string{victim("int3")}
	// Status 0 only if the SIGTRAP handler ran three times: the tracer must
	// pass the breakpoints' SIGTRAP on, and count no phantom call for them.
	straceCase(t, argv, 0,
		check{"processes", func(t *testing.T, r *result) {
			wantProcesses(t, r.Obs, 1)
			wantRoot(t, r.Obs, argv, "code 0")
			if n := sysCount(r.Obs, "rt_sigreturn"); n != 3 {
				t.Errorf("rt_sigreturn count %d, want 3", n)
			}
		}},
	)
}

func TestTracemeSelfCheck(t *testing.T) {
	t.Parallel()
	argv := []string{victim("traceme")}
	if u := runUntraced(t, argv...); u.Stdout != "traceme: ok\n" || u.Code != 25 {
		t.Fatalf("untraced: status %d, output %q; want 25, \"traceme: ok\"", u.Code, u.Stdout)
	}
	straceCase(t, argv, 25,
		check{"traceme", func(t *testing.T, r *result) {
			if r.Stdout != "traceme: EPERM\n" {
				t.Errorf("traced, the victim printed %q, want \"traceme: EPERM\"", r.Stdout)
			}
			c := callWith(t, r.Obs, "ptrace", "request", "PTRACE_TRACEME")
			if c.Count != 1 {
				t.Errorf("%s: count %d, want 1", describeCall(c), c.Count)
			}
			wantErrors(t, c, map[string]uint64{"EPERM": 1})
		}},
	)
}

func TestForkStorm(t *testing.T) {
	t.Parallel()
	v := victim("forkstorm")
	defer func() { killAll(pidsRunning(v)) }()
	r := runSysgate(t, runOpts{Flags: []string{"--max-tasks", "50"}, Cmd: []string{v, "2000"}})
	t.Logf("status %d, victim said %q", r.Code, strings.TrimSpace(r.Stdout))
	// The budget kills the tasks created beyond it; the storm's parent
	// lives on, reaps what it forked, and exits 32.
	if r.Code != 32 {
		t.Errorf("status %d, want the victim's 32\nstderr:\n%.3000s", r.Code, r.Stderr)
	}
	if r.Obs == nil {
		t.Fatal("no observation")
	}
	t.Logf("incomplete: %q; %d processes recorded", r.Obs.Incomplete, len(r.Obs.Processes))
	wantIncomplete(t, r.Obs, "process budget")
	wantNoneLeft(t, v)
}

// wantNoneLeft asserts that no process runs exe within a few seconds.
func wantNoneLeft(t *testing.T, exe string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		left := pidsRunning(exe)
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("%d processes of %s are still alive after sysgate ended: %v", len(left), exe, left)
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestTracerKilled: with PTRACE_O_EXITKILL, no tracee outlives a killed
// tracer.
func TestTracerKilled(t *testing.T) {
	t.Parallel()
	needSysgate(t)
	for _, mode := range modes {
		t.Run(mode, func(t *testing.T) {
			s := startSleepers(t, mode, nil)
			if err := s.cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			_ = s.cmd.Wait()
			waitGone(t, s.pids, "sysgate was killed")
		})
	}
}

// TestTerminatedAfterCommandExited: SIGTERM to sysgate kills every tracee,
// also once the command itself has exited and only its orphans remain; the
// observation says the run was interrupted, and sysgate exits 128+15.
func TestTerminatedAfterCommandExited(t *testing.T) {
	t.Parallel()
	needSysgate(t)
	for _, mode := range modes {
		t.Run(mode, func(t *testing.T) {
			s := startSleepers(t, mode, []string{"/bin/sh", "-c", `"$0" "$1" & exit 0`})
			if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			err := s.cmd.Wait()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != 128+15 {
				t.Errorf("sysgate ended with %v, want exit status 143", err)
			}
			waitGone(t, s.pids, "sysgate was terminated")
			obs, err := observation.Load(s.obsPath)
			if err != nil {
				t.Fatal(err)
			}
			wantIncomplete(t, obs, "interrupted: sysgate was asked to stop (interrupted by SIGTERM)")
		})
	}
}

type sleepers struct {
	cmd     *exec.Cmd
	pids    []int
	obsPath string
}

// startSleepers starts the sleeper victim (4 processes sleeping 60s) under
// sysgate, through wrap if given, and waits until all of them run.
func startSleepers(t *testing.T, mode string, wrap []string) *sleepers {
	t.Helper()
	dir := t.TempDir()
	pidfile := filepath.Join(dir, "pids")
	out, err := os.Create(filepath.Join(dir, "output"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { out.Close() })
	s := &sleepers{obsPath: filepath.Join(dir, "observation.json")}
	args := append([]string{"trace", "--quiet", "--observation", s.obsPath, "--"}, wrap...)
	s.cmd = exec.Command(sysgateBin, append(args, victim("sleeper"), pidfile)...)
	s.cmd.Env = append(os.Environ(), "SYSGATE_TRACE_MODE="+mode)
	s.cmd.Stdout, s.cmd.Stderr = out, out
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { killAll(s.pids) })
	deadline := time.Now().Add(30 * time.Second)
	for {
		data, err := os.ReadFile(pidfile)
		if err == nil {
			for _, f := range strings.Fields(string(data)) {
				pid, _ := strconv.Atoi(f)
				s.pids = append(s.pids, pid)
			}
			break
		}
		if time.Now().After(deadline) {
			_ = s.cmd.Process.Kill()
			_ = s.cmd.Wait()
			out, _ := os.ReadFile(filepath.Join(dir, "output"))
			t.Fatalf("the victim wrote no pid file within 30s; output:\n%s", out)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if len(s.pids) != 4 {
		t.Fatalf("pid file lists %v, want 4 pids", s.pids)
	}
	for _, pid := range s.pids {
		if !alive(pid) {
			t.Fatalf("tracee %d is not running before sysgate is stopped", pid)
		}
	}
	return s
}

// waitGone fails unless every pid is gone within 5s of what happened.
func waitGone(t *testing.T, pids []int, what string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		var left []string
		for _, pid := range pids {
			if alive(pid) {
				left = append(left, fmt.Sprintf("%d (state %s)", pid, procState(pid)))
			}
		}
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("5s after %s, tracees are still alive: %s", what, strings.Join(left, ", "))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestInheritedSeccompFilter: sysgate itself starts under a seccomp filter
// (as in a container under its profile), which the command inherits: the
// default mode must then be the ptrace one, whose syscall-entry stops come
// before any filter, so the calls it denies are recorded as attempts.
func TestInheritedSeccompFilter(t *testing.T) {
	t.Parallel()
	r := runSysgate(t, runOpts{Wrap: []string{victim("seccompdeny"), "wrap"}, Cmd: []string{victim("seccompdeny"), "calls"}})
	if r.Code != 31 {
		t.Fatalf("status %d, want 31 (all 7 getppid denied)\n%s", r.Code, r.Stderr)
	}
	var eperm uint64
	for _, c := range callsNamed(r.Obs, "getppid") {
		eperm += c.Errors["EPERM"]
	}
	if n := sysCount(r.Obs, "getppid"); n != 7 || eperm != 7 {
		t.Errorf("getppid counted %d times, %d of them EPERM; want 7 and 7", n, eperm)
	}
	wantComplete(t, r.Obs)
}

// TestOwnSeccompFilter: a filter the tracee installs can deny calls with an
// action stronger than sysgate's SECCOMP_RET_TRACE; those calls must still
// be recorded, as attempts with their errno, however the filter is
// installed and in every process that inherits it.
func TestOwnSeccompFilter(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		arg     string
		status  int
		getppid uint64
	}{
		{"plain", 31, 7},
		{"highbits", 31, 7},     // op's high 32 bits set: the kernel ignores them
		{"cloneparent", 32, 50}, // children adopted before their creator's event
	} {
		t.Run(tc.arg, func(t *testing.T) {
			argv := []string{victim("seccompdeny"), tc.arg}
			straceCase(t, argv, tc.status, check{"denied", func(t *testing.T, r *result) {
				if n := sysCount(r.Obs, "getppid"); n != tc.getppid {
					t.Errorf("getppid counted %d times, want %d", n, tc.getppid)
				}
				var eperm uint64
				for _, c := range callsNamed(r.Obs, "getppid") {
					eperm += c.Errors["EPERM"]
				}
				if eperm != tc.getppid {
					t.Errorf("getppid denied with EPERM %d times in the observation, want %d", eperm, tc.getppid)
				}
				wantComplete(t, r.Obs)
			}})
		})
	}
}

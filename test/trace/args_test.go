package trace_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// Decoded arguments: each victim passes arguments known in advance, and the
// observation must carry them exactly (counts are compared with strace too).

func TestUnknownSyscallNumbers(t *testing.T) {
	t.Parallel()
	argv := []string{victim("unknownnr")}
	straceCase(t, argv, 22,
		check{"unnamed", func(t *testing.T, r *result) {
			for _, nr := range []uint32{1000, 0x3ff} {
				var found int
				for _, s := range r.Obs.Syscalls {
					if s.ABI == "x86_64" && s.Nr == nr {
						found++
						if s.Name != "" || s.Count != 1 {
							t.Errorf("syscalls: x86_64 %d named %q count %d, want no name, count 1", nr, s.Name, s.Count)
						}
					}
				}
				if found != 1 {
					t.Errorf("syscalls: x86_64 %d listed %d times, want once", nr, found)
				}
				var calls int
				for _, c := range r.Obs.Calls {
					if c.ABI == "x86_64" && c.Nr == nr {
						calls++
						if c.Name != "" || c.Count != 1 || c.Exe != argv[0] {
							t.Errorf("call %s: want no name, count 1, exe %s", describeCall(c), argv[0])
						}
					}
				}
				if calls != 1 {
					t.Errorf("calls: x86_64 %d listed %d times, want once", nr, calls)
				}
			}
		}},
	)
}

func TestFilelessExec(t *testing.T) {
	t.Parallel()
	elf := victim("exitcode")
	argv := []string{victim("memfdexec"), elf}
	straceCase(t, argv, 23,
		check{"memfd_create", func(t *testing.T, r *result) {
			c := callWith(t, r.Obs, "memfd_create", "name", "sysgate-memfd")
			if c.Count != 1 || c.Exe != argv[0] {
				t.Errorf("%s: want count 1 from exe %s", describeCall(c), argv[0])
			}
			wantErrors(t, c, nil)
		}},
		check{"execveat", func(t *testing.T, r *result) {
			calls := callsNamed(r.Obs, "execveat")
			if len(calls) != 1 {
				t.Fatalf("want one execveat call:\n%s", describeCalls(calls))
			}
			c := calls[0]
			if got, _ := c.Args.GetList("argv"); !slices.Equal(got, []string{"exitcode", "23"}) {
				t.Errorf("%s: argv %q, want [exitcode 23]", describeCall(c), got)
			}
			if c.Count != 1 || c.Exe != argv[0] {
				t.Errorf("%s: want count 1 from exe %s", describeCall(c), argv[0])
			}
			wantErrors(t, c, nil)
			t.Logf("execveat decoded as %s", describeCall(c))
		}},
		check{"processes", func(t *testing.T, r *result) {
			// The process now runs a program that has no file: its exe is
			// the memfd ("/memfd:sysgate-memfd (deleted)").
			wantProcesses(t, r.Obs, 1)
			p := r.Obs.Processes[0]
			if !strings.Contains(p.Exe, "memfd:sysgate-memfd") || !slices.Equal(p.Argv, []string{"exitcode", "23"}) || exitOf(p) != "code 23" {
				t.Errorf("process: exe %q argv %q exit %s; want the memfd sysgate-memfd as exe, argv [exitcode 23], exit code 23", p.Exe, p.Argv, exitOf(p))
			}
		}},
	)
}

func TestKeyctl(t *testing.T) {
	t.Parallel()
	argv := []string{victim("keyctl")}
	straceCase(t, argv, 24,
		check{"op", func(t *testing.T, r *result) {
			c := callWith(t, r.Obs, "keyctl", "op", "KEYCTL_GET_KEYRING_ID")
			if c.Count != 1 || c.Outcomes != 1 {
				t.Errorf("%s: want count 1, outcomes 1", describeCall(c))
			}
		}},
	)
}

func TestConnectAddresses(t *testing.T) {
	// Only this test uses ports 47001 and 47002.
	t.Parallel()
	dir := t.TempDir()
	sock := filepath.Join(dir, "s.sock")
	argv := []string{victim("connect"), dir}
	if u := runUntraced(t, argv...); u.Code == 47 {
		t.Skip("no IPv6 loopback: the victim cannot bind [::1]")
	}
	straceCase(t, argv, 29,
		check{"connect", func(t *testing.T, r *result) {
			for _, addr := range []string{"127.0.0.1:47001", "[::1]:47002", "@sysgate-test-abstract", sock} {
				c := callWith(t, r.Obs, "connect", "addr", addr)
				if c.Count != 1 || c.Outcomes != 1 {
					t.Errorf("%s: want count 1, outcomes 1", describeCall(c))
				}
				wantErrors(t, c, nil)
			}
			if n := sysCount(r.Obs, "connect"); n != 4 {
				t.Errorf("connect count %d, want 4", n)
			}
		}},
		check{"bind", func(t *testing.T, r *result) {
			for _, addr := range []string{"127.0.0.1:47001", "[::1]:47002", "@sysgate-test-abstract", sock} {
				c := callWith(t, r.Obs, "bind", "addr", addr)
				if c.Count != 1 {
					t.Errorf("%s: want count 1", describeCall(c))
				}
			}
		}},
		check{"socket", func(t *testing.T, r *result) {
			// A listener and a client per address.
			for family, n := range map[string]uint64{"AF_INET": 2, "AF_INET6": 2, "AF_UNIX": 4} {
				var got uint64
				for _, c := range callsNamed(r.Obs, "socket") {
					if v, _ := c.Args.Get("family"); v == family {
						got += c.Count
					}
				}
				if got != n {
					t.Errorf("%d socket calls with family %s, want %d; socket calls:\n%s", got, family, n, describeCalls(callsNamed(r.Obs, "socket")))
				}
			}
		}},
	)
}

// longPath creates a file under dir whose absolute path is n bytes long.
func longPath(t *testing.T, dir string, n int) string {
	t.Helper()
	p := dir
	for len(p)+1+200 < n-20 {
		p += "/" + strings.Repeat("d", 199)
	}
	if err := os.MkdirAll(p, 0o755); err != nil {
		t.Fatal(err)
	}
	p += "/" + strings.Repeat("f", n-len(p)-1)
	if len(p) != n {
		t.Fatalf("long path is %d bytes, want %d", len(p), n)
	}
	if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestOpenPaths(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	target := filepath.Join(dir, "target.txt")
	link := filepath.Join(dir, "link")
	if err := os.WriteFile(target, []byte("target\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("target.txt", link); err != nil {
		t.Fatal(err)
	}
	long := longPath(t, dir, 3000)
	if _, err := os.Stat("/etc/hostname"); err != nil {
		t.Fatalf("the victim opens /etc/hostname: %v", err)
	}
	argv := []string{victim("paths"), dir, long}
	straceCase(t, argv, 30,
		check{"dirfd", func(t *testing.T, r *result) {
			// openat(fd of /etc, "hostname"): resolved against the dirfd.
			c := callWith(t, r.Obs, "openat", "path", "/etc/hostname")
			wantArg(t, c, "flags", "O_RDONLY")
			wantErrors(t, c, nil)
			if c.Exe != argv[0] || c.Count != 1 {
				t.Errorf("%s: want count 1 from exe %s", describeCall(c), argv[0])
			}
		}},
		check{"symlink", func(t *testing.T, r *result) {
			// The path asked for is the link, and the fd returned resolves
			// to its target; O_NOFOLLOW makes a second, failing, distinct
			// call on it.
			var ok, loop bool
			calls := callsNamed(r.Obs, "openat")
			for _, c := range calls {
				if v, _ := c.Args.Get("path"); v != link {
					continue
				}
				t.Logf("open of the symlink decoded as %s", describeCall(c))
				flags, _ := c.Args.Get("flags")
				switch flags {
				case "O_RDONLY":
					// The fd it returned is the link's target.
					ok = true
					wantErrors(t, c, nil)
					wantArg(t, c, "resolved", target)
				case "O_RDONLY|O_NOFOLLOW":
					loop = true
					wantErrors(t, c, map[string]uint64{"ELOOP": 1})
					if v, ok := c.Args.Get("resolved"); ok {
						t.Errorf("%s: a failed open has resolved=%q", describeCall(c), v)
					}
				default:
					t.Errorf("%s: unexpected flags", describeCall(c))
				}
			}
			if !ok || !loop {
				t.Errorf("want openat of %s with flags O_RDONLY and with O_RDONLY|O_NOFOLLOW (ELOOP); openat calls:\n%s", link, describeCalls(calls))
			}
		}},
		check{"relative", func(t *testing.T, r *result) {
			// "target.txt" after chdir: resolved against the cwd.
			c := callWith(t, r.Obs, "openat", "path", target)
			wantArg(t, c, "flags", "O_RDONLY|O_CLOEXEC")
			wantErrors(t, c, nil)
		}},
		check{"long", func(t *testing.T, r *result) {
			c := callWith(t, r.Obs, "openat", "path", long)
			if _, ok := c.Args.Get("truncated"); ok {
				t.Errorf("%s: a 3000-byte path is marked truncated", describeCall(c))
			}
			wantErrors(t, c, nil)
		}},
	)
}

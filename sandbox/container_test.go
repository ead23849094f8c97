package sandbox

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sysgate/sysgate/internal/testimage"
)

// busyboxImage is a FROM scratch image holding only the static busybox.
func busyboxImage(t *testing.T, img testimage.Image) string {
	t.Helper()
	needPodman(t)
	if img.Files == nil {
		img.Files = map[string]string{}
	}
	img.Files["/bin/busybox"] = testimage.Busybox
	if img.Entrypoint == nil {
		img.Entrypoint = []string{"/bin/busybox"}
	}
	return testimage.Build(t, "busybox", img)
}

// job is what a container run to completion did.
type job struct {
	code           int
	stdout, stderr string
	warnings       []string
}

// runJob runs s to completion, calling before (if not nil) on the created
// container first, and removes it.
func runJob(t *testing.T, ctx context.Context, s Spec, before func(context.Context, Container) error) job {
	t.Helper()
	var j job
	err := client.WithContainer(ctx, s, func(ctx context.Context, ctr Container) error {
		j.warnings = ctr.Warnings
		if before != nil {
			if err := before(ctx, ctr); err != nil {
				return err
			}
		}
		var stdout, stderr bytes.Buffer
		att, err := client.StartAttached(ctx, ctr.ID, Streams{Stdout: &stdout, Stderr: &stderr})
		if err != nil {
			return err
		}
		if j.code, err = client.Wait(ctx, ctr.ID); err != nil {
			return err
		}
		if err := att.Wait(); err != nil {
			return fmt.Errorf("attach: %w", err)
		}
		j.stdout, j.stderr = stdout.String(), stderr.String()
		return nil
	})
	if err != nil {
		t.Fatalf("run %s: %v", s.Image, err)
	}
	return j
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func TestJobOutputAndExitCode(t *testing.T) {
	t.Parallel()
	img := busyboxImage(t, testimage.Image{Cmd: []string{"sh", "-c", "echo hi; exit 3"}})
	s := Spec{Image: img, ScanID: newScan(t)}
	j := runJob(t, testContext(t), s, nil)
	if j.code != 3 || j.stdout != "hi\n" || j.stderr != "" {
		t.Errorf("got exit %d, stdout %q, stderr %q; want 3, \"hi\\n\", \"\"", j.code, j.stdout, j.stderr)
	}
	if h, _ := client.Host(testContext(t)); len(j.warnings) != 0 && !h.Rootless {
		t.Errorf("warnings on a rootful service: %q", j.warnings)
	}
}

func TestJobStreamsAreSeparateAndBinarySafe(t *testing.T) {
	t.Parallel()
	img := busyboxImage(t, testimage.Image{})
	// Bytes that no text handling survives: NUL, 0xff, a lone CR, no final newline.
	s := Spec{Image: img, ScanID: newScan(t),
		Cmd: []string{"sh", "-c", `printf 'a\000b\377\r'; printf 'to stderr\n' >&2; printf 'c'`}}
	j := runJob(t, testContext(t), s, nil)
	if want := "a\x00b\xff\rc"; j.stdout != want {
		t.Errorf("stdout %q, want %q", j.stdout, want)
	}
	if j.stderr != "to stderr\n" || j.code != 0 {
		t.Errorf("stderr %q exit %d, want \"to stderr\\n\" 0", j.stderr, j.code)
	}
}

func TestSpecOverridesImageConfig(t *testing.T) {
	t.Parallel()
	img := busyboxImage(t, testimage.Image{
		Cmd: []string{"sh", "-c", "exit 9"}, Env: []string{"A=image", "B=image"}, WorkDir: "/",
	})
	s := Spec{Image: img, ScanID: newScan(t),
		Entrypoint: []string{"/bin/busybox", "sh", "-c"},
		Cmd:        []string{`echo "$A $B $(pwd)"`},
		Env:        map[string]string{"B": "spec"},
		WorkDir:    "/bin",
		User:       "1234:5678",
	}
	j := runJob(t, testContext(t), s, nil)
	if j.code != 0 || j.stdout != "image spec /bin\n" {
		t.Errorf("got exit %d, stdout %q; want 0, \"image spec /bin\\n\"", j.code, j.stdout)
	}
}

func TestNonRootUser(t *testing.T) {
	t.Parallel()
	img := busyboxImage(t, testimage.Image{User: "65534:65534",
		Cmd: []string{"sh", "-c", "id -u; id -g; grep NoNewPrivs /proc/self/status"}})
	j := runJob(t, testContext(t), Spec{Image: img, ScanID: newScan(t)}, nil)
	if want := "65534\n65534\nNoNewPrivs:\t1\n"; j.stdout != want || j.code != 0 {
		t.Errorf("got exit %d, stdout %q; want 0, %q (stderr %q)", j.code, j.stdout, want, j.stderr)
	}
}

func TestNoNetwork(t *testing.T) {
	t.Parallel()
	img := busyboxImage(t, testimage.Image{Cmd: []string{"sh", "-c", "tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '"}})
	j := runJob(t, testContext(t), Spec{Image: img, ScanID: newScan(t)}, nil)
	if j.stdout != "lo\n" || j.code != 0 {
		t.Errorf("interfaces %q (exit %d, stderr %q), want only lo", j.stdout, j.code, j.stderr)
	}
}

func TestRlimits(t *testing.T) {
	t.Parallel()
	img := busyboxImage(t, testimage.Image{Cmd: []string{"sh", "-c",
		"grep -E '^Max (open files|processes)' /proc/self/limits | tr -s ' ' | sed 's/ $//'"}})
	def, err := DefaultRlimits()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name          string
		nofile, nproc uint64
		wantF, wantP  uint64
	}{
		{"explicit", 1234, 567, 1234, 567},
		{"default", 0, 0, def.NoFile, def.NProc},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := Spec{Image: img, ScanID: newScan(t), NoFile: tc.nofile, NProc: tc.nproc}
			j := runJob(t, testContext(t), s, nil)
			want := fmt.Sprintf("Max processes %d %d processes\nMax open files %d %d files\n", tc.wantP, tc.wantP, tc.wantF, tc.wantF)
			if j.stdout != want {
				t.Errorf("limits:\n%s\nwant:\n%s(stderr %q)", j.stdout, want, j.stderr)
			}
		})
	}
}

func TestCgroupLimits(t *testing.T) {
	t.Parallel()
	c := needPodman(t)
	host, err := c.hostInfo(testContext(t))
	if err != nil {
		t.Fatal(err)
	}
	pidsOK, memOK, warning := host.cgroupLimits()
	img := busyboxImage(t, testimage.Image{Cmd: []string{"sh", "-c",
		"cat /sys/fs/cgroup/pids/pids.max /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/pids.max /sys/fs/cgroup/memory.max"}})
	s := Spec{Image: img, ScanID: newScan(t), PidsLimit: 100, MemoryLimit: 64 << 20}
	j := runJob(t, testContext(t), s, nil)
	if !pidsOK || !memOK {
		if len(j.warnings) == 0 || j.warnings[0] != warning {
			t.Errorf("warnings %q, want %q", j.warnings, warning)
		}
		t.Logf("this service ignores cgroup limits; the warning %q was checked", warning)
		return
	}
	if want := "100\n67108864\n"; j.stdout != want {
		t.Errorf("pids.max and memory limit %q, want %q (stderr %q)", j.stdout, want, j.stderr)
	}
}

func TestReadOnlyRootfsAndTmpfs(t *testing.T) {
	t.Parallel()
	img := busyboxImage(t, testimage.Image{Cmd: []string{"sh", "-c",
		"touch /x 2>/dev/null && echo rootfs-writable; touch /tmp/x && echo tmp-writable; grep ' /tmp ' /proc/mounts | cut -d' ' -f3,4"}})
	s := Spec{Image: img, ScanID: newScan(t), ReadOnlyRootfs: true, Tmpfs: map[string]string{"/tmp": "rw,nosuid,nodev,size=1m"}}
	j := runJob(t, testContext(t), s, nil)
	if want := "tmp-writable\ntmpfs rw,nosuid,nodev,relatime,size=1024k\n"; j.stdout != want {
		t.Errorf("got %q, want %q (stderr %q)", j.stdout, want, j.stderr)
	}
}

const probeSrc = `package main

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

func main() {
	fmt.Printf("uid=%d args=%q\n", os.Getuid(), os.Args[1:])
	fmt.Printf("rootfs=%s\n", outcome(os.WriteFile("/probe-write", nil, 0o644)))
	fmt.Printf("tmp=%s\n", outcome(os.WriteFile("/tmp/probe-write", nil, 0o644)))
	for _, p := range []string{"/.sysgate/bin/probe", "/.sysgate/bin", "/.sysgate"} {
		var st syscall.Stat_t
		if err := syscall.Stat(p, &st); err != nil {
			fmt.Printf("%s: %v\n", p, err)
			continue
		}
		fmt.Printf("%s %d:%d %o\n", p, st.Uid, st.Gid, st.Mode&0o7777)
	}
}

func outcome(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return fmt.Sprintf("errno %d", int(errno))
	}
	if err != nil {
		return err.Error()
	}
	return "ok"
}
`

// TestCopyInReadOnlyEntrypoint copies a static binary into a created
// container with a read-only root filesystem and a non-root user, and runs
// it as the entrypoint, as the tracer will be.
func TestCopyInReadOnlyEntrypoint(t *testing.T) {
	t.Parallel()
	probe := testimage.GoStatic(t, "probe", probeSrc)
	content, err := os.ReadFile(probe)
	if err != nil {
		t.Fatal(err)
	}
	img := busyboxImage(t, testimage.Image{User: "65534"})
	s := Spec{Image: img, ScanID: newScan(t), ReadOnlyRootfs: true, Tmpfs: map[string]string{"/tmp": ""},
		Entrypoint: []string{"/.sysgate/bin/probe", "one", "two"}}
	copyIn := func(ctx context.Context, ctr Container) error {
		return client.CopyIn(ctx, ctr.ID, BytesFile("/.sysgate/bin/probe", 0o755, content))
	}
	j := runJob(t, testContext(t), s, copyIn)
	// Owned by root, as in the archive, not by the container's user (the
	// service's default), who could otherwise replace it.
	want := fmt.Sprintf("uid=65534 args=[\"one\" \"two\"]\nrootfs=errno %d\ntmp=ok\n", int(syscall.EROFS)) +
		"/.sysgate/bin/probe 0:0 755\n/.sysgate/bin 0:0 755\n/.sysgate 0:0 755\n"
	if j.code != 0 || j.stdout != want {
		t.Errorf("got exit %d, stdout %q; want 0, %q (stderr %q)", j.code, j.stdout, want, j.stderr)
	}
}

func TestCopyInRejectsRelativePath(t *testing.T) {
	c := needPodman(t)
	err := c.CopyIn(testContext(t), "unused", BytesFile("relative/x", 0o644, nil))
	if err == nil || !strings.Contains(err.Error(), "not an absolute file path") {
		t.Errorf("got %v, want an error about the path", err)
	}
}

func TestExecInRunningContainer(t *testing.T) {
	t.Parallel()
	img := busyboxImage(t, testimage.Image{Cmd: []string{"sleep", "600"}})
	ctx := testContext(t)
	err := client.WithContainer(ctx, Spec{Image: img, ScanID: newScan(t)}, func(ctx context.Context, ctr Container) error {
		if err := client.Start(ctx, ctr.ID); err != nil {
			return err
		}
		r, err := client.Exec(ctx, ctr.ID, ExecSpec{
			Argv: []string{"/bin/busybox", "sh", "-c", `echo "out $X $(id -u)"; echo err >&2; exit 7`},
			Env:  map[string]string{"X": "y"}, User: "65534",
		})
		if err != nil {
			return err
		}
		if r.ExitCode != 7 || string(r.Stdout) != "out y 65534\n" || string(r.Stderr) != "err\n" {
			t.Errorf("exec: exit %d, stdout %q, stderr %q; want 7, \"out y 65534\\n\", \"err\\n\"", r.ExitCode, r.Stdout, r.Stderr)
		}
		if err := client.Kill(ctx, ctr.ID, syscall.SIGKILL); err != nil {
			return err
		}
		code, err := client.Wait(ctx, ctr.ID)
		if code != 128+int(syscall.SIGKILL) {
			t.Errorf("exit code after SIGKILL %d, want %d", code, 128+int(syscall.SIGKILL))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestExecOfMissingCommand(t *testing.T) {
	t.Parallel()
	img := busyboxImage(t, testimage.Image{Cmd: []string{"sleep", "600"}})
	ctx := testContext(t)
	err := client.WithContainer(ctx, Spec{Image: img, ScanID: newScan(t)}, func(ctx context.Context, ctr Container) error {
		if err := client.Start(ctx, ctr.ID); err != nil {
			return err
		}
		r, err := client.Exec(ctx, ctr.ID, ExecSpec{Argv: []string{"/no/such/program"}})
		if err != nil {
			return err
		}
		if r.ExitCode != 127 {
			t.Errorf("exec of a missing program: exit %d, want 127 as a shell gives", r.ExitCode)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

const ptraceSrc = `#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void) {
	pid_t child = fork();
	if (child < 0) { perror("fork"); return 2; }
	if (child == 0) { for (;;) pause(); }
	int status, rc = 1;
	if (ptrace(PTRACE_SEIZE, child, 0, 0) != 0) {
		printf("PTRACE_SEIZE: %s\n", strerror(errno));
	} else if (ptrace(PTRACE_INTERRUPT, child, 0, 0) != 0) {
		printf("PTRACE_INTERRUPT: %s\n", strerror(errno));
	} else if (waitpid(child, &status, 0) != child || !WIFSTOPPED(status) || status >> 16 != PTRACE_EVENT_STOP) {
		printf("no group stop: status %#x\n", status);
	} else {
		printf("ptrace ok\n");
		rc = 0;
	}
	kill(child, SIGKILL);
	waitpid(child, &status, 0);
	return rc;
}
`

// TestPtraceInside checks that a process in the hardened container (default
// seccomp profile, default capabilities, no_new_privs) can seize and stop
// its own child, as root and as a non-root user.
func TestPtraceInside(t *testing.T) {
	t.Parallel()
	bin := testimage.CStatic(t, "seize", ptraceSrc)
	img := busyboxImage(t, testimage.Image{Files: map[string]string{"/seize": bin}, Entrypoint: []string{"/seize"}})
	for _, user := range []string{"", "65534"} {
		t.Run("user="+user, func(t *testing.T) {
			j := runJob(t, testContext(t), Spec{Image: img, ScanID: newScan(t), User: user}, nil)
			if j.code != 0 || j.stdout != "ptrace ok\n" {
				t.Errorf("exit %d, stdout %q, stderr %q; want 0, \"ptrace ok\\n\"", j.code, j.stdout, j.stderr)
			}
		})
	}
}

func TestLabels(t *testing.T) {
	t.Parallel()
	img := busyboxImage(t, testimage.Image{Cmd: []string{"true"}})
	scan := newScan(t)
	ctx := testContext(t)
	err := client.WithContainer(ctx, Spec{Image: img, ScanID: scan, Labels: map[string]string{"x": "y", LabelManaged: "false"}},
		func(ctx context.Context, ctr Container) error {
			list, err := client.Managed(ctx, scan)
			if err != nil {
				return err
			}
			if len(list) != 1 || list[0].ID != ctr.ID || list[0].ScanID != scan || list[0].Name != ctr.Name {
				t.Errorf("Managed(%s) = %+v, want the one container %s", scan, list, ctr.ID)
			}
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
}

func TestTeardownOnCancel(t *testing.T) {
	t.Parallel()
	img := busyboxImage(t, testimage.Image{Cmd: []string{"sleep", "600"}})
	scan := newScan(t)
	ctx, cancel := context.WithCancel(testContext(t))
	err := client.WithContainer(ctx, Spec{Image: img, ScanID: scan}, func(ctx context.Context, ctr Container) error {
		if err := client.Start(ctx, ctr.ID); err != nil {
			return err
		}
		time.AfterFunc(500*time.Millisecond, cancel)
		_, err := client.Wait(ctx, ctr.ID)
		return err
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want context.Canceled", err)
	}
	assertGone(t, scan)
}

func TestTeardownOnTimeout(t *testing.T) {
	t.Parallel()
	img := busyboxImage(t, testimage.Image{Cmd: []string{"sleep", "600"}})
	scan := newScan(t)
	ctx, cancel := context.WithTimeout(testContext(t), 2*time.Second)
	defer cancel()
	var stdout bytes.Buffer
	err := client.WithContainer(ctx, Spec{Image: img, ScanID: scan}, func(ctx context.Context, ctr Container) error {
		if _, err := client.StartAttached(ctx, ctr.ID, Streams{Stdout: &stdout}); err != nil {
			return err
		}
		_, err := client.Wait(ctx, ctr.ID)
		return err
	})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("got %v, want context.DeadlineExceeded", err)
	}
	assertGone(t, scan)
}

func TestTeardownOnFailureAndPanic(t *testing.T) {
	t.Parallel()
	img := busyboxImage(t, testimage.Image{Cmd: []string{"true"}})
	scan := newScan(t)
	boom := errors.New("boom")
	err := client.WithContainer(testContext(t), Spec{Image: img, ScanID: scan}, func(context.Context, Container) error { return boom })
	if !errors.Is(err, boom) {
		t.Errorf("got %v, want boom", err)
	}
	assertGone(t, scan)
	func() {
		defer func() { recover() }()
		client.WithContainer(testContext(t), Spec{Image: img, ScanID: scan}, func(context.Context, Container) error { panic("boom") })
	}()
	assertGone(t, scan)
}

func TestCreateFailureLeavesNothing(t *testing.T) {
	t.Parallel()
	c := needPodman(t)
	scan := newScan(t)
	_, err := c.Create(testContext(t), Spec{Image: "localhost/sysgate-test/no-such-image:none", ScanID: scan})
	if err == nil {
		t.Fatal("create from a missing image succeeded")
	}
	assertGone(t, scan)
}

func TestGCRemovesLeftover(t *testing.T) {
	t.Parallel()
	img := busyboxImage(t, testimage.Image{Cmd: []string{"sleep", "600"}})
	scan := newScan(t)
	ctx := testContext(t)
	// A scan killed before its teardown: a running container, never removed.
	ctr, err := client.Create(ctx, Spec{Image: img, ScanID: scan})
	if err != nil {
		t.Fatal(err)
	}
	if err := client.Start(ctx, ctr.ID); err != nil {
		client.Teardown(ctr.ID)
		t.Fatal(err)
	}
	removed, err := client.GC(ctx, scan)
	if err != nil {
		t.Fatal(err)
	}
	if len(removed) != 1 || removed[0].ID != ctr.ID || removed[0].Name != ctr.Name {
		t.Errorf("GC removed %+v, want only %s", removed, ctr.Name)
	}
	assertGone(t, scan)
}

func assertGone(t *testing.T, scan string) {
	t.Helper()
	list, err := client.Managed(context.Background(), scan)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 0 {
		t.Errorf("containers of scan %s remain: %+v", scan, list)
	}
}

// TestNoConnectionLeak runs many execs and attaches: each uses a connection
// of its own, which must not stay open (with its goroutines) afterwards.
func TestNoConnectionLeak(t *testing.T) {
	img := busyboxImage(t, testimage.Image{Cmd: []string{"sleep", "600"}})
	ctx := testContext(t)
	exec := func(ctr Container) {
		if _, err := client.Exec(ctx, ctr.ID, ExecSpec{Argv: []string{"/bin/busybox", "true"}}); err != nil {
			t.Fatal(err)
		}
	}
	err := client.WithContainer(ctx, Spec{Image: img, ScanID: newScan(t)}, func(ctx context.Context, ctr Container) error {
		if _, err := client.StartAttached(ctx, ctr.ID, Streams{}); err != nil {
			return err
		}
		exec(ctr) // warm up: the shared connection's own socket
		fds, goroutines := openFDs(t), runtime.NumGoroutine()
		for range 20 {
			exec(ctr)
		}
		time.Sleep(100 * time.Millisecond)
		if f, g := openFDs(t), runtime.NumGoroutine(); f > fds+2 || g > goroutines+4 {
			t.Errorf("after 20 execs: %d open files (was %d), %d goroutines (was %d)", f, fds, g, goroutines)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func openFDs(t *testing.T) int {
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(entries)
}

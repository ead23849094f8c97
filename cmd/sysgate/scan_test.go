package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/sysgate/sysgate/internal/testimage"
	"github.com/sysgate/sysgate/observation"
	"github.com/sysgate/sysgate/sandbox"
)

// These tests scan images built FROM scratch by the test, through the CLI's
// run, with this test binary as the agent put into the container (TestMain).

var scanSeq atomic.Int64

type scanRun struct {
	obsPath        string
	code           int
	stdout, stderr string
	obs            *observation.Observation
}

// scanImage runs `sysgate scan` with args and the observation written to a
// temporary file, and checks afterwards that the scan left no container.
func scanImage(t *testing.T, args ...string) *scanRun {
	t.Helper()
	testimage.RequirePodman(t)
	dir := t.TempDir()
	obsPath := filepath.Join(dir, "observation.json")
	id := fmt.Sprintf("scantest-%d-%d", os.Getpid(), scanSeq.Add(1))
	args = append([]string{"scan", "--observation", obsPath, "--scan-id", id}, args...)
	r := &scanRun{obsPath: obsPath}
	r.code, r.stdout, r.stderr = runFiles(t, args...)
	t.Logf("sysgate %s: exit %d\n%s", strings.Join(args, " "), r.code, r.stderr)
	if obs, err := observation.Load(obsPath); err == nil {
		r.obs = obs
	}
	if left := testimage.Podman(t, "ps", "-a", "--filter", "label="+sandbox.LabelScan+"="+id, "--format", "{{.Names}}"); strings.TrimSpace(left) != "" {
		t.Errorf("scan %s left containers behind: %s", id, left)
	}
	return r
}

// runFiles runs the CLI in-process with files for its output.
func runFiles(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	dir := t.TempDir()
	stdout, _ := os.Create(filepath.Join(dir, "stdout"))
	stderr, _ := os.Create(filepath.Join(dir, "stderr"))
	defer stdout.Close()
	defer stderr.Close()
	code := run(context.Background(), args, os.Stdin, stdout, stderr)
	out, _ := os.ReadFile(stdout.Name())
	errOut, _ := os.ReadFile(stderr.Name())
	return code, string(out), string(errOut)
}

func scanFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// findCall finds the call record of exe making syscall name with args
// containing every key=value of want (a list argument joined by spaces).
func findCall(obs *observation.Observation, exe, name string, want map[string]string) *observation.Call {
	for i := range obs.Calls {
		c := &obs.Calls[i]
		if c.Name != name || (exe != "" && c.Exe != exe) {
			continue
		}
		ok := true
		for k, v := range want {
			got, _ := c.Args.Get(k)
			if list, isList := c.Args.GetList(k); isList {
				got = strings.Join(list, " ")
			}
			if got != v {
				ok = false
			}
		}
		if ok {
			return c
		}
	}
	return nil
}

func wantCall(t *testing.T, obs *observation.Observation, exe, name string, args map[string]string, step string) *observation.Call {
	t.Helper()
	c := findCall(obs, exe, name, args)
	if c == nil {
		t.Errorf("no %s call by %s with %v in the observation", name, exe, args)
		return nil
	}
	if c.FirstStep != step {
		t.Errorf("%s by %s with %v first seen in step %q, want %q", name, exe, args, c.FirstStep, step)
	}
	return c
}

func processExes(obs *observation.Observation) []string {
	var exes []string
	for _, p := range obs.Processes {
		exes = append(exes, p.Exe)
	}
	sort.Strings(exes)
	return exes
}

var busyboxImage = testimage.Image{
	Files:      map[string]string{"/bin/busybox": "/bin/busybox"},
	Entrypoint: []string{"/bin/busybox"},
}

func busybox(t *testing.T, name string, mutate func(*testimage.Image), script string) string {
	img := busyboxImage
	img.Cmd = []string{"sh", "-c", script}
	if mutate != nil {
		mutate(&img)
	}
	return testimage.Build(t, name, img)
}

func TestScanJob(t *testing.T) {
	t.Parallel()
	image := busybox(t, "scan-job", nil, "cat /etc/hostname >/dev/null; exit 7")
	r := scanImage(t, "--image", image, "--fail-on", "none")
	if r.code != 0 {
		t.Fatalf("exit %d, want 0\n%s", r.code, r.stderr)
	}
	obs := r.obs
	if !obs.Complete {
		t.Errorf("observation incomplete: %v", obs.Incomplete)
	}
	if obs.Subject.Image == nil || obs.Subject.Image.Ref != image || obs.Subject.Image.Arch != "amd64" || !strings.HasPrefix(obs.Subject.Image.Digest, "sha256:") {
		t.Errorf("subject %+v, want the image %s with its digest and arch amd64", obs.Subject.Image, image)
	}
	if got := strings.Join(obs.Subject.Command, " "); got != "/bin/busybox sh -c cat /etc/hostname >/dev/null; exit 7" {
		t.Errorf("subject command %q", got)
	}
	// busybox sh runs cat as a fork of itself (applet), so one program.
	if exes := processExes(obs); !slices.Equal(exes, []string{"/bin/busybox", "/bin/busybox"}) {
		t.Errorf("processes %v, want busybox (sh) and its child (cat)", exes)
	}
	if obs.Processes[0].Exit == nil || obs.Processes[0].Exit.Code == nil || *obs.Processes[0].Exit.Code != 7 {
		t.Errorf("entrypoint exit %+v, want code 7", obs.Processes[0].Exit)
	}
	wantCall(t, obs, "/bin/busybox", "openat", map[string]string{"path": "/etc/hostname"}, "startup")
	wantCall(t, obs, "", "execve", map[string]string{"path": "/bin/busybox"}, "startup")
	for _, c := range obs.Calls {
		if strings.HasPrefix(c.Exe, "/.sysgate/") && c.Name != "execve" {
			t.Errorf("a call of sysgate's own agent was recorded: %+v", c)
		}
	}
}

const serviceSrc = `package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "cli" {
		if _, err := os.ReadFile("/etc/hostname"); err != nil {
			os.Exit(2)
		}
		fmt.Println("cli ok")
		return
	}
	http.HandleFunc("/items", func(w http.ResponseWriter, r *http.Request) {
		data, _ := os.ReadFile("/data/items.txt")
		w.Write(data)
	})
	http.HandleFunc("/write", func(w http.ResponseWriter, r *http.Request) {
		os.WriteFile("/data/written.txt", []byte("x"), 0o644)
		fmt.Fprintln(w, "ok")
	})
	// Names a file after the request body: what a body holds reaches paths.
	http.HandleFunc("/note", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		os.WriteFile("/data/note-"+string(body), []byte("x"), 0o644)
		fmt.Fprintln(w, "noted")
	})
	fmt.Println("listening on 8080")
	if err := http.ListenAndServe("127.0.0.1:8080", nil); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
`

const serviceWorkload = `apiVersion: sysgate.dev/v1
mode: service
stop: {signal: SIGTERM, grace: 5s}
steps:
  - name: ready
    waitFor: {log: "listening on 8080"}
  - name: port
    waitFor: {port: 8080}
  - name: list
    http: {port: 8080, path: /items}
    expect: {status: 200, bodyContains: apple}
  - name: cli
    exec: {argv: [/app/server, cli]}
    expect: {exitCode: 0, stdoutContains: cli ok}
  - name: write
    http: {port: 8080, method: POST, path: /write}
    expect: {status: 200}
`

// serviceImage is a Go HTTP server FROM scratch: no shell in it.
func serviceImage(t *testing.T) string {
	bin := testimage.GoStatic(t, "server", serviceSrc)
	items := scanFile(t, "items.txt", "apple\npear\n")
	return testimage.Build(t, "scan-service", testimage.Image{
		Files:      map[string]string{"/app/server": bin, "/data/items.txt": items},
		Entrypoint: []string{"/app/server"},
	})
}

func TestScanService(t *testing.T) {
	t.Parallel()
	image := serviceImage(t)
	wl := scanFile(t, "workload.yaml", serviceWorkload)
	r := scanImage(t, "--image", image, "--workload", wl, "--fail-on", "none")
	if r.code != 0 {
		t.Fatalf("exit %d, want 0\n%s", r.code, r.stderr)
	}
	obs := r.obs
	if !obs.Complete {
		t.Errorf("observation incomplete: %v", obs.Incomplete)
	}
	wantCall(t, obs, "", "execve", map[string]string{"path": "/app/server", "argv": "/app/server"}, "startup")
	wantCall(t, obs, "/app/server", "bind", map[string]string{"addr": "127.0.0.1:8080"}, "startup")
	wantCall(t, obs, "/app/server", "openat", map[string]string{"path": "/data/items.txt"}, "list")
	wantCall(t, obs, "", "execve", map[string]string{"path": "/app/server", "argv": "/app/server cli"}, "cli")
	wantCall(t, obs, "/app/server", "openat", map[string]string{"path": "/etc/hostname"}, "cli")
	wantCall(t, obs, "/app/server", "openat", map[string]string{"path": "/data/written.txt"}, "write")
	// The probes and helpers are sysgate's: no process of theirs is listed.
	if exes := processExes(obs); !slices.Equal(exes, []string{"/app/server", "/app/server"}) {
		t.Errorf("processes %v, want the server and its cli run", exes)
	}
	for _, p := range obs.Processes {
		if len(p.Argv) == 1 && (p.Exit == nil || p.Exit.Signal != "SIGTERM") {
			t.Errorf("the service ended with %+v, want SIGTERM (the stop signal)", p.Exit)
		}
	}
	steps := map[string]bool{"startup": true, "ready": true, "port": true, "list": true, "cli": true, "write": true, "shutdown": true}
	for _, c := range obs.Calls {
		if !steps[c.FirstStep] {
			t.Errorf("call %s by %s attributed to unknown step %q", c.Name, c.Exe, c.FirstStep)
		}
	}
}

func TestScanFailedExpectationIsUntrusted(t *testing.T) {
	t.Parallel()
	image := serviceImage(t)
	wl := scanFile(t, "workload.yaml", `apiVersion: sysgate.dev/v1
mode: service
steps:
  - name: port
    waitFor: {port: 8080}
  - name: missing
    http: {port: 8080, path: /nothing}
    expect: {status: 200}
`)
	r := scanImage(t, "--image", image, "--workload", wl, "--fail-on", "none")
	if r.code != exitUntrusted {
		t.Fatalf("exit %d, want 3", r.code)
	}
	want := fmt.Sprintf("workload step \"missing\" (%s:6) failed: GET /nothing answered 404, expected 200", wl)
	if !strings.Contains(r.stderr, want) {
		t.Errorf("stderr does not say %q:\n%s", want, r.stderr)
	}
	if r.obs == nil || r.obs.Complete || !slices.Contains(r.obs.Incomplete, want) {
		t.Errorf("observation not marked incomplete with the failed step: %+v", r.obs)
	}
}

func TestScanReadOnlyNonRoot(t *testing.T) {
	t.Parallel()
	image := busybox(t, "scan-ro", func(img *testimage.Image) { img.User = "65534:65534" },
		`test "$(id -u)" = 65534 || exit 9; touch /made-here; exit 0`)
	r := scanImage(t, "--image", image, "--read-only", "--fail-on", "none")
	if r.code != 0 {
		t.Fatalf("exit %d, want 0\n%s", r.code, r.stderr)
	}
	if code := r.obs.Processes[0].Exit; code == nil || code.Code == nil || *code.Code != 0 {
		t.Errorf("entrypoint exit %+v, want 0 (id -u is 65534)", code)
	}
	c := findCall(r.obs, "/bin/busybox", "openat", map[string]string{"path": "/made-here"})
	if c == nil || c.Errors["EROFS"] != 1 {
		t.Errorf("touch on the read-only root: %+v, want one EROFS", c)
	}
}

func TestScanMissingImage(t *testing.T) {
	t.Parallel()
	r := scanImage(t, "--image", "localhost/sysgate-test/absent:none", "--pull", "never")
	if r.code != exitUntrusted {
		t.Fatalf("exit %d, want 3", r.code)
	}
	if !strings.Contains(r.stderr, "image localhost/sysgate-test/absent:none is not present locally") {
		t.Errorf("stderr does not explain the missing image:\n%s", r.stderr)
	}
	if r.obs != nil {
		t.Errorf("an observation was written although nothing ran")
	}
}

func TestScanBadWorkload(t *testing.T) {
	t.Parallel()
	wl := scanFile(t, "workload.yaml", "apiVersion: sysgate.dev/v1\nsteps:\n  - name: x\n    exce: {argv: [/bin/true]}\n")
	r := scanImage(t, "--image", "localhost/never-used:1", "--workload", wl)
	if r.code != exitUsage {
		t.Fatalf("exit %d, want 2", r.code)
	}
	if !strings.Contains(r.stderr, wl+":4:5: ") {
		t.Errorf("stderr has no %s:4:5 position:\n%s", wl, r.stderr)
	}
}

func TestScanOCIArchive(t *testing.T) {
	t.Parallel()
	image := busybox(t, "scan-archive", nil, "exit 0")
	archive := filepath.Join(t.TempDir(), "image.tar")
	testimage.Podman(t, "save", "--format", "oci-archive", "-o", archive, image)
	r := scanImage(t, "--image", "oci-archive:"+archive, "--fail-on", "none")
	if r.code != 0 {
		t.Fatalf("exit %d, want 0\n%s", r.code, r.stderr)
	}
	if r.obs.Subject.Image.Ref != "oci-archive:"+archive {
		t.Errorf("subject ref %q", r.obs.Subject.Image.Ref)
	}
	wantCall(t, r.obs, "", "execve", map[string]string{"path": "/bin/busybox"}, "startup")
}

func TestScanTimeout(t *testing.T) {
	t.Parallel()
	image := busybox(t, "scan-timeout", nil, "echo started; sleep 60")
	r := scanImage(t, "--image", image, "--timeout", "3s", "--fail-on", "none")
	if r.code != exitUntrusted {
		t.Fatalf("exit %d, want 3", r.code)
	}
	if r.obs == nil || r.obs.Complete || !slices.Contains(r.obs.Incomplete, "timeout: the run did not end within 3s; the container was killed") {
		t.Fatalf("observation not marked incomplete by the timeout: %+v", r.obs)
	}
	// What was seen before the timeout is kept (snapshots every second).
	wantCall(t, r.obs, "", "execve", map[string]string{"path": "/bin/busybox"}, "startup")
}

// deniedSrc makes calls Podman's default seccomp profile denies.
const deniedSrc = `#define _GNU_SOURCE
#include <unistd.h>
#include <sys/syscall.h>
int main(void) {
	syscall(SYS_add_key, "user", "k", "v", 1, -2);
	syscall(SYS_io_uring_setup, 8, 0);
	syscall(SYS_bpf, 0, 0, 0);
	syscall(SYS_perf_event_open, 0, 0, -1, -1, 0);
	return 0;
}
`

// cImage builds an image FROM scratch holding one static C program as its
// entrypoint.
func cImage(t *testing.T, name, src string) string {
	bin := testimage.CStatic(t, name, src)
	return testimage.Build(t, "scan-"+name, testimage.Image{Files: map[string]string{"/" + name: bin}, Entrypoint: []string{"/" + name}})
}

func TestScanSeccompDeniedCallsAreSeen(t *testing.T) {
	t.Parallel()
	image := cImage(t, "denied", deniedSrc)
	r := scanImage(t, "--image", image, "--fail-on", "none")
	if r.obs == nil {
		t.Fatalf("no observation (exit %d)", r.code)
	}
	for name, errno := range map[string]string{"add_key": "ENOSYS", "io_uring_setup": "ENOSYS", "bpf": "EPERM", "perf_event_open": "EPERM"} {
		c := findCall(r.obs, "/denied", name, nil)
		if c == nil || c.Count != 1 || c.Errors[errno] != 1 {
			t.Errorf("%s: %+v, want one attempt failing with %s", name, c, errno)
		}
	}
}

// hostileSrc attacks the tracer and its channel from inside the image.
const hostileSrc = `#define _GNU_SOURCE
#include <fcntl.h>
#include <stddef.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

/* The agent's socket name, from its command line. */
static int agent_socket(char *name, size_t n) {
	char buf[4096];
	int fd = open("/proc/1/cmdline", O_RDONLY);
	if (fd < 0) return -1;
	ssize_t len = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (len <= 0) return -1;
	buf[len] = 0;
	for (char *p = buf; p < buf + len; p += strlen(p) + 1)
		if (strcmp(p, "--socket") == 0) {
			snprintf(name, n, "%s", p + strlen(p) + 1);
			return 0;
		}
	return -1;
}

int main(void) {
	/* 1. Forge the agent's stream on our own stdout: a header and an end frame. */
	static const char forged[] = "SYSGATE-AGENT/1\nz\0\0\0\x0c{\"status\":0}";
	write(1, forged, sizeof forged - 1);
	/* 2. Write into the tracer's channel through /proc. */
	int fd = open("/proc/1/fd/1", O_WRONLY);
	if (fd >= 0) write(fd, "x", 1);
	/* 3. Kill and ptrace the tracer. */
	kill(1, SIGKILL);
	ptrace(PTRACE_ATTACH, 1, 0, 0);
	/* 4. Speak to the agent as sysgate's helper would. */
	char name[256];
	if (agent_socket(name, sizeof name) == 0) {
		int s = socket(AF_UNIX, SOCK_SEQPACKET, 0);
		struct sockaddr_un sa = {.sun_family = AF_UNIX};
		snprintf(sa.sun_path + 1, sizeof sa.sun_path - 1, "%s", name);
		if (connect(s, (struct sockaddr *)&sa, offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name)) == 0) {
			const char req[] = "{\"kind\":\"mark\",\"step\":\"forged\"}";
			send(s, req, sizeof req - 1, 0);
		}
	}
	/* 5. A child the tracer must not see (CLONE_UNTRACED). */
	pid_t pid = syscall(SYS_clone, CLONE_UNTRACED | SIGCHLD, 0, 0, 0, 0);
	if (pid == 0) {
		open("/etc/untraced-child", O_RDONLY);
		_exit(0);
	}
	waitpid(pid, 0, 0);
	return 0;
}
`

func TestScanHostileImage(t *testing.T) {
	t.Parallel()
	image := cImage(t, "hostile", hostileSrc)
	r := scanImage(t, "--image", image, "--fail-on", "high")
	obs := r.obs
	if obs == nil {
		t.Fatalf("no observation (exit %d)", r.code)
	}
	t.Logf("tampering: %q", obs.Tampering)
	// The forged frames are the image's output, nothing more: the run ends
	// with the agent's own end frame and everything the tracer saw.
	if r.code != exitFindings || !obs.Complete {
		t.Errorf("exit %d, complete %v %v: want 1 (tampering is a high finding) and complete (every attempt failed, the untraced clone was traced)", r.code, obs.Complete, obs.Incomplete)
	}
	if n := strings.Count(r.stdout, "SG0005"); n != len(obs.Tampering) {
		t.Errorf("%d SG0005 findings in the summary for %d tampering attempts:\n%s", n, len(obs.Tampering), r.stdout)
	}
	wantCall(t, obs, "/hostile", "openat", map[string]string{"path": "/etc/untraced-child"}, "startup")
	if c := findCall(obs, "/hostile", "openat", map[string]string{"path": "/proc/1/fd/1"}); c == nil || c.Errors["EACCES"] != 1 {
		t.Errorf("open of the tracer's stdout: %+v, want one EACCES", c)
	}
	if c := findCall(obs, "/hostile", "ptrace", nil); c == nil || c.Errors["EPERM"] != 1 {
		t.Errorf("ptrace of the tracer: %+v, want one EPERM", c)
	}
	for _, want := range []string{"called kill on the tracer (pid 1)", "called ptrace on the tracer (pid 1)",
		"called openat on /proc/1/fd/1, the /proc entry of the tracer", "connected to sysgate's agent socket; refused"} {
		found := false
		for _, got := range obs.Tampering {
			found = found || strings.Contains(got, want)
		}
		if !found {
			t.Errorf("tampering %q does not record %q", obs.Tampering, want)
		}
	}
	for _, c := range obs.Calls {
		if c.FirstStep != "startup" {
			t.Errorf("call %s attributed to step %q: the workload named a step", c.Name, c.FirstStep)
		}
	}
}

// rootlessUser is the unprivileged user scripts/deps creates (with subuid
// and subgid ranges) for the rootless scan.
const rootlessUser = "sysgate-rootless"

func TestScanRootless(t *testing.T) {
	t.Parallel()
	testimage.RequirePodman(t)
	if os.Geteuid() != 0 {
		t.Skip("needs root to run the scan as " + rootlessUser)
	}
	if _, err := user.Lookup(rootlessUser); err != nil {
		t.Skipf("user %s is missing (%v): scripts/deps creates it", rootlessUser, err)
	}
	image := busybox(t, "scan-rootless", nil, "cat /etc/hostname >/dev/null")
	// A directory the user can use, holding this binary, the image as an
	// archive (the user's Podman has its own storage) and the outputs.
	dir, err := os.MkdirTemp("", "sysgate-rootless-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	os.Chmod(dir, 0o777)
	self, _ := os.Executable()
	bin := filepath.Join(dir, "sysgate")
	if out, err := exec.Command("cp", self, bin).CombinedOutput(); err != nil {
		t.Fatalf("copy the test binary: %v %s", err, out)
	}
	archive := filepath.Join(dir, "image.tar")
	testimage.Podman(t, "save", "--format", "oci-archive", "-o", archive, image)
	os.Chmod(archive, 0o644)
	obsPath := filepath.Join(dir, "observation.json")
	id := fmt.Sprintf("scantest-%d-rootless", os.Getpid())
	t.Cleanup(func() { // the archive's image, loaded into the user's own storage
		exec.Command("runuser", "-u", rootlessUser, "--", "env", "-i", "HOME=/home/"+rootlessUser, "PATH=/usr/bin:/bin",
			"podman", "image", "prune", "--all", "--force").Run()
	})
	cmd := exec.Command("runuser", "-u", rootlessUser, "--", "env", "-i", "HOME=/home/"+rootlessUser,
		"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "SYSGATE_TEST_CLI=1", "CI=true",
		bin, "scan", "--image", "oci-archive:"+archive, "--observation", obsPath, "--scan-id", id, "--fail-on", "none")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	t.Logf("rootless scan: %v\n%s", err, out)
	if err != nil {
		t.Fatalf("rootless scan failed: %v", err)
	}
	obs, err := observation.Load(obsPath)
	if err != nil {
		t.Fatal(err)
	}
	if !obs.Complete {
		t.Errorf("observation incomplete: %v", obs.Incomplete)
	}
	wantCall(t, obs, "/bin/busybox", "openat", map[string]string{"path": "/etc/hostname"}, "startup")
	left, _ := exec.Command("runuser", "-u", rootlessUser, "--", "env", "-i", "HOME=/home/"+rootlessUser, "PATH=/usr/bin:/bin",
		"podman", "ps", "-a", "--filter", "label="+sandbox.LabelScan+"="+id, "--format", "{{.Names}}").CombinedOutput()
	if strings.TrimSpace(string(left)) != "" {
		t.Errorf("the rootless scan left containers behind: %s", left)
	}
}

// TestScanRecordSeccompRoundTrip records a seccomp profile from a scan and
// has Podman enforce it: the same image and command run under it, and a
// call outside it is refused.
func TestScanRecordSeccompRoundTrip(t *testing.T) {
	t.Parallel()
	image := busybox(t, "scan-seccomp", nil, "cat /etc/hostname >/dev/null && echo ran")
	dir := t.TempDir()
	profile, pol := filepath.Join(dir, "seccomp.json"), filepath.Join(dir, "policy.yaml")
	r := scanImage(t, "--image", image, "--fail-on", "none", "--record", "--policy-out", pol, "--seccomp-out", profile)
	if r.code != 0 {
		t.Fatalf("scan exit %d\n%s", r.code, r.stderr)
	}
	// The baseline policy passes the run it was recorded from.
	if code, _, stderr := runFiles(t, "check", "--observation", r.obsPath, "--policy", pol); code != 0 {
		t.Errorf("check of the run against its own baseline: exit %d\n%s", code, stderr)
	}
	run := func(args ...string) (string, error) {
		base := []string{"run", "--rm", "--network", "none", "--security-opt", "seccomp=" + profile}
		out, err := exec.Command("podman", append(base, args...)...).CombinedOutput()
		return string(out), err
	}
	out, err := run(image)
	if err != nil || strings.TrimSpace(out) != "ran" {
		t.Errorf("the image under its recorded profile: %v, output %q, want success and \"ran\"", err, out)
	}
	// mkdir is no call of the recorded run: the profile refuses it (ENOSYS).
	out, err = run("--entrypoint", "/bin/busybox", image, "mkdir", "/new")
	if err == nil || !strings.Contains(out, "Function not implemented") {
		t.Errorf("mkdir under the recorded profile: %v, output %q, want it refused with ENOSYS", err, out)
	}
}

// TestScanInterrupted sends SIGINT to a scanning sysgate (this test binary
// as the CLI): the container goes, the observation says why, exit 3.
func TestScanInterrupted(t *testing.T) {
	t.Parallel()
	image := busybox(t, "scan-interrupt", nil, "echo started; sleep 60")
	dir := t.TempDir()
	obsPath := filepath.Join(dir, "observation.json")
	id := fmt.Sprintf("scantest-%d-interrupt", os.Getpid())
	self, _ := os.Executable()
	cmd := exec.Command(self, "scan", "--image", image, "--observation", obsPath, "--scan-id", id, "--show-output", "--fail-on", "none")
	cmd.Env = append(os.Environ(), "SYSGATE_TEST_CLI=1", "CI=true")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Interrupt once the image runs (its output is shown).
	buf := make([]byte, 4096)
	var seen strings.Builder
	for !strings.Contains(seen.String(), "started") {
		n, err := stderr.Read(buf)
		if err != nil {
			t.Fatalf("the scan ended before the image started: %v\n%s", err, seen.String())
		}
		seen.Write(buf[:n])
	}
	cmd.Process.Signal(os.Interrupt)
	go func() { // keep draining so the scan never blocks on its stderr
		for {
			n, err := stderr.Read(buf)
			seen.Write(buf[:n])
			if err != nil {
				return
			}
		}
	}()
	err = cmd.Wait()
	if cmd.ProcessState.ExitCode() != exitUntrusted {
		t.Errorf("exit %v, want 3", err)
	}
	obs, lerr := observation.Load(obsPath)
	if lerr != nil {
		t.Fatalf("no observation after the interrupt: %v", lerr)
	}
	if obs.Complete || !slices.Equal(obs.Incomplete, []string{"interrupted: interrupted by SIGINT; the container was killed"}) {
		t.Errorf("incomplete %q, want only the interrupt", obs.Incomplete)
	}
	// The agent's last snapshot, sent when it was told to stop, is there.
	wantCall(t, obs, "/bin/busybox", "execve", map[string]string{"path": "/proc/self/exe", "argv": "sleep 60"}, "startup")
	// The sleep was entered before the stop, though it returned after.
	wantCall(t, obs, "/bin/busybox", "clock_nanosleep", nil, "startup")
	if left := testimage.Podman(t, "ps", "-a", "--filter", "label="+sandbox.LabelScan+"="+id, "--format", "{{.Names}}"); strings.TrimSpace(left) != "" {
		t.Errorf("the interrupted scan left containers behind: %s", left)
	}
}

// TestScanOtherArchitecture: an arm64 image (FROM scratch, so it builds
// here without emulation) is refused before anything runs.
func TestScanOtherArchitecture(t *testing.T) {
	t.Parallel()
	testimage.RequirePodman(t)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "x"), []byte("not a program"), 0o755)
	os.WriteFile(filepath.Join(dir, "Containerfile"), []byte("FROM scratch\nCOPY x /x\nENTRYPOINT [\"/x\"]\n"), 0o644)
	tag := testimage.Tag("scan-arm64")
	testimage.Podman(t, "build", "--quiet", "--layers=false", "--arch", "arm64", "--tag", tag, dir)
	testimage.Cleanup(t, tag)
	r := scanImage(t, "--image", tag)
	if r.code != exitUntrusted {
		t.Errorf("exit %d, want 3", r.code)
	}
	want := "is for arm64, and this sysgate is built for amd64"
	if !strings.Contains(r.stderr, want) {
		t.Errorf("stderr does not say %q:\n%s", want, r.stderr)
	}
}

// TestScanOverrides: --env, --workdir and a command after -- replace the
// image's, as podman run does.
func TestScanOverrides(t *testing.T) {
	t.Parallel()
	image := busybox(t, "scan-override", nil, "exit 9")
	r := scanImage(t, "--image", image, "--fail-on", "none", "--env", "GREETING=hi", "--workdir", "/bin",
		"--", "sh", "-c", `test "$GREETING" = hi && test "$(pwd)" = /bin`)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	if got := strings.Join(r.obs.Subject.Command, " "); got != `/bin/busybox sh -c test "$GREETING" = hi && test "$(pwd)" = /bin` {
		t.Errorf("subject command %q", got)
	}
	if exit := r.obs.Processes[0].Exit; exit == nil || exit.Code == nil || *exit.Code != 0 {
		t.Errorf("the overridden command exited %+v, want 0 (environment and directory applied)", exit)
	}
}

// TestScanReportsKeepSecrets plants tokens in an exec step's argv and in an
// HTTP body that the service turns into a path, has rules report both, and
// finds neither in any report of a real scan; the scan's SARIF passes the
// multitool.
func TestScanReportsKeepSecrets(t *testing.T) {
	t.Parallel()
	const argvToken, bodyToken = "ghp_0123456789abcdefABCDEF0123456789abcd", "password=hunter2secret"
	image := serviceImage(t)
	wl := scanFile(t, "workload.yaml", `apiVersion: sysgate.dev/v1
mode: service
steps:
  - name: port
    waitFor: {port: 8080}
  - name: note
    http: {port: 8080, method: POST, path: /note, body: "`+bodyToken+`"}
    expect: {status: 200}
  - name: cli
    exec: {argv: [/app/server, cli, --token, `+argvToken+`]}
`)
	pol := scanFile(t, "policy.yaml", `apiVersion: sysgate.dev/v1
include: [default]
rules:
  - id: data.write
    description: A write under /data
    severity: low
    match: {class: file-write, path: ["/data/**"]}
  - id: cli.run
    description: The CLI ran
    severity: low
    match: {class: exec, argv: ["*cli*"]}
`)
	dir := t.TempDir()
	sarif, md, js := filepath.Join(dir, "r.sarif"), filepath.Join(dir, "r.md"), filepath.Join(dir, "r.json")
	r := scanImage(t, "--image", image, "--workload", wl, "--policy", pol, "--sarif", sarif, "--markdown", md, "--json", js)
	if r.code != exitFindings {
		t.Fatalf("exit %d, want 1 (the two rules)\n%s", r.code, r.stderr)
	}
	// The observation is the raw record: the secrets are there to leak.
	if findCall(r.obs, "/app/server", "openat", map[string]string{"path": "/data/note-" + bodyToken}) == nil ||
		findCall(r.obs, "", "execve", map[string]string{"argv": "/app/server cli --token " + argvToken}) == nil {
		t.Fatalf("the observation lacks the planted secrets: the test proves nothing")
	}
	for _, f := range []string{sarif, md, js} {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range []string{"data.write", "cli.run"} {
			if !strings.Contains(string(data), id) {
				t.Errorf("%s lacks the finding %s", filepath.Base(f), id)
			}
		}
		for _, secret := range []string{argvToken, "hunter2secret"} {
			if strings.Contains(string(data), secret) {
				t.Errorf("%s holds the secret %q", filepath.Base(f), secret)
			}
		}
	}
	for _, secret := range []string{argvToken, "hunter2secret"} {
		if strings.Contains(r.stdout+r.stderr, secret) {
			t.Errorf("the terminal output holds the secret %q", secret)
		}
	}
	validateSARIF(t, sarif)
}

// TestScanCommandCannotStart: nothing of the image ran, so nothing passes.
func TestScanCommandCannotStart(t *testing.T) {
	t.Parallel()
	image := busybox(t, "scan-nostart", nil, "exit 0")
	r := scanImage(t, "--image", image, "--entrypoint", "/nonexistent")
	if r.code != exitUntrusted {
		t.Fatalf("exit %d, want 3\n%s", r.code, r.stderr)
	}
	want := `the image's command "/nonexistent" could not start (status 127); nothing of the image ran`
	if r.obs == nil || !slices.Contains(r.obs.Incomplete, want) {
		t.Errorf("observation %+v lacks %q", r.obs, want)
	}
	if !strings.Contains(r.stderr, "/nonexistent: not found") {
		t.Errorf("stderr does not say why:\n%s", r.stderr)
	}
}

// TestScanAgentIgnoresTheImagesSettings: the container's environment is the
// image's; it chooses neither the trace mode nor the agent's Go runtime
// settings, and the image still gets its variables.
func TestScanAgentIgnoresTheImagesSettings(t *testing.T) {
	t.Parallel()
	bin := testimage.CStatic(t, "denied-env", `#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
int main(void) {
	const char *gogc = getenv("GOGC");
	syscall(SYS_bpf, 0, 0, 0);
	return gogc && strcmp(gogc, "1") == 0 ? 0 : 4;
}
`)
	image := testimage.Build(t, "scan-env", testimage.Image{Files: map[string]string{"/denied": bin}, Entrypoint: []string{"/denied"},
		Env: []string{"SYSGATE_TRACE_MODE=seccomp", "GOGC=1", "GODEBUG=inittrace=1"}})
	r := scanImage(t, "--image", image, "--fail-on", "none")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	if c := findCall(r.obs, "/denied", "bpf", nil); c == nil || c.Errors["EPERM"] != 1 {
		t.Errorf("bpf: %+v, want its EPERM attempt (syscall stops, whatever the image's SYSGATE_TRACE_MODE)", c)
	}
	if exit := r.obs.Processes[0].Exit; exit == nil || exit.Code == nil || *exit.Code != 0 {
		t.Errorf("the image's command exited %+v, want 0: it must still see its own GOGC=1", exit)
	}
}

// TestScanSpawnerAndAgentUnderAttack: the image kills sysgate's spawner (its
// parent) and signals the agent with what would end a Go program (and is
// not forwarded to the entrypoint, as SIGTERM or SIGUSR2 would be).
func TestScanSpawnerAndAgentUnderAttack(t *testing.T) {
	t.Parallel()
	image := busybox(t, "scan-attack", nil, "kill -ABRT 1; kill -ALRM 1; kill -9 $PPID; sleep 0.5; echo survived")
	r := scanImage(t, "--image", image, "--fail-on", "none")
	if r.code != exitUntrusted {
		t.Errorf("exit %d, want 3 (the spawner's death loses the command's exit)", r.code)
	}
	if r.obs == nil {
		t.Fatal("no observation: the agent died")
	}
	want := "sysgate's spawner ended before the run did: the exit of the image's command and of exec steps are unknown"
	if !slices.Contains(r.obs.Incomplete, want) {
		t.Errorf("incomplete %q lacks %q", r.obs.Incomplete, want)
	}
	for _, w := range []string{"called kill on the tracer (pid 1) (2 times)", "called kill on sysgate's spawner"} {
		found := false
		for _, got := range r.obs.Tampering {
			found = found || strings.Contains(got, w)
		}
		if !found {
			t.Errorf("tampering %q does not record %q", r.obs.Tampering, w)
		}
	}
}

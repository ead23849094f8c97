package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sysgate/sysgate/internal/testimage"
	"github.com/sysgate/sysgate/sandbox"
)

func runGCArgs(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	code := runGC(ctx, args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestGCUsage(t *testing.T) {
	for _, args := range [][]string{{"--no-such-flag"}, {"extra"}} {
		if code, _, _ := runGCArgs(t, args...); code != exitUsage {
			t.Errorf("gc %q: exit %d, want %d", args, code, exitUsage)
		}
	}
}

func TestGCPodmanUnreachable(t *testing.T) {
	dead := "unix://" + filepath.Join(t.TempDir(), "nothing.sock")
	code, stdout, stderr := runGCArgs(t, "--connection", dead)
	if code != exitPodman || stdout != "" {
		t.Errorf("exit %d, stdout %q; want %d and nothing", code, stdout, exitPodman)
	}
	if !strings.Contains(stderr, "no Podman service answered") || !strings.Contains(stderr, dead) {
		t.Errorf("stderr %q should say which service did not answer", stderr)
	}
}

// TestGCRemovesLeftover leaves a running container behind, as a killed
// scan would, and removes it with gc --scan (gc without --scan would also
// remove the containers of other packages' tests running at the same time).
func TestGCRemovesLeftover(t *testing.T) {
	testimage.RequirePodman(t)
	img := testimage.Build(t, "gc", testimage.Image{
		Files: map[string]string{"/bin/busybox": testimage.Busybox}, Entrypoint: []string{"/bin/busybox", "sleep", "600"}})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c, err := sandbox.Connect(ctx, connectOptions(""))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	scan := fmt.Sprintf("gctest-%d", os.Getpid())
	ctr, err := c.Create(ctx, sandbox.Spec{Image: img, ScanID: scan})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Teardown(ctr.ID)
	if err := c.Start(ctx, ctr.ID); err != nil {
		t.Fatal(err)
	}

	code, stdout, stderr := runGCArgs(t, "--scan", scan)
	want := regexp.MustCompile(`^removed container ` + regexp.QuoteMeta(ctr.Name) + ` \([0-9a-f]{12}, scan ` + scan + `, running\)\n$`)
	if code != 0 || !want.MatchString(stdout) || stderr != "" {
		t.Errorf("exit %d, stdout %q, stderr %q; want 0 and %s", code, stdout, stderr, want)
	}
	if left, err := c.Managed(ctx, scan); err != nil || len(left) != 0 {
		t.Errorf("after gc: %v %v, want nothing left", left, err)
	}
	code, stdout, _ = runGCArgs(t, "--scan", scan)
	if code != 0 || stdout != "nothing to remove\n" {
		t.Errorf("second gc: exit %d, stdout %q; want 0, \"nothing to remove\\n\"", code, stdout)
	}
}

// Package testimage builds small container images for tests: FROM scratch,
// from static binaries (Debian's busybox-static, Go and C programs the test
// builds), with the podman CLI, tagged localhost/sysgate-test/NAME:UNIQUE and
// removed when the test ends. No registry is needed.
package testimage

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
)

// Busybox is where Debian's busybox-static installs its static binary.
const Busybox = "/bin/busybox"

// Image is an image to build FROM scratch.
type Image struct {
	// Files maps a path in the image to a file on this machine; the file's
	// mode is kept.
	Files      map[string]string
	Entrypoint []string
	Cmd        []string
	User       string
	Env        []string // KEY=VALUE
	WorkDir    string
	Labels     map[string]string
}

// RequirePodman skips the test when the podman binary is absent, naming it.
// CI installs it (scripts/deps), so there the tests run.
func RequirePodman(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("podman")
	if err != nil {
		t.Skipf("podman binary not found in PATH (%v): install podman and runc (scripts/deps does)", err)
	}
	return p
}

var seq atomic.Int64

// Tag is a unique tag for an image called name.
func Tag(name string) string {
	return fmt.Sprintf("localhost/sysgate-test/%s:%d-%d", name, os.Getpid(), seq.Add(1))
}

// Build builds img as localhost/sysgate-test/NAME:UNIQUE and removes it
// when the test ends.
func Build(t testing.TB, name string, img Image) string {
	t.Helper()
	RequirePodman(t)
	dir := t.TempDir()
	containerfile, err := buildContext(dir, img)
	if err != nil {
		t.Fatalf("image %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, "Containerfile"), []byte(containerfile), 0o644); err != nil {
		t.Fatal(err)
	}
	tag := Tag(name)
	// No intermediate images: tests building alike images at the same time
	// would share them, and one test's rmi would trip over another's.
	Podman(t, "build", "--quiet", "--layers=false", "--tag", tag, "--file", filepath.Join(dir, "Containerfile"), dir)
	Cleanup(t, tag)
	return tag
}

// Cleanup removes the image ref when the test ends. Without --force: a
// container left using it makes the removal, and so the test, fail.
func Cleanup(t testing.TB, ref string) {
	t.Cleanup(func() {
		if out, err := exec.Command("podman", "rmi", ref).CombinedOutput(); err != nil {
			t.Errorf("podman rmi %s: %v\n%s", ref, err, out)
		}
	})
}

// buildContext copies img's files into dir and returns the Containerfile.
func buildContext(dir string, img Image) (string, error) {
	var cf strings.Builder
	cf.WriteString("FROM scratch\n")
	for i, dst := range slices.Sorted(maps.Keys(img.Files)) {
		name := fmt.Sprintf("f%d", i)
		if err := copyFile(img.Files[dst], filepath.Join(dir, name)); err != nil {
			return "", err
		}
		fmt.Fprintf(&cf, "COPY %s %s\n", name, dst)
	}
	for _, kv := range img.Env {
		k, v, _ := strings.Cut(kv, "=")
		fmt.Fprintf(&cf, "ENV %s=%s\n", k, jsonString(v))
	}
	for _, k := range slices.Sorted(maps.Keys(img.Labels)) {
		fmt.Fprintf(&cf, "LABEL %s=%s\n", k, jsonString(img.Labels[k]))
	}
	if img.WorkDir != "" {
		fmt.Fprintf(&cf, "WORKDIR %s\n", img.WorkDir)
	}
	if img.User != "" {
		fmt.Fprintf(&cf, "USER %s\n", img.User)
	}
	if img.Entrypoint != nil {
		fmt.Fprintf(&cf, "ENTRYPOINT %s\n", jsonString(img.Entrypoint))
	}
	if img.Cmd != nil {
		fmt.Fprintf(&cf, "CMD %s\n", jsonString(img.Cmd))
	}
	return cf.String(), nil
}

func copyFile(src, dst string) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	fi, err := os.Stat(src)
	if err != nil {
		return err
	}
	return os.WriteFile(dst, b, fi.Mode().Perm())
}

func jsonString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// Podman runs the podman CLI and returns its stdout; a failure ends the test.
func Podman(t testing.TB, args ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := exec.Command("podman", args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("podman %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return strings.TrimSpace(stdout.String())
}

// GoStatic builds the Go program src (one main package file, standard
// library only) as a static binary and returns its path.
func GoStatic(t testing.TB, name, src string) string {
	t.Helper()
	dir := t.TempDir()
	file := filepath.Join(dir, name+".go")
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, name)
	cmd := exec.Command("go", "build", "-o", out, file)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GO111MODULE=off", "GOFLAGS=")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", name, err, b)
	}
	return out
}

// CStatic builds the C program src with gcc -static and returns its path.
func CStatic(t testing.TB, name, src string) string {
	t.Helper()
	dir := t.TempDir()
	file := filepath.Join(dir, name+".c")
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, name)
	if b, err := exec.Command("gcc", "-static", "-O1", "-Wall", "-o", out, file).CombinedOutput(); err != nil {
		t.Fatalf("gcc -static %s: %v\n%s", name, err, b)
	}
	return out
}

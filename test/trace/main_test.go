// Package trace_test holds the integration tests of `sysgate trace`: the
// binary is run against small static C victims (victims/*.c) and its
// observation is compared with strace's view of the same victims, with the
// victims' own exit statuses, and with the decoded arguments they are known to
// pass. They need gcc with a static glibc and strace; a missing one fails the
// run loudly rather than skipping it.
//
//	go test ./test/trace/ -count=1 -v
package trace_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

var (
	// moduleRoot is the directory of go.mod.
	moduleRoot string
	// sysgateBin is the built binary; sysgateErr says why there is none.
	sysgateBin string
	sysgateErr error
	// victimDir holds the built victims, one binary per victims/NAME.c.
	victimDir string
)

func TestMain(m *testing.M) {
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	tmp, err := os.MkdirTemp("", "sysgate-trace-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "test/trace:", err)
		return 1
	}
	defer os.RemoveAll(tmp)
	// The unprivileged tests run sysgate and the victims as nobody.
	if err := os.Chmod(tmp, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, "test/trace:", err)
		return 1
	}
	if tmp, err = filepath.EvalSymlinks(tmp); err != nil {
		fmt.Fprintln(os.Stderr, "test/trace:", err)
		return 1
	}
	if err := setup(tmp); err != nil {
		fmt.Fprintln(os.Stderr, "test/trace: setup failed:", err)
		return 1
	}
	return m.Run()
}

// setup builds the victims (a failure ends the run) and sysgate (a failure
// is reported by every test that needs it, so the harness's own tests still
// run while the CLI is being written).
func setup(tmp string) error {
	for _, tool := range []string{"gcc", "strace", "go"} {
		if _, err := exec.LookPath(tool); err != nil {
			return fmt.Errorf("%s is required (gcc with static glibc: apt-get install gcc libc6-dev; strace: apt-get install strace): %w", tool, err)
		}
	}
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return fmt.Errorf("go env GOMOD: not inside the module")
	}
	moduleRoot = filepath.Dir(gomod)

	victimDir = filepath.Join(tmp, "victims")
	if err := os.Mkdir(victimDir, 0o755); err != nil {
		return err
	}
	if err := buildVictims(victimDir); err != nil {
		return err
	}

	sysgateBin = filepath.Join(tmp, "sysgate")
	build := exec.Command("go", "build", "-o", sysgateBin, "github.com/sysgate/sysgate/cmd/sysgate")
	build.Dir = moduleRoot
	if out, err := build.CombinedOutput(); err != nil {
		sysgateErr = fmt.Errorf("go build cmd/sysgate: %v\n%s", err, out)
		fmt.Fprintln(os.Stderr, "test/trace: WARNING: sysgate does not build; every test that runs it will fail:\n", sysgateErr)
	}
	return nil
}

// buildVictims compiles every victims/*.c into dir, two at a time.
func buildVictims(dir string) error {
	srcs, err := filepath.Glob(filepath.Join("victims", "*.c"))
	if err != nil || len(srcs) == 0 {
		return fmt.Errorf("no victims/*.c found (cwd must be test/trace): %v", err)
	}
	var (
		mu   sync.Mutex
		errs []string
		wg   sync.WaitGroup
		sem  = make(chan struct{}, 2)
	)
	for _, src := range srcs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			name := strings.TrimSuffix(filepath.Base(src), ".c")
			cmd := exec.Command("gcc", "-static", "-O1", "-pthread", "-Wall", "-o", filepath.Join(dir, name), src)
			var buf bytes.Buffer
			cmd.Stdout, cmd.Stderr = &buf, &buf
			if err := cmd.Run(); err != nil {
				mu.Lock()
				errs = append(errs, fmt.Sprintf("gcc -static %s: %v\n%s", src, err, buf.String()))
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(errs) > 0 {
		return fmt.Errorf("building the victims (needs gcc and a static glibc, libc6-dev):\n%s", strings.Join(errs, "\n"))
	}
	return nil
}

// victim returns the path of a built victim.
func victim(name string) string {
	return filepath.Join(victimDir, name)
}

// needSysgate fails the test when sysgate did not build.
func needSysgate(t *testing.T) {
	t.Helper()
	if sysgateErr != nil {
		t.Fatalf("sysgate is not available: %v", sysgateErr)
	}
}

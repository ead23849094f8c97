package sandbox

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestCandidates(t *testing.T) {
	for _, tc := range []struct {
		name string
		o    Options
		euid int
		want []candidate
	}{
		{"explicit URI alone", Options{URI: "tcp://h:1", ContainerHost: "unix:///ch"}, 0,
			[]candidate{{"tcp://h:1", "--connection"}}},
		{"root", Options{}, 0,
			[]candidate{{RootfulSocket, "default rootful socket"}}},
		{"root with CONTAINER_HOST", Options{ContainerHost: "unix:///ch"}, 0,
			[]candidate{{"unix:///ch", "CONTAINER_HOST"}, {RootfulSocket, "default rootful socket"}}},
		{"rootless", Options{RuntimeDir: "/run/user/1000"}, 1000,
			[]candidate{{"unix:///run/user/1000/podman/podman.sock", "default rootless socket"}}},
		{"rootless without XDG_RUNTIME_DIR", Options{}, 1001,
			[]candidate{{"unix:///run/user/1001/podman/podman.sock", "default rootless socket"}}},
		{"private", Options{Private: true, ContainerHost: "unix:///ch"}, 0, nil},
	} {
		if got := candidates(tc.o, tc.euid, RootfulSocket); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
}

// startService runs `podman system service` on a socket of the test's,
// standing in for a service someone else runs, until the test ends.
func startTestService(t *testing.T) string {
	t.Helper()
	needPodman(t)
	uri := "unix://" + filepath.Join(t.TempDir(), "podman.sock")
	cmd := exec.Command("podman", "system", "service", "--time=0", uri)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	return uri
}

func TestConnectToRunningService(t *testing.T) {
	t.Parallel()
	uri := startTestService(t)
	ctx := testContext(t)
	for _, tc := range []struct {
		name, source string
		o            Options
		cands        []candidate
	}{
		{"default socket", "default rootful socket", Options{}, candidates(Options{}, 0, uri)},
		{"CONTAINER_HOST", "CONTAINER_HOST", Options{ContainerHost: uri}, nil},
		{"--connection", "--connection", Options{URI: uri}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cands := tc.cands
			if cands == nil {
				cands = candidates(tc.o, os.Geteuid(), RootfulSocket)
			}
			c, err := connectEventually(ctx, tc.o, cands)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			tried := c.Tried()
			if c.Private() || c.URI() != uri || tried[0].Source != tc.source || tried[0].Err != nil {
				t.Errorf("private %v, URI %s, tried %v; want %s answering as %s", c.Private(), c.URI(), tried, uri, tc.source)
			}
			if _, err := c.Host(ctx); err != nil {
				t.Error(err)
			}
		})
	}
}

// connectEventually retries while the test's service starts up.
func connectEventually(ctx context.Context, o Options, cands []candidate) (*Client, error) {
	o.URI = cands[0].uri // no private fallback while waiting
	for {
		c, err := connect(ctx, o, cands)
		if err == nil || time.Now().Add(time.Second).After(deadline(ctx)) {
			return c, err
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func deadline(ctx context.Context) time.Time {
	d, _ := ctx.Deadline()
	return d
}

func TestConnectExplicitDeadURIFails(t *testing.T) {
	needPodman(t)
	dead := "unix://" + filepath.Join(t.TempDir(), "nothing.sock")
	c, err := Connect(testContext(t), Options{URI: dead})
	if err == nil {
		c.Close()
		t.Fatalf("connected to %s (private %v); want an error", c.URI(), c.Private())
	}
	var ce *ConnectError
	if !errors.Is(err, ErrUnreachable) || !errors.As(err, &ce) || len(ce.Tried) != 1 {
		t.Fatalf("got %v, want a ConnectError with one attempt", err)
	}
	if msg := err.Error(); !strings.Contains(msg, dead) || !strings.Contains(msg, "--connection") {
		t.Errorf("message %q should name %s and say what to do", msg, dead)
	}
}

func TestConnectFallsBackFromDeadContainerHost(t *testing.T) {
	needPodman(t)
	dead := "unix://" + filepath.Join(t.TempDir(), "nothing.sock")
	// As cmd/sysgate finds it: set, so the private podman must not see it,
	// or it would be a client of that dead service.
	t.Setenv("CONTAINER_HOST", dead)
	ctx := testContext(t)
	c, err := Connect(ctx, Options{ContainerHost: dead})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	tried := c.Tried()
	if tried[0].URI != dead || tried[0].Source != "CONTAINER_HOST" || tried[0].Err == nil {
		t.Errorf("first attempt %v, want the dead CONTAINER_HOST", tried[0])
	}
	last := tried[len(tried)-1]
	if last.Err != nil || last.URI != c.URI() {
		t.Errorf("last attempt %v, want the one answering at %s", last, c.URI())
	}
	if _, err := c.Host(ctx); err != nil {
		t.Error(err)
	}
	t.Logf("tried: %v", tried)
}

func TestPrivateServiceLifecycle(t *testing.T) {
	t.Parallel()
	needPodman(t)
	ctx := testContext(t)
	c, err := Connect(ctx, Options{Private: true})
	if err != nil {
		t.Fatal(err)
	}
	svc := c.service
	if !c.Private() || svc == nil || !strings.HasPrefix(filepath.Base(svc.dir), ServiceDirPrefix) {
		t.Fatalf("private %v, service %+v", c.Private(), svc)
	}
	h, err := c.Host(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("private service: %s, podman %s, runtime %s, rootless %v, cgroup %s", c.URI(), h.Version, h.Runtime, h.Rootless, h.CgroupVersion)
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-svc.done:
	default:
		t.Error("service still running after Close")
	}
	if _, err := os.Stat(svc.dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("service directory %s: %v, want it removed", svc.dir, err)
	}
}

func TestPrivateServiceWithoutPodman(t *testing.T) {
	_, err := Connect(testContext(t), Options{Private: true, Podman: "/nonexistent/podman"})
	if !errors.Is(err, ErrUnreachable) || !strings.Contains(err.Error(), "install podman") {
		t.Errorf("got %v, want ErrUnreachable saying to install podman", err)
	}
}

func TestPrivateServiceThatExits(t *testing.T) {
	fake := filepath.Join(t.TempDir(), "podman")
	if err := os.WriteFile(fake, []byte("#!/bin/sh\necho 'cannot start: no storage' >&2\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err := Connect(testContext(t), Options{Private: true, Podman: fake})
	if !errors.Is(err, ErrUnreachable) || !strings.Contains(err.Error(), "cannot start: no storage") {
		t.Errorf("got %v, want ErrUnreachable with the service's own words", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("took %v to notice the service exited", d)
	}
}

func TestPrivateServiceThatNeverAnswers(t *testing.T) {
	fake := filepath.Join(t.TempDir(), "podman")
	if err := os.WriteFile(fake, []byte("#!/bin/sh\nexec sleep 60\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	_, err := Connect(testContext(t), Options{Private: true, Podman: fake, StartTimeout: time.Second})
	if !errors.Is(err, ErrUnreachable) || !strings.Contains(err.Error(), "did not answer within 1s") {
		t.Errorf("got %v, want ErrUnreachable saying it did not answer", err)
	}
}

package sandbox

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// The integration tests share one client: the default socket when a service
// answers there, else a private service, as Connect finds them.
var (
	client     *Client
	scanPrefix = fmt.Sprintf("sandboxtest-%d-", os.Getpid())
	scanSeq    atomic.Int64
)

func TestMain(m *testing.M) {
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	if _, err := exec.LookPath("podman"); err != nil {
		// The integration tests skip, naming podman; the unit tests run.
		return m.Run()
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	c, err := Connect(ctx, Options{})
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "sandbox tests: connect to podman:", err)
		return 1
	}
	client = c
	code := m.Run()
	if err := checkNoneLeft(c); err != nil {
		fmt.Fprintln(os.Stderr, "sandbox tests:", err)
		code = 1
	}
	if err := c.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "sandbox tests: close:", err)
		code = 1
	}
	return code
}

// checkNoneLeft fails when a container of these tests' scans remains.
// (Containers of other packages' scans may be running at the same time.)
func checkNoneLeft(c *Client) error {
	list, err := c.Managed(context.Background(), "")
	if err != nil {
		return err
	}
	var left []string
	for _, m := range list {
		if strings.HasPrefix(m.ScanID, scanPrefix) {
			left = append(left, fmt.Sprintf("%s (%s, scan %s)", m.Name, m.State, m.ScanID))
		}
	}
	if len(left) > 0 {
		return fmt.Errorf("containers left behind: %s", strings.Join(left, ", "))
	}
	return nil
}

// needPodman returns the shared client, or skips when podman is absent.
func needPodman(t *testing.T) *Client {
	t.Helper()
	if client == nil {
		t.Skip("podman binary not found in PATH: install podman and runc (scripts/deps does)")
	}
	return client
}

// newScan gives the test a scan ID and checks, when it ends, that no
// container of that scan remains.
func newScan(t *testing.T) string {
	t.Helper()
	id := fmt.Sprintf("%s%d", scanPrefix, scanSeq.Add(1))
	t.Cleanup(func() {
		list, err := client.Managed(context.Background(), id)
		if err != nil {
			t.Errorf("list containers of scan %s: %v", id, err)
			return
		}
		for _, m := range list {
			t.Errorf("container %s (%s) of scan %s left behind", m.Name, m.State, id)
			client.Remove(context.Background(), m.ID)
		}
	})
	return id
}

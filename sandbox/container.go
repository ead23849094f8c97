package sandbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/containers/podman/v5/pkg/bindings/containers"
	"github.com/containers/podman/v5/pkg/errorhandling"
)

// TeardownTimeout bounds Teardown, which runs on a fresh context.
const TeardownTimeout = 60 * time.Second

// Container is a created container.
type Container struct {
	ID     string
	Name   string
	ScanID string
	// Warnings say what of the Spec the host could not apply, for the
	// observation: "cgroup limits not applied: ...", and Podman's own.
	Warnings []string
}

// Create creates a container as s says, not started. On failure nothing
// is left behind.
func (c *Client) Create(ctx context.Context, s Spec) (Container, error) {
	host, err := c.hostInfo(ctx)
	if err != nil {
		return Container{}, fmt.Errorf("create container for %s: %w", s.Image, err)
	}
	rl, err := DefaultRlimits()
	if err != nil {
		return Container{}, fmt.Errorf("create container for %s: %w", s.Image, err)
	}
	if s.ScanID == "" {
		s.ScanID = randomHex(6)
	}
	name := containerName(s.ScanID)
	g, warnings := specGen(s, name, rl, host)
	resp, err := containers.CreateWithSpec(c.bind(ctx), g, nil)
	if err != nil {
		// The service may have created it before ctx ended.
		c.Teardown(name)
		return Container{}, fmt.Errorf("create container for %s: %w", s.Image, err)
	}
	return Container{ID: resp.ID, Name: name, ScanID: s.ScanID, Warnings: append(warnings, resp.Warnings...)}, nil
}

// WithContainer creates a container, calls fn with it, and removes it
// whatever happens: fn's error, a panic, ctx's cancellation or timeout.
func (c *Client) WithContainer(ctx context.Context, s Spec, fn func(context.Context, Container) error) (err error) {
	ctr, err := c.Create(ctx, s)
	if err != nil {
		return err
	}
	defer func() {
		if rerr := c.Teardown(ctr.ID); rerr != nil && err == nil {
			err = rerr
		}
	}()
	return fn(ctx, ctr)
}

// Start starts a created container.
func (c *Client) Start(ctx context.Context, id string) error {
	if err := containers.Start(c.bind(ctx), id, nil); err != nil {
		return startError(id, err)
	}
	return nil
}

// startError explains the one start failure this host is known for.
func startError(id string, err error) error {
	if strings.Contains(err.Error(), "setting rlimit") {
		return fmt.Errorf("start container %s: %w (the rlimits exceed what the Podman service may set: give lower NoFile/NProc)", id, err)
	}
	return fmt.Errorf("start container %s: %w", id, err)
}

// Streams receive the output of a container or an exec session, byte for
// byte. A nil writer drops that stream.
type Streams struct {
	Stdout, Stderr io.Writer
}

// Attachment is a started container's output being copied to Streams.
type Attachment struct {
	done chan struct{}
	err  error
}

// Done is closed when both streams have ended: the container exited, or
// the context of StartAttached ended.
func (a *Attachment) Done() <-chan struct{} { return a.done }

// Wait waits for Done and says why the copy ended, nil for the
// container's exit.
func (a *Attachment) Wait() error {
	<-a.done
	return a.err
}

// StartAttached attaches to a created container's stdout and stderr, then
// starts it, so that nothing it writes is missed. Wait for the container
// (Wait), then for the attachment, to have all its output.
func (c *Client) StartAttached(ctx context.Context, id string, s Streams) (*Attachment, error) {
	actx, release, err := c.dedicated(ctx)
	if err != nil {
		return nil, fmt.Errorf("attach to container %s: %w", id, err)
	}
	ready := make(chan bool, 1)
	a := &Attachment{done: make(chan struct{})}
	stdout, stderr := writerOrDiscard(s.Stdout), writerOrDiscard(s.Stderr)
	go func() {
		defer close(a.done)
		defer release()
		a.err = containers.Attach(actx, id, nil, stdout, stderr, ready, nil)
	}()
	select {
	case <-ready:
	case <-a.done:
		return nil, fmt.Errorf("attach to container %s: %w", id, a.err)
	}
	if err := c.Start(ctx, id); err != nil {
		return nil, err
	}
	return a, nil
}

// writer is a pointer wrapper: the bindings test writers with
// reflect's IsNil, which panics on non-pointer types such as io.Discard's.
type writer struct{ w io.Writer }

func (w *writer) Write(p []byte) (int, error) { return w.w.Write(p) }

func writerOrDiscard(w io.Writer) *writer {
	if w == nil {
		return &writer{io.Discard}
	}
	return &writer{w}
}

// Wait waits until the container has exited and gives its exit code
// (128+N when signal N killed it).
func (c *Client) Wait(ctx context.Context, id string) (int, error) {
	code, err := containers.Wait(c.bind(ctx), id, nil)
	if err != nil {
		if ctx.Err() != nil {
			return -1, fmt.Errorf("wait for container %s: %w", id, ctx.Err())
		}
		return -1, fmt.Errorf("wait for container %s: %w", id, err)
	}
	return int(code), nil
}

// Kill sends sig to the container's first process.
func (c *Client) Kill(ctx context.Context, id string, sig syscall.Signal) error {
	opts := new(containers.KillOptions).WithSignal(strconv.Itoa(int(sig)))
	if err := containers.Kill(c.bind(ctx), id, opts); err != nil {
		return fmt.Errorf("kill container %s with signal %d: %w", id, int(sig), err)
	}
	return nil
}

// Remove removes the container, running or not, with its anonymous
// volumes. A container that is already gone is not an error.
func (c *Client) Remove(ctx context.Context, id string) error {
	opts := new(containers.RemoveOptions).WithForce(true).WithVolumes(true).WithTimeout(0)
	reports, err := containers.Remove(c.bind(ctx), id, opts)
	if err == nil {
		for _, r := range reports {
			if r.Err != nil {
				err = errors.Join(err, r.Err)
			}
		}
	}
	if err != nil && !isNotFound(err) {
		return fmt.Errorf("remove container %s: %w", id, err)
	}
	return nil
}

// Teardown removes the container on a fresh context bounded by
// TeardownTimeout, so that it runs also after the caller's context was
// cancelled or timed out.
func (c *Client) Teardown(id string) error {
	ctx, cancel := context.WithTimeout(context.Background(), TeardownTimeout)
	defer cancel()
	return c.Remove(ctx, id)
}

// isNotFound tells whether the service answered 404.
func isNotFound(err error) bool {
	var em *errorhandling.ErrorModel
	return errors.As(err, &em) && em.ResponseCode == http.StatusNotFound
}

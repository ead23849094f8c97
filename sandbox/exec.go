package sandbox

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"time"

	"github.com/containers/podman/v5/pkg/api/handlers"
	"github.com/containers/podman/v5/pkg/bindings/containers"
	dockerContainer "github.com/docker/docker/api/types/container"
)

// ExecSpec is a command to run in a running container.
type ExecSpec struct {
	Argv []string
	// Env is added to the container's environment.
	Env map[string]string
	// User and WorkDir replace the container's when not empty.
	User, WorkDir string
	// Stdout and Stderr receive the output; a nil one is captured into
	// ExecResult instead.
	Stdout, Stderr io.Writer
}

// ExecResult is how an exec session ended.
type ExecResult struct {
	ExitCode int
	// Stdout and Stderr hold what was captured (see ExecSpec).
	Stdout, Stderr []byte
}

// Exec runs e in the container and waits for it to exit.
func (c *Client) Exec(ctx context.Context, id string, e ExecSpec) (ExecResult, error) {
	if len(e.Argv) == 0 {
		return ExecResult{ExitCode: -1}, fmt.Errorf("exec in container %s: no command", id)
	}
	session, err := containers.ExecCreate(c.bind(ctx), id, execConfig(e))
	if err != nil {
		return ExecResult{ExitCode: -1}, fmt.Errorf("exec %q in container %s: %w", e.Argv[0], id, err)
	}
	var stdout, stderr bytes.Buffer
	if err := c.execAttach(ctx, session, pick(e.Stdout, &stdout), pick(e.Stderr, &stderr)); err != nil {
		return ExecResult{ExitCode: -1}, fmt.Errorf("exec %q in container %s: %w", e.Argv[0], id, err)
	}
	code, err := c.execExitCode(ctx, session)
	if err != nil {
		return ExecResult{ExitCode: -1}, fmt.Errorf("exec %q in container %s: %w", e.Argv[0], id, err)
	}
	return ExecResult{ExitCode: code, Stdout: stdout.Bytes(), Stderr: stderr.Bytes()}, nil
}

func execConfig(e ExecSpec) *handlers.ExecCreateConfig {
	var env []string
	for _, k := range slices.Sorted(maps.Keys(e.Env)) {
		env = append(env, k+"="+e.Env[k])
	}
	return &handlers.ExecCreateConfig{ExecOptions: dockerContainer.ExecOptions{
		Cmd: e.Argv, Env: env, User: e.User, WorkingDir: e.WorkDir,
		AttachStdout: true, AttachStderr: true,
	}}
}

func pick(w io.Writer, buf *bytes.Buffer) io.Writer {
	if w != nil {
		return &writer{w}
	}
	return buf
}

// execAttach starts the session and copies its output until it ends.
func (c *Client) execAttach(ctx context.Context, session string, stdout, stderr io.Writer) error {
	dctx, release, err := c.dedicated(ctx)
	if err != nil {
		return err
	}
	defer release()
	opts := new(containers.ExecStartAndAttachOptions).
		WithOutputStream(stdout).WithErrorStream(stderr).
		WithAttachOutput(true).WithAttachError(true)
	return containers.ExecStartAndAttach(dctx, session, opts)
}

// execExitCode asks for the session's exit code, waiting briefly for the
// service to notice the exit after the streams closed.
func (c *Client) execExitCode(ctx context.Context, session string) (int, error) {
	for range 100 {
		s, err := containers.ExecInspect(c.bind(ctx), session, nil)
		if err != nil {
			return -1, err
		}
		if !s.Running {
			return s.ExitCode, nil
		}
		select {
		case <-ctx.Done():
			return -1, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
	return -1, errors.New("the session's output ended but it is still running")
}

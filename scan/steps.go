package scan

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sysgate/sysgate/agent"
	"github.com/sysgate/sysgate/sandbox"
	"github.com/sysgate/sysgate/workload"
)

// replay runs the workload's steps in order, then ends the run: a service
// is stopped, a job is left to finish. A step that fails ends the steps: the
// run is not trustworthy, and the image is stopped as a service would be.
func (s *scanner) replay(ctx context.Context) {
	w := s.opts.Workload
	failed := false
	for i, step := range w.Steps {
		s.progress(fmt.Sprintf("step %d/%d %s (%s)", i+1, len(w.Steps), step.Name, step.Kind()))
		if err := s.step(ctx, step); err != nil {
			if ctx.Err() != nil {
				return // await says why
			}
			s.untrusted(fmt.Sprintf("workload step %q (%s:%d) failed: %v", step.Name, w.Path, step.Pos.Line, err))
			failed = true
			break
		}
	}
	if w.Mode == workload.Service || failed {
		what := "the service"
		if w.Mode != workload.Service {
			what = "the job, its step having failed"
		}
		s.progress("stopping " + what + " (" + w.StopSignal + ", grace " + w.StopGrace.String() + ")")
		sig, _ := workload.Signal(w.StopSignal)
		s.helper(ctx, "stop", workload.ShutdownStep, nil, "--signal", strconv.Itoa(int(sig)), "--grace", w.StopGrace.String())
		return
	}
	if len(w.Steps) > 0 {
		s.helper(ctx, "mark", workload.ShutdownStep, nil)
	}
	s.progress("waiting for the job to finish")
}

func (s *scanner) step(ctx context.Context, step workload.Step) error {
	ctx, cancel := context.WithTimeout(ctx, step.Timeout)
	defer cancel()
	err := s.action(ctx, step)
	if err != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
		// What failed inside (a closed connection to Podman) says less
		// than this.
		err = fmt.Errorf("timed out after %s", step.Timeout)
	}
	return err
}

func (s *scanner) action(ctx context.Context, step workload.Step) error {
	switch {
	case step.Exec != nil:
		return s.exec(ctx, step)
	case step.HTTP != nil:
		return s.http(ctx, step)
	case step.WaitFor != nil:
		return s.waitFor(ctx, step)
	case step.Signal != "":
		sig, _ := workload.Signal(step.Signal)
		res, err := s.helper(ctx, "signal", step.Name, nil, "--signal", strconv.Itoa(int(sig)))
		return helperFailed(res, err, "send "+step.Signal)
	case step.Copy != nil:
		return s.copy(ctx, step)
	}
	return fmt.Errorf("step %q has no action", step.Name)
}

// helper runs sysgate's helper in the container (podman exec).
func (s *scanner) helper(ctx context.Context, kind, step string, argv []string, flags ...string) (sandbox.ExecResult, error) {
	cmd := append([]string{AgentPath, agent.ExecArg, "--socket", s.socket, "--kind", kind, "--step", step}, flags...)
	if argv != nil {
		cmd = append(append(cmd, "--"), argv...)
	}
	return s.client.Exec(ctx, s.ctr.ID, sandbox.ExecSpec{Argv: cmd})
}

func helperFailed(res sandbox.ExecResult, err error, what string) error {
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if res.ExitCode != 0 {
		return fmt.Errorf("%s: %s", what, firstLine(res.Stderr, fmt.Sprintf("exit status %d", res.ExitCode)))
	}
	return nil
}

func (s *scanner) exec(ctx context.Context, step workload.Step) error {
	e := step.Exec
	var flags []string
	for _, k := range slices.Sorted(maps.Keys(e.Env)) {
		flags = append(flags, "--env", k+"="+e.Env[k])
	}
	if e.Workdir != "" {
		flags = append(flags, "--dir", e.Workdir)
	}
	res, err := s.helper(ctx, "exec", step.Name, e.Argv, flags...)
	if err != nil {
		return fmt.Errorf("run %s: %w", e.Argv[0], err)
	}
	want := 0
	if step.Expect.ExitCode != nil {
		want = *step.Expect.ExitCode
	}
	if res.ExitCode != want {
		return fmt.Errorf("%s exited with %d, expected %d%s", e.Argv[0], res.ExitCode, want, stderrNote(res.Stderr))
	}
	if sub := step.Expect.StdoutContains; sub != "" && !bytes.Contains(res.Stdout, []byte(sub)) {
		return fmt.Errorf("the output of %s does not contain %q", e.Argv[0], sub)
	}
	return nil
}

func (s *scanner) http(ctx context.Context, step workload.Step) error {
	h := step.HTTP
	flags := []string{"--port", strconv.Itoa(h.Port), "--method", h.Method, "--path", h.Path,
		"--timeout", step.Timeout.String()}
	for _, k := range slices.Sorted(maps.Keys(h.Headers)) {
		flags = append(flags, "--header", k+": "+h.Headers[k])
	}
	if h.Body != "" {
		flags = append(flags, "--body", h.Body)
	}
	res, err := s.helper(ctx, "http", step.Name, nil, flags...)
	if err != nil {
		return fmt.Errorf("%s %s: %w", h.Method, h.Path, err)
	}
	var pr agent.ProbeResult
	if jerr := json.Unmarshal(res.Stdout, &pr); jerr != nil {
		return fmt.Errorf("%s %s: the probe failed: %s", h.Method, h.Path, firstLine(res.Stderr, jerr.Error()))
	}
	if pr.Error != "" {
		return fmt.Errorf("%s 127.0.0.1:%d%s: %s", h.Method, h.Port, h.Path, pr.Error)
	}
	if want := step.Expect.Status; want != nil && pr.Status != *want {
		return fmt.Errorf("%s %s answered %d, expected %d", h.Method, h.Path, pr.Status, *want)
	}
	if sub := step.Expect.BodyContains; sub != "" && !bytes.Contains(pr.Body, []byte(sub)) {
		return fmt.Errorf("the body of %s %s does not contain the expected text (%d bytes received)", h.Method, h.Path, len(pr.Body))
	}
	return nil
}

func (s *scanner) waitFor(ctx context.Context, step workload.Step) error {
	w := step.WaitFor
	switch {
	case w.Port != 0:
		res, err := s.helper(ctx, "port", step.Name, nil, "--port", strconv.Itoa(w.Port), "--timeout", step.Timeout.String())
		return helperFailed(res, err, fmt.Sprintf("wait for port %d", w.Port))
	case w.Log != nil:
		if err := s.mark(ctx, step.Name); err != nil {
			return err
		}
		if !s.coll.waitLog(ctx, w.Log) {
			return fmt.Errorf("no line of the image's output matched %q", w.LogText)
		}
		return nil
	}
	if err := s.mark(ctx, step.Name); err != nil {
		return err
	}
	select {
	case <-time.After(w.Duration):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *scanner) copy(ctx context.Context, step workload.Step) error {
	c := step.Copy
	if err := s.mark(ctx, step.Name); err != nil {
		return err
	}
	f, err := os.Open(c.From)
	if err != nil {
		return fmt.Errorf("copy %s: %w", c.From, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("copy %s: %w", c.From, err)
	}
	return s.client.CopyIn(ctx, s.ctr.ID, sandbox.File{Path: c.To, Mode: c.Mode, Size: st.Size(), Content: f})
}

// mark names the step the following calls belong to.
func (s *scanner) mark(ctx context.Context, step string) error {
	res, err := s.helper(ctx, "mark", step, nil)
	return helperFailed(res, err, "name the step in the agent")
}

func firstLine(b []byte, fallback string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(string(b)), "\n")
	if line == "" {
		return fallback
	}
	return line
}

func stderrNote(b []byte) string {
	if line := firstLine(b, ""); line != "" {
		return " (stderr: " + line + ")"
	}
	return ""
}

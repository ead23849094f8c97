package scan

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/sysgate/sysgate/agent"
	"github.com/sysgate/sysgate/observation"
	"github.com/sysgate/sysgate/sandbox"
	"github.com/sysgate/sysgate/workload"
)

// Where the agent lives in the container.
const (
	AgentDir  = "/.sysgate/bin"
	AgentPath = AgentDir + "/sysgate"
)

// Options say what to scan and how.
type Options struct {
	Image    string
	Pull     sandbox.PullPolicy
	Connect  sandbox.Options
	Workload *workload.Workload // nil: run the image as a job with no steps
	// Timeout bounds the run from the container's start; 0 means the
	// workload's, else workload.DefaultTimeout.
	Timeout time.Duration
	// Self is the static sysgate binary put into the container; "" means
	// this process's executable.
	Self string
	// Spec carries overrides of the container (user, read-only root,
	// tmpfs, limits); Image, Entrypoint and Cmd are set by Run.
	Spec sandbox.Spec
	// Progress receives one line per phase and step; nil drops them.
	Progress func(string)
	// Output receives the image's own stdout and stderr; nil drops them.
	Output io.Writer
}

// Result is a scan that ran.
type Result struct {
	Observation *observation.Observation
	Image       sandbox.ImageConfig
	// Status is the entrypoint's exit status (128+N for signal N), -1 when
	// unknown.
	Status int
	// Untrusted says why the run cannot be trusted (also in the
	// observation's incomplete list); empty for a trustworthy run.
	Untrusted []string
	// Tail is the end of the image's output, for a failed run's message.
	Tail []string
}

// SetupError is a scan that could not start: Podman unreachable, image
// missing, an image sysgate cannot run. Nothing ran, no observation exists.
type SetupError struct{ Err error }

func (e *SetupError) Error() string { return e.Err.Error() }
func (e *SetupError) Unwrap() error { return e.Err }

// Run scans opts.Image. It returns a *SetupError when nothing could run;
// once the container started it returns a Result, with the observation, in
// every case (an interrupted or timed-out run is marked incomplete).
func Run(ctx context.Context, opts Options) (*Result, error) {
	s := &scanner{opts: opts, progress: opts.Progress}
	if s.progress == nil {
		s.progress = func(string) {}
	}
	if s.opts.Workload == nil {
		s.opts.Workload = workload.Default()
	}
	return s.run(ctx)
}

type scanner struct {
	opts     Options
	progress func(string)
	client   *sandbox.Client
	image    sandbox.ImageConfig
	argv     []string
	socket   string
	ctr      sandbox.Container
	coll     *collector
	res      *Result
	killed   bool // the run was cut short (timeout, interrupt)
}

func (s *scanner) run(ctx context.Context) (*Result, error) {
	s.progress("connecting to Podman")
	client, err := sandbox.Connect(ctx, s.opts.Connect)
	if err != nil {
		return nil, &SetupError{err}
	}
	defer client.Close()
	s.client = client
	if err := s.prepare(ctx); err != nil {
		return nil, &SetupError{err}
	}
	binary, err := s.agentBinary()
	if err != nil {
		return nil, &SetupError{err}
	}
	defer binary.Close()
	s.res = &Result{Image: s.image, Status: -1}
	err = client.WithContainer(ctx, s.spec(), func(ctx context.Context, ctr sandbox.Container) error {
		s.ctr = ctr
		return s.inContainer(ctx, binary)
	})
	if s.coll == nil { // the container never started
		if err == nil {
			err = errors.New("the container did not start")
		}
		return nil, &SetupError{err}
	}
	if err != nil {
		s.untrusted("podman: " + err.Error())
	}
	s.finish()
	return s.res, nil
}

// prepare makes sure the image is there and sysgate can run it.
func (s *scanner) prepare(ctx context.Context) error {
	s.progress("preparing image " + s.opts.Image)
	img, err := s.client.EnsureImage(ctx, s.opts.Image, sandbox.ImageOptions{Pull: s.opts.Pull, Progress: s.progress})
	if err != nil {
		return err
	}
	if img.OS != "" && img.OS != "linux" {
		return fmt.Errorf("image %s is for %s: sysgate traces Linux images only", s.opts.Image, img.OS)
	}
	if img.Arch != "" && img.Arch != runtime.GOARCH {
		return fmt.Errorf("image %s is for %s, and this sysgate is built for %s: its tracer cannot run in that image; scan it on a %s machine, or with a sysgate built for %s (GOARCH=%s)",
			s.opts.Image, img.Arch, runtime.GOARCH, img.Arch, img.Arch, img.Arch)
	}
	s.image = img
	s.argv = commandOf(img, s.opts.Spec)
	if len(s.argv) == 0 {
		return fmt.Errorf("image %s has neither an ENTRYPOINT nor a CMD: nothing to run", s.opts.Image)
	}
	s.socket = "sysgate-" + randomHex(8)
	return nil
}

// commandOf is what the container would run: the image's ENTRYPOINT and
// CMD, or the spec's overrides, as podman run --entrypoint treats them.
func commandOf(img sandbox.ImageConfig, spec sandbox.Spec) []string {
	entry, cmd := img.Entrypoint, img.Cmd
	if len(spec.Entrypoint) > 0 {
		entry, cmd = spec.Entrypoint, nil
	}
	if len(spec.Cmd) > 0 {
		cmd = spec.Cmd
	}
	return append(append([]string(nil), entry...), cmd...)
}

func (s *scanner) agentBinary() (*os.File, error) {
	path := s.opts.Self
	if path == "" {
		var err error
		if path, err = os.Executable(); err != nil {
			return nil, fmt.Errorf("find sysgate's own binary to put into the container: %w", err)
		}
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open sysgate's own binary to put into the container: %w", err)
	}
	return f, nil
}

// spec wraps the image's command in the agent.
func (s *scanner) spec() sandbox.Spec {
	spec := s.opts.Spec
	spec.Image = s.image.ID
	spec.Entrypoint = append([]string{AgentPath, agent.AgentArg, "--socket", s.socket, "--"}, s.argv...)
	spec.Cmd = nil
	return spec
}

func (s *scanner) inContainer(ctx context.Context, binary *os.File) error {
	st, err := binary.Stat()
	if err != nil {
		return err
	}
	s.progress("starting the container (" + s.ctr.Name + ")")
	if err := s.client.CopyIn(ctx, s.ctr.ID, sandbox.File{Path: AgentPath, Mode: 0o755, Size: st.Size(), Content: binary}); err != nil {
		return fmt.Errorf("put the agent into the container: %w", err)
	}
	pr, pw := io.Pipe()
	s.coll = newCollector(s.opts.Output, func(msg string) { s.progress(printable(msg)) })
	consumed := make(chan struct{})
	go func() { s.coll.consume(pr); close(consumed) }()
	att, err := s.client.StartAttached(ctx, s.ctr.ID, sandbox.Streams{Stdout: pw, Stderr: &sandbox.LineWriter{Emit: s.agentLine}})
	if err != nil {
		pw.Close()
		<-consumed
		return err
	}
	go func() { att.Wait(); pw.Close() }()
	runCtx, cancel := context.WithTimeout(ctx, s.timeout())
	defer cancel()
	if s.coll.waitReady(runCtx) {
		s.replay(runCtx)
	}
	s.await(runCtx, consumed)
	return nil
}

func (s *scanner) timeout() time.Duration {
	switch {
	case s.opts.Timeout > 0:
		return s.opts.Timeout
	case s.opts.Workload.Timeout > 0:
		return s.opts.Workload.Timeout
	}
	return workload.DefaultTimeout
}

// await waits for the agent's stream to end: the entrypoint exited (a job,
// or a stopped service), or the run's time is up.
func (s *scanner) await(ctx context.Context, consumed <-chan struct{}) {
	select {
	case <-consumed:
		return
	case <-ctx.Done():
	}
	s.killed = true
	if cause := context.Cause(ctx); errors.Is(cause, context.DeadlineExceeded) {
		s.untrusted(fmt.Sprintf("timeout: the run did not end within %s; the container was killed", s.timeout()))
	} else {
		s.untrusted("interrupted: " + cause.Error() + "; the container was killed")
	}
	// Have the agent kill everything and send what it saw up to now; the
	// container goes in any case.
	stopCtx, cancel := context.WithTimeout(context.Background(), lastWords)
	defer cancel()
	s.progress("stopping the run")
	s.helper(stopCtx, "stop", workload.ShutdownStep, nil, "--signal", "9", "--grace", "0s")
	select {
	case <-consumed:
	case <-stopCtx.Done():
	}
	s.client.Teardown(s.ctr.ID)
	select {
	case <-consumed:
	case <-time.After(10 * time.Second):
	}
}

// lastWords bounds how long a timed-out or interrupted run waits for the
// agent's last snapshot before the container is removed.
const lastWords = 5 * time.Second

func (s *scanner) untrusted(why string) {
	s.res.Untrusted = append(s.res.Untrusted, why)
}

// finish turns the last snapshot into the scan's observation.
func (s *scanner) finish() {
	obs, end, cut := s.coll.result()
	if obs == nil {
		obs = observation.NewBuilder(observation.Subject{}, observation.DefaultLimits).Observation()
		s.untrusted("the agent sent no observation")
	}
	if cut != nil && !s.killed {
		s.untrusted("the agent's stream was cut: " + cut.Error())
	}
	if end != nil {
		s.res.Status = end.Status
		if end.Error != "" {
			s.untrusted("the agent failed: " + end.Error)
		} else if !s.coll.started() {
			// Nothing of the image ran: no verdict on it can pass.
			s.untrusted(fmt.Sprintf("the image's command %q could not start (status %d); nothing of the image ran", strings.Join(s.argv, " "), end.Status))
		}
	}
	obs.Subject = observation.Subject{Command: s.argv, Image: &observation.Image{
		Ref: s.opts.Image, Digest: s.image.Digest, Arch: s.image.Arch}}
	obs.Notes = append(obs.Notes, s.ctr.Warnings...)
	obs.Incomplete = append(obs.Incomplete, s.res.Untrusted...)
	obs.Complete = len(obs.Incomplete) == 0
	s.res.Observation = obs
	for _, line := range s.coll.tail(20) {
		s.res.Tail = append(s.res.Tail, printable(line))
	}
}

// agentLine is a line the agent (or the runtime) wrote on stderr.
func (s *scanner) agentLine(line string) { s.progress(printable(line)) }

// printable escapes control characters, so that nothing the container
// writes can drive the user's terminal.
func printable(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r < 0x20 && r != '\t' || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			fmt.Fprintf(&b, "\\x%02x", r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

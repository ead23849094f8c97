package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/sysgate/sysgate/observation"
	"github.com/sysgate/sysgate/tracer"
)

// trace exits as env(1) and timeout(1) do: the command's own status,
// 128+N when signal N killed it, 126/127 when it cannot be executed or is
// not found, 125 when sysgate itself fails.
const (
	exitTraceFailure = tracer.ExitFailure
)

type traceFlags struct {
	observation string
	events      string
	quiet       bool
	maxTasks    int
	argv        []string
}

func parseTraceFlags(args []string, stderr io.Writer) (*traceFlags, error) {
	f := &traceFlags{}
	fs := flag.NewFlagSet("sysgate trace", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&f.observation, "observation", "", "write the observation (JSON) to `FILE`")
	fs.StringVar(&f.events, "events", "", "stream every call as a JSON line to `FILE`")
	fs.BoolVar(&f.quiet, "quiet", false, "do not print the summary table")
	fs.IntVar(&f.maxTasks, "max-tasks", tracer.DefaultMaxTasks, "budget of live traced threads; tasks beyond it are killed and the observation marked incomplete")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: sysgate trace [--observation FILE] [--events FILE] [--quiet] [--max-tasks N] -- CMD [ARG...]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	f.argv = fs.Args()
	if len(f.argv) == 0 {
		fs.Usage()
		return nil, errors.New("no command to trace")
	}
	if f.maxTasks < 1 {
		return nil, fmt.Errorf("--max-tasks must be at least 1, got %d", f.maxTasks)
	}
	return f, nil
}

func runTrace(ctx context.Context, args []string, stdin, stdout, stderr *os.File) int {
	f, err := parseTraceFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0 // asked for, as the other commands' -h
	}
	if err != nil {
		warnf(stderr, "trace: %v", err)
		return exitTraceFailure
	}
	mode, err := tracer.ParseMode(os.Getenv("SYSGATE_TRACE_MODE"))
	if err != nil {
		warnf(stderr, "trace: SYSGATE_TRACE_MODE: %v", err)
		return exitTraceFailure
	}
	out, err := openOutputs(f)
	if err != nil {
		warnf(stderr, "trace: %v", err)
		return exitTraceFailure
	}
	defer out.discard()
	b := observation.NewBuilder(observation.Subject{Command: f.argv}, observation.DefaultLimits)
	opts := tracer.Options{Argv: f.argv, Stdin: stdin, Stdout: stdout, Stderr: stderr,
		Mode: mode, MaxTasks: f.maxTasks, Observation: b}
	if out.events != nil {
		opts.Events = out.events
	}
	res, err := tracer.Run(ctx, opts)
	if code, done := traceFailed(err, stderr); done {
		return code
	}
	obs := b.Observation()
	status, stopped := interruptStatus(ctx)
	if stopped {
		obs.Complete = false
		obs.Incomplete = append(obs.Incomplete, "interrupted: sysgate was asked to stop ("+context.Cause(ctx).Error()+") and killed the traced processes")
	} else {
		status = res.Status
	}
	if err := out.commit(obs); err != nil {
		warnf(stderr, "trace: %v", err)
		return exitTraceFailure
	}
	if !f.quiet {
		printSummary(stderr, obs)
	}
	return status
}

// traceFailed reports a run that produced no trustworthy result.
func traceFailed(err error, stderr io.Writer) (int, bool) {
	if err == nil {
		return 0, false
	}
	var start *tracer.StartError
	if errors.As(err, &start) {
		fmt.Fprintln(stderr, start.Msg)
		return start.Code, true
	}
	warnf(stderr, "trace: %v", err)
	return exitTraceFailure, true
}

// outputs are the files a trace writes: opened before anything runs, so an
// unwritable path fails first, and renamed into place only when complete.
type outputs struct {
	obsPath string
	obsTmp  *os.File
	events  *os.File
}

func openOutputs(f *traceFlags) (*outputs, error) {
	o := &outputs{obsPath: f.observation}
	if f.observation != "" {
		tmp, err := createTempBeside(f.observation)
		if err != nil {
			return nil, err
		}
		o.obsTmp = tmp
	}
	if f.events != "" {
		ev, err := os.Create(f.events)
		if err != nil {
			o.discard()
			return nil, fmt.Errorf("create the events file: %w", err)
		}
		o.events = ev
	}
	return o, nil
}

func createTempBeside(path string) (*os.File, error) {
	dir, base := splitPath(path)
	tmp, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("cannot write the observation to %s: %w", path, err)
	}
	return tmp, nil
}

func splitPath(path string) (dir, base string) {
	for i := len(path) - 1; i >= 0; i-- {
		if path[i] == '/' {
			return path[:i+1], path[i+1:]
		}
	}
	return ".", path
}

// commit writes the observation and closes the events file.
func (o *outputs) commit(obs *observation.Observation) error {
	if o.events != nil {
		err := o.events.Close()
		o.events = nil
		if err != nil {
			return fmt.Errorf("close the events file: %w", err)
		}
	}
	if o.obsTmp == nil {
		return nil
	}
	if err := observation.Write(o.obsTmp, obs); err != nil {
		return fmt.Errorf("write the observation %s: %w", o.obsPath, err)
	}
	if err := o.obsTmp.Close(); err != nil {
		return fmt.Errorf("write the observation %s: %w", o.obsPath, err)
	}
	if err := os.Rename(o.obsTmp.Name(), o.obsPath); err != nil {
		return fmt.Errorf("write the observation %s: %w", o.obsPath, err)
	}
	o.obsTmp = nil
	return nil
}

// discard removes what was not committed.
func (o *outputs) discard() {
	if o.obsTmp != nil {
		o.obsTmp.Close()
		os.Remove(o.obsTmp.Name())
		o.obsTmp = nil
	}
	if o.events != nil {
		o.events.Close()
		o.events = nil
	}
}

func itoa(n uint64) string { return strconv.FormatUint(n, 10) }

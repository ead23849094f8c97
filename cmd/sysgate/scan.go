package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/sysgate/sysgate/observation"
	"github.com/sysgate/sysgate/policy"
	"github.com/sysgate/sysgate/policy/record"
	"github.com/sysgate/sysgate/report"
	"github.com/sysgate/sysgate/sandbox"
	"github.com/sysgate/sysgate/scan"
	"github.com/sysgate/sysgate/workload"
)

type scanFlags struct {
	check      checkFlags // the report flags; check.observation is where the scan writes its run
	image      string
	workload   string
	connection string
	pull       sandbox.PullPolicy
	timeout    time.Duration
	record     bool
	policyOut  string
	seccompOut string
	user       string
	readOnly   bool
	tmpfs      stringList
	showOutput bool
	scanID     string
	entrypoint string
	env        stringList
	workdir    string
	memory     int64
	pids       int64
	cmd        []string
}

func parseScanFlags(args []string, stderr io.Writer) (*scanFlags, error) {
	f := &scanFlags{check: checkFlags{failOn: failOn{sev: defaultFailOn}}}
	fs := flag.NewFlagSet("sysgate scan", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&f.image, "image", "", "the image to scan: a name Podman knows, or oci-archive:FILE, docker-archive:FILE")
	fs.StringVar(&f.workload, "workload", "", "replay the workload `FILE` (default: run the image as a job)")
	fs.StringVar(&f.check.observation, "observation", "", "write the observation (JSON) to `FILE`")
	fs.StringVar(&f.check.policy, "policy", "", "the policy `FILE` (default: the built-in default pack)")
	fs.Var(&f.check.failOn, "fail-on", "exit 1 when a finding is at least this `SEVERITY` (info, low, medium, high, critical, none)")
	fs.StringVar(&f.check.json, "json", "", "write the findings as JSON to `FILE` (- for stdout)")
	fs.StringVar(&f.check.sarif, "sarif", "", "write the findings as SARIF 2.1.0 to `FILE`")
	fs.StringVar(&f.check.markdown, "markdown", "", "write a markdown summary to `FILE`")
	fs.StringVar(&f.check.repoRoot, "repo-root", "", "SARIF locations are relative to this `DIR` (default: the git repository of --policy, else .)")
	fs.StringVar(&f.check.containerfile, "containerfile", "", "locate findings no policy line explains at this `FILE`")
	fs.Var(&f.check.redact, "redact", "also redact what matches `REGEX` from every report (repeatable)")
	fs.BoolVar(&f.record, "record", false, "also derive a baseline policy and seccomp profile from this run (see --policy-out, --seccomp-out)")
	fs.StringVar(&f.policyOut, "policy-out", "", "with --record: write the baseline policy to `FILE` (default sysgate-policy.yaml)")
	fs.StringVar(&f.seccompOut, "seccomp-out", "", "with --record: write the OCI seccomp profile to `FILE` (default sysgate-seccomp.json)")
	fs.StringVar(&f.connection, "connection", "", "Podman service `URI` (default: $CONTAINER_HOST, the default socket, else a private service)")
	fs.TextVar(&f.pull, "pull", sandbox.PullMissing, "pull policy: missing, always or never")
	fs.DurationVar(&f.timeout, "timeout", 0, "wall clock of the run (default: the workload's, else 5m)")
	fs.StringVar(&f.user, "user", "", "run the image as `USER[:GROUP]` instead of its USER")
	fs.BoolVar(&f.readOnly, "read-only", false, "mount the image's root filesystem read-only")
	fs.Var(&f.tmpfs, "tmpfs", "mount a tmpfs at `PATH` (repeatable)")
	fs.BoolVar(&f.showOutput, "show-output", false, "copy the image's stdout and stderr to stderr")
	fs.StringVar(&f.entrypoint, "entrypoint", "", "run `PROGRAM` instead of the image's ENTRYPOINT (and not its CMD), as podman run --entrypoint")
	fs.Var(&f.env, "env", "add `KEY=VALUE` to the image's environment (repeatable)")
	fs.StringVar(&f.workdir, "workdir", "", "run in `DIR` instead of the image's WORKDIR")
	fs.Int64Var(&f.memory, "memory", 0, "memory limit in `BYTES` (default 2 GiB; -1 for none)")
	fs.Int64Var(&f.pids, "pids-limit", 0, "limit of tasks in the container (default 4096; -1 for none)")
	fs.StringVar(&f.scanID, "scan-id", "", "label the container with this scan `ID` (default: random), for sysgate gc --scan ID")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: sysgate scan --image REF [--workload FILE] [--policy FILE] [--fail-on SEVERITY] [--observation FILE] [--sarif FILE] [--markdown FILE] [--json FILE] [--record] [--connection URI] [--pull POLICY] [--timeout DURATION] [-- CMD [ARG...]]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	f.cmd = fs.Args() // replaces the image's CMD, as podman run IMAGE CMD does
	for _, kv := range f.env {
		if k, _, ok := strings.Cut(kv, "="); !ok || k == "" {
			return nil, fmt.Errorf("--env %q: want KEY=VALUE", kv)
		}
	}
	if f.image == "" {
		return nil, errors.New("--image REF is required")
	}
	if f.timeout < 0 {
		return nil, fmt.Errorf("--timeout must be positive, got %s", f.timeout)
	}
	if (f.policyOut != "" || f.seccompOut != "") && !f.record {
		return nil, errors.New("--policy-out and --seccomp-out need --record")
	}
	if _, err := report.NewRedactor(f.check.redact...); err != nil {
		return nil, err
	}
	return f, nil
}

func runScan(ctx context.Context, args []string, stdout, stderr *os.File) int {
	f, err := parseScanFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		warnf(stderr, "scan: %v", err)
		return exitUsage
	}
	pol, ok := loadPolicy(f.check.policy, "scan", "nothing was scanned", stderr)
	if !ok {
		return exitUsage
	}
	w, ok := loadWorkload(f.workload, stderr)
	if !ok {
		return exitUsage
	}
	f.check.title, f.check.name = "sysgate scan: "+f.image, "scan"
	if f.workload != "" {
		f.check.workload = report.Workload{Path: f.workload, StepLines: map[string]int{}}
		for _, st := range w.Steps {
			f.check.workload.StepLines[st.Name] = st.Pos.Line
		}
	}
	out, err := openReport(f.check.json, stdout)
	if err != nil {
		warnf(stderr, "scan: %v", err)
		return exitUsage
	}
	defer out.Close()
	prog := newProgress(stderr)
	res, err := scan.Run(ctx, f.options(w, prog, stderr))
	prog.done()
	if err != nil {
		warnf(stderr, "scan: %v", err)
		return exitUntrusted
	}
	return scanVerdict(f, res, pol, out, stdout, stderr)
}

func (f *scanFlags) options(w *workload.Workload, prog *progress, stderr io.Writer) scan.Options {
	o := scan.Options{Image: f.image, Pull: f.pull, Connect: connectOptions(f.connection),
		Workload: w, Timeout: f.timeout, Progress: prog.phase,
		Spec: sandbox.Spec{User: f.user, ReadOnlyRootfs: f.readOnly, ScanID: f.scanID, WorkDir: f.workdir,
			Cmd: f.cmd, MemoryLimit: f.memory, PidsLimit: f.pids}}
	if f.entrypoint != "" {
		o.Spec.Entrypoint = []string{f.entrypoint}
	}
	if len(f.env) > 0 {
		o.Spec.Env = make(map[string]string)
		for _, kv := range f.env {
			k, v, _ := strings.Cut(kv, "=")
			o.Spec.Env[k] = v
		}
	}
	if len(f.tmpfs) > 0 {
		o.Spec.Tmpfs = make(map[string]string)
		for _, p := range f.tmpfs {
			o.Spec.Tmpfs[p] = ""
		}
	}
	if f.showOutput {
		o.Output = prog.writer()
	}
	return o
}

// loadWorkload reads --workload; every problem is printed with its position.
func loadWorkload(path string, stderr io.Writer) (*workload.Workload, bool) {
	if path == "" {
		return workload.Default(), true
	}
	w, err := workload.Load(path)
	if err != nil {
		var es *workload.Errors
		if errors.As(err, &es) {
			fmt.Fprintln(stderr, es.Error())
			warnf(stderr, "scan: %d problem(s) in the workload: nothing was scanned", len(*es))
		} else {
			warnf(stderr, "scan: %v", err)
		}
		return nil, false
	}
	return w, true
}

// scanVerdict writes the observation and the reports, and gives the exit
// code: the observation is written first, so it exists whatever follows.
func scanVerdict(f *scanFlags, res *scan.Result, pol *policy.Policy, out io.Writer, stdout, stderr io.Writer) int {
	obs := res.Observation
	for _, why := range res.Untrusted {
		warnf(stderr, "scan: %s", why)
	}
	if len(res.Untrusted) > 0 && len(res.Tail) > 0 {
		fmt.Fprintf(stderr, "the image's last output:\n  %s\n", strings.Join(res.Tail, "\n  "))
	}
	if f.check.observation != "" {
		if err := writeObservation(f.check.observation, obs); err != nil {
			warnf(stderr, "scan: %v", err)
			return exitUntrusted
		}
	}
	if f.record {
		if err := recordRun(f, obs, stderr); err != nil {
			warnf(stderr, "scan: %v", err)
			return exitUntrusted
		}
	}
	return judge(&f.check, obs, pol, out, stdout, stderr)
}

// writeObservation writes obs to path atomically.
func writeObservation(path string, obs *observation.Observation) error {
	tmp, err := createTempBeside(path)
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := observation.Write(tmp, obs); err != nil {
		tmp.Close()
		return fmt.Errorf("write the observation %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write the observation %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write the observation %s: %w", path, err)
	}
	return nil
}

// recordRun writes the baseline policy and seccomp profile of this run.
func recordRun(f *scanFlags, obs *observation.Observation, stderr io.Writer) error {
	b, err := record.New([]record.Run{{Name: f.image, Obs: obs}})
	if err != nil {
		return fmt.Errorf("record: %w", err)
	}
	rf := &recordFlags{policyOut: orDefault(f.policyOut, "sysgate-policy.yaml"), seccompOut: orDefault(f.seccompOut, "sysgate-seccomp.json")}
	if err := writeRecord(rf, b, io.Discard); err != nil {
		return fmt.Errorf("record: %w", err)
	}
	fmt.Fprintf(stderr, "sysgate: recorded the baseline policy %s and the seccomp profile %s\n", rf.policyOut, rf.seccompOut)
	return nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

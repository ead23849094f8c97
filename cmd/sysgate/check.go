package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/sysgate/sysgate/observation"
	"github.com/sysgate/sysgate/policy"
	"github.com/sysgate/sysgate/report"
)

// Exit codes of check, record and diff (see docs/architecture.md).
const (
	exitFindings  = 1 // a complete run, and something at or above --fail-on
	exitUntrusted = 3 // no trustworthy run: the observation is incomplete
)

// defaultFailOn is check's --fail-on: any finding but info fails.
const defaultFailOn = policy.Low

// failOn is the --fail-on flag: a severity, or "none" to never fail on
// findings.
type failOn struct {
	sev  policy.Severity
	none bool
}

func (f *failOn) String() string {
	if f.none {
		return "none"
	}
	return f.sev.String()
}

func (f *failOn) Set(s string) error {
	if s == "none" {
		f.none = true
		return nil
	}
	sev, err := policy.ParseSeverity(s)
	if err != nil {
		return fmt.Errorf("%w, or none", err)
	}
	f.sev, f.none = sev, false
	return nil
}

// fails reports whether the findings fail the check.
func (f *failOn) fails(fs []policy.Finding) bool {
	return !f.none && policy.AtOrAbove(fs, f.sev)
}

type checkFlags struct {
	observation   string
	policy        string
	json          string
	sarif         string
	markdown      string
	repoRoot      string
	containerfile string
	redact        stringList
	failOn        failOn

	// Set by scan, not by flags: the first line of the terminal summary
	// ("": "sysgate check: OBS against POLICY"), and the workload file with
	// the line of each step, which SARIF results are located at
	// (docs/report.md).
	title    string
	name     string // the command, for messages: "" is check
	workload report.Workload
}

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string { return strings.Join(*l, ",") }

func (l *stringList) Set(s string) error {
	*l = append(*l, s)
	return nil
}

func parseCheckFlags(args []string, stderr io.Writer) (*checkFlags, error) {
	f := &checkFlags{failOn: failOn{sev: defaultFailOn}}
	fs := flag.NewFlagSet("sysgate check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&f.observation, "observation", "", "judge the observation (JSON) in `FILE`")
	fs.StringVar(&f.policy, "policy", "", "the policy `FILE` (default: the built-in default pack)")
	fs.StringVar(&f.json, "json", "", "write the findings as JSON to `FILE` (- for stdout)")
	fs.StringVar(&f.sarif, "sarif", "", "write the findings as SARIF 2.1.0 to `FILE` (for GitHub code scanning)")
	fs.StringVar(&f.markdown, "markdown", "", "write a markdown summary to `FILE` (e.g. $GITHUB_STEP_SUMMARY)")
	fs.StringVar(&f.repoRoot, "repo-root", "", "SARIF locations are relative to this `DIR` (default: the git repository of --policy, else .)")
	fs.StringVar(&f.containerfile, "containerfile", "", "locate findings no policy line explains at this `FILE`")
	fs.Var(&f.redact, "redact", "also redact what matches `REGEX` from every report (repeatable)")
	fs.Var(&f.failOn, "fail-on", "exit 1 when a finding is at least this `SEVERITY` (info, low, medium, high, critical, none)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: sysgate check --observation FILE [--policy FILE] [--fail-on SEVERITY] [--json FILE] [--sarif FILE] [--markdown FILE] [--repo-root DIR] [--redact REGEX]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if f.observation == "" {
		return nil, errors.New("--observation FILE is required")
	}
	if _, err := report.NewRedactor(f.redact...); err != nil {
		return nil, err
	}
	return f, nil
}

func runCheck(args []string, stdout, stderr io.Writer) int {
	f, err := parseCheckFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		warnf(stderr, "check: %v", err)
		return exitUsage
	}
	pol, ok := loadPolicy(f.policy, "check", "nothing was checked", stderr)
	if !ok {
		return exitUsage
	}
	out, err := openReport(f.json, stdout)
	if err != nil {
		warnf(stderr, "check: %v", err)
		return exitUsage
	}
	defer out.Close()
	obs, err := observation.Load(f.observation)
	if err != nil {
		warnf(stderr, "check: %v", err)
		return exitUsage
	}
	return judge(f, obs, pol, out, stdout, stderr)
}

// command names the command these flags are of, for messages.
func (f *checkFlags) command() string {
	if f.name != "" {
		return f.name
	}
	return "check"
}

// judge evaluates obs, redacts, writes the reports and gives the exit code
// (check's and scan's).
func judge(f *checkFlags, obs *observation.Observation, pol *policy.Policy, out io.Writer, stdout, stderr io.Writer) int {
	findings, err := policy.Evaluate(obs, pol)
	if err != nil {
		warnf(stderr, "%s: %v", f.command(), err)
		return exitUsage
	}
	red, _ := report.NewRedactor(f.redact...) // checked when the flags were parsed
	redactObservation(obs, red)
	return checkVerdict(f, obs, pol, red.Findings(findings), out, stdout, stderr)
}

// loadPolicy reads --policy, or the default pack; it reports every problem.
func loadPolicy(path, cmd, outcome string, stderr io.Writer) (*policy.Policy, bool) {
	var pol *policy.Policy
	var err error
	if path == "" {
		pol, err = policy.Default()
	} else {
		pol, err = policy.Load(path)
	}
	if err != nil {
		var es policy.Errors
		if errors.As(err, &es) {
			fmt.Fprintln(stderr, es.Error())
			warnf(stderr, "%s: %d problem(s) in the policy: %s", cmd, len(es), outcome)
		} else {
			warnf(stderr, "%s: %v", cmd, err)
		}
		return nil, false
	}
	return pol, true
}

// checkVerdict writes the report and returns the exit code.
func checkVerdict(f *checkFlags, obs *observation.Observation, pol *policy.Policy, findings []policy.Finding, out io.Writer, stdout, stderr io.Writer) int {
	verdict, code := "pass", 0
	switch {
	case !obs.Complete:
		verdict, code = "untrusted", exitUntrusted
	case f.failOn.fails(findings):
		verdict, code = "fail", exitFindings
	}
	if err := writeReports(f, obs, pol, findings, verdict); err != nil {
		warnf(stderr, "check: %v", err)
		return exitUsage
	}
	if f.json != "" {
		if err := writeJSON(out, checkReport(f, obs, pol, findings, verdict)); err != nil {
			warnf(stderr, "check: write %s: %v", f.json, err)
			return exitUsage
		}
	} else {
		if err := printCheckSummary(stdout, f, obs, pol, findings, verdict); err != nil {
			warnf(stderr, "check: write the summary: %v", err)
			return exitUsage
		}
	}
	if code == exitUntrusted {
		warnf(stderr, "%s: the observation is incomplete, so its verdict cannot be trusted (%s); run again with what was cut fixed", f.command(), strings.Join(obs.Incomplete, "; "))
	}
	return code
}

// findingsReport is the --json document.
type findingsReport struct {
	Schema      string           `json:"schema"`
	Observation string           `json:"observation"`
	Policy      string           `json:"policy"`
	Packs       []string         `json:"packs,omitempty"`
	Complete    bool             `json:"complete"`
	Incomplete  []string         `json:"incomplete"`
	FailOn      string           `json:"failOn"`
	Verdict     string           `json:"verdict"` // pass, fail or untrusted
	Counts      map[string]int   `json:"counts"`
	Findings    []policy.Finding `json:"findings"`
}

func checkReport(f *checkFlags, obs *observation.Observation, pol *policy.Policy, findings []policy.Finding, verdict string) *findingsReport {
	counts := map[string]int{}
	for sev, n := range policy.Counts(findings) {
		counts[sev.String()] = n
	}
	if findings == nil {
		findings = []policy.Finding{}
	}
	return &findingsReport{Schema: "sysgate.findings/v1", Observation: f.observation, Policy: pol.File,
		Packs: pol.Packs, Complete: obs.Complete, Incomplete: append([]string{}, obs.Incomplete...),
		FailOn: f.failOn.String(), Verdict: verdict, Counts: counts, Findings: findings}
}

// openReport opens the --json file ("-": stdout; "": none) before any work,
// so that an unwritable path is a usage error.
func openReport(path string, stdout io.Writer) (io.WriteCloser, error) {
	switch path {
	case "":
		return nopCloser{io.Discard}, nil
	case "-":
		return nopCloser{stdout}, nil
	}
	file, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("open report: %w", err)
	}
	return file, nil
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }

// writeJSON writes v as indented JSON.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// printCheckSummary writes the human summary of a check: the verdict, each
// finding with its evidence and the rule that explains it, and the busiest
// syscalls; coloured when stdout is a terminal (report.ColorFor).
func printCheckSummary(w io.Writer, f *checkFlags, obs *observation.Observation, pol *policy.Policy, findings []policy.Finding, verdict string) error {
	red, _ := report.NewRedactor(f.redact...) // checked by parseCheckFlags
	title := f.title
	if title == "" {
		title = fmt.Sprintf("sysgate check: %s against %s", f.observation, policyName(pol))
	}
	return report.WriteTerminal(w, colorFor(w), obs, findings, report.Terminal{
		Title: title, Verdict: verdict, FailOn: f.failOn.String()}, red)
}

// colorFor reports whether w is a terminal that may be coloured.
func colorFor(w io.Writer) bool {
	file, ok := w.(*os.File)
	return ok && report.ColorFor(file)
}

func policyName(pol *policy.Policy) string {
	s := pol.File
	if len(pol.Packs) > 0 {
		s += " (packs: " + strings.Join(pol.Packs, ", ") + ")"
	}
	return s
}

// redactObservation removes secrets from what reports show of the
// observation: the subject, the incomplete reasons.
func redactObservation(obs *observation.Observation, red *report.Redactor) {
	obs.Subject.Command = red.Argv(obs.Subject.Command)
	for i, r := range obs.Incomplete {
		obs.Incomplete[i] = red.String(r)
	}
}

// writeReports writes --sarif and --markdown, each atomically, before the
// verdict's exit, so that a failing check still leaves them for upload.
func writeReports(f *checkFlags, obs *observation.Observation, pol *policy.Policy, findings []policy.Finding, verdict string) error {
	red, err := report.NewRedactor(f.redact...)
	if err != nil {
		return err
	}
	if f.sarif != "" {
		data, err := report.SARIF(obs, pol, findings, report.Options{RepoRoot: f.repoRoot,
			Containerfile: f.containerfile, Version: version, Redactor: red, Workload: f.workload})
		if err != nil {
			return err
		}
		if err := report.WriteFileAtomic(f.sarif, data); err != nil {
			return err
		}
	}
	if f.markdown != "" {
		md := report.Markdown(obs, findings, report.Summary{Verdict: verdict, FailOn: f.failOn.String(),
			Policy: policyName(pol)}, red)
		if err := report.WriteFileAtomic(f.markdown, []byte(md)); err != nil {
			return err
		}
	}
	return nil
}

package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/sysgate/sysgate/observation"
	"github.com/sysgate/sysgate/policy"
	"github.com/sysgate/sysgate/report"
)

type diffFlags struct {
	base, head string
	json       string
	markdown   string
	sarif      string
	policy     string
	repoRoot   string
	redact     stringList
}

func parseDiffFlags(args []string, stderr io.Writer) (*diffFlags, error) {
	f := &diffFlags{}
	fs := flag.NewFlagSet("sysgate diff", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&f.json, "json", "", "write the diff as JSON to `FILE` (- for stdout)")
	fs.StringVar(&f.markdown, "markdown", "", "write the diff as markdown to `FILE` (for a pull-request comment)")
	fs.StringVar(&f.sarif, "sarif", "", "write what head adds as SARIF to `FILE`")
	fs.StringVar(&f.policy, "policy", "", "for observations: locate SARIF results in this policy `FILE` (its allow-list)")
	fs.StringVar(&f.repoRoot, "repo-root", "", "SARIF locations are relative to this `DIR` (default: the git repository of the policy, else .)")
	fs.Var(&f.redact, "redact", "also redact what matches `REGEX` (repeatable)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: sysgate diff [--json FILE] [--markdown FILE] [--sarif FILE [--policy FILE] [--repo-root DIR]] [--redact REGEX] BASE HEAD")
		fmt.Fprintln(stderr, "BASE and HEAD are two observations (JSON) or two policies (YAML).")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() != 2 {
		return nil, fmt.Errorf("want BASE and HEAD, got %d argument(s)", fs.NArg())
	}
	f.base, f.head = fs.Arg(0), fs.Arg(1)
	if _, err := report.NewRedactor(f.redact...); err != nil {
		return nil, err
	}
	return f, nil
}

// runDiff compares two observations or two policies. Exit 1 when head adds
// (observations) or loosens (policies) anything, 0 otherwise.
func runDiff(args []string, stdout, stderr io.Writer) int {
	f, err := parseDiffFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		warnf(stderr, "diff: %v", err)
		return exitUsage
	}
	d, head, err := loadDiff(f)
	if err != nil {
		warnf(stderr, "diff: %v", err)
		return exitUsage
	}
	if err := writeDiffSARIF(f, d, head); err != nil {
		warnf(stderr, "diff: %v", err)
		return exitUsage
	}
	if err := writeDiff(f, d, stdout); err != nil {
		warnf(stderr, "diff: %v", err)
		return exitUsage
	}
	if len(d.Added) > 0 {
		return exitFindings
	}
	return 0
}

// loadDiff reads BASE and HEAD as observations, else as policies. It
// returns the policy SARIF results are located in: HEAD's, or --policy.
func loadDiff(f *diffFlags) (*report.Diff, *policy.Policy, error) {
	red, _ := report.NewRedactor(f.redact...) // checked by parseDiffFlags
	base, errB := observation.Load(f.base)
	head, errH := observation.Load(f.head)
	if errB == nil && errH == nil {
		var pol *policy.Policy
		if f.policy != "" {
			p, err := policy.Load(f.policy)
			if err != nil {
				return nil, nil, err
			}
			pol = p
		}
		return report.DiffObservations(base, head, red), pol, nil
	}
	pb, errPB := policy.Load(f.base)
	ph, errPH := policy.Load(f.head)
	if errPB == nil && errPH == nil {
		d, err := report.DiffPolicies(pb, ph)
		return d, ph, err
	}
	return nil, nil, fmt.Errorf("BASE and HEAD must be two observations or two policies:\nas observations: %v\nas policies: %v",
		errors.Join(errB, errH), errors.Join(errPB, errPH))
}

// writeDiffSARIF writes --sarif: a result for each addition.
func writeDiffSARIF(f *diffFlags, d *report.Diff, pol *policy.Policy) error {
	if f.sarif == "" {
		return nil
	}
	data, err := report.DiffSARIF(d, pol, report.Options{RepoRoot: f.repoRoot, Version: version})
	if err != nil {
		return err
	}
	return report.WriteFileAtomic(f.sarif, data)
}

func writeDiff(f *diffFlags, d *report.Diff, stdout io.Writer) error {
	if f.markdown != "" {
		if err := report.WriteFileAtomic(f.markdown, []byte(report.DiffMarkdown(d, f.base, f.head))); err != nil {
			return err
		}
	}
	if f.json == "-" {
		return writeJSON(stdout, d)
	}
	if f.json != "" {
		var b strings.Builder
		if err := writeJSON(&b, d); err != nil {
			return err
		}
		if err := report.WriteFileAtomic(f.json, []byte(b.String())); err != nil {
			return err
		}
	}
	printDiff(stdout, d, f)
	return nil
}

// printDiff writes the terminal form: one line per change, + for what head
// adds or loosens, - for what it drops or tightens.
func printDiff(w io.Writer, d *report.Diff, f *diffFlags) {
	kind := "observations"
	if d.Kind == "policy" {
		kind = "policies"
	}
	fmt.Fprintf(w, "sysgate diff (%s): %s -> %s\n", kind, f.base, f.head)
	if d.Empty() {
		fmt.Fprintln(w, "no changes")
		return
	}
	for _, c := range d.Added {
		printChange(w, "+", c)
	}
	for _, c := range d.Removed {
		printChange(w, "-", c)
	}
}

func printChange(w io.Writer, sign string, c report.Change) {
	fmt.Fprintf(w, "%s %-16s %s\n      %s\n", sign, c.What, c.Item, c.Evidence)
	if c.Location != "" {
		fmt.Fprintf(w, "      at %s\n", c.Location)
	}
}

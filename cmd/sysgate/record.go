package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/sysgate/sysgate/observation"
	"github.com/sysgate/sysgate/policy/record"
)

// fileList is a flag that may be given several times.
type fileList []string

func (l *fileList) String() string { return strings.Join(*l, ",") }

func (l *fileList) Set(s string) error {
	*l = append(*l, s)
	return nil
}

type recordFlags struct {
	observations fileList
	policyOut    string
	seccompOut   string
}

func parseRecordFlags(args []string, stderr io.Writer) (*recordFlags, error) {
	f := &recordFlags{}
	fs := flag.NewFlagSet("sysgate record", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Var(&f.observations, "observation", "an observation (JSON) of a known-good run; give it once per run `FILE`")
	fs.StringVar(&f.policyOut, "policy-out", "", "write the baseline policy to `FILE` (default: stdout, when --seccomp-out is not given)")
	fs.StringVar(&f.seccompOut, "seccomp-out", "", "write the OCI seccomp profile to `FILE`")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: sysgate record --observation FILE [--observation FILE...] [--policy-out FILE] [--seccomp-out FILE]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if len(f.observations) == 0 {
		return nil, errors.New("--observation FILE is required (once per run)")
	}
	return f, nil
}

func runRecord(args []string, stdout, stderr io.Writer) int {
	f, err := parseRecordFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		warnf(stderr, "record: %v", err)
		return exitUsage
	}
	runs, err := loadRuns(f.observations)
	if err != nil {
		warnf(stderr, "record: %v", err)
		return exitUsage
	}
	b, err := record.New(runs)
	if err != nil {
		warnf(stderr, "record: %v", err)
		return exitUsage
	}
	if err := writeRecord(f, b, stdout); err != nil {
		warnf(stderr, "record: %v", err)
		return exitUsage
	}
	if inc := b.Incomplete(); len(inc) > 0 {
		warnf(stderr, "record: written, but from incomplete observations, so it lacks what they did not see: %s", strings.Join(inc, "; "))
		return exitUntrusted
	}
	return 0
}

func loadRuns(files []string) ([]record.Run, error) {
	runs := make([]record.Run, 0, len(files))
	for _, file := range files {
		obs, err := observation.Load(file)
		if err != nil {
			return nil, err
		}
		runs = append(runs, record.Run{Name: file, Obs: obs})
	}
	return runs, nil
}

// writeRecord writes the outputs asked for; the policy to stdout when none
// is.
func writeRecord(f *recordFlags, b *record.Baseline, stdout io.Writer) error {
	if f.policyOut != "" || f.seccompOut == "" {
		data, err := b.Policy()
		if err != nil {
			return err
		}
		if err := writeOut(f.policyOut, data, stdout); err != nil {
			return fmt.Errorf("write baseline policy: %w", err)
		}
	}
	if f.seccompOut != "" {
		data, err := b.Seccomp()
		if err != nil {
			return err
		}
		if err := writeOut(f.seccompOut, data, stdout); err != nil {
			return fmt.Errorf("write seccomp profile: %w", err)
		}
	}
	return nil
}

// writeOut writes data to path, or to stdout when path is "" or "-".
func writeOut(path string, data []byte, stdout io.Writer) error {
	if path == "" || path == "-" {
		_, err := stdout.Write(data)
		return err
	}
	return os.WriteFile(path, data, 0o644)
}

package main

import (
	"context"
	"fmt"
	"io"
	"os"
)

const usage = `usage: sysgate <command> [flags]   (sysgate <command> -h lists every flag)

commands:
  scan --image REF [--workload FILE] [--policy FILE] [--fail-on SEVERITY] [--observation FILE]
       [--sarif FILE] [--markdown FILE] [--json FILE] [--record] [--connection URI]
       [--pull missing|always|never] [--timeout DURATION] [-- CMD [ARG...]]
        run the image in a throwaway Podman sandbox, trace it while the workload is replayed, judge it
  trace [--observation FILE] [--events FILE] [--quiet] [--max-tasks N] -- CMD [ARG...]
        run CMD under the tracer and record every syscall of every process
  check --observation FILE [--policy FILE] [--fail-on SEVERITY]
        [--sarif FILE] [--markdown FILE] [--json FILE] [--redact REGEX]
        judge a saved observation by a policy (default: the built-in default pack)
  diff [--json FILE] [--markdown FILE] [--sarif FILE [--policy FILE]] [--redact REGEX] BASE HEAD
        what head adds to base: two observations (syscalls, programs, paths written,
        network destinations, ABIs) or two policies (what head allows that base did not)
  record --observation FILE [--observation FILE...] [--policy-out FILE] [--seccomp-out FILE]
        derive a baseline policy and an OCI seccomp profile from known-good runs
  policy lint FILE... | groups [@NAME...] | classes | packs
        validate policies; list syscall groups, semantic classes, built-in packs
  gc [--connection URI] [--scan ID]
        remove the containers that killed scans left behind (label dev.sysgate.managed=true)
  version
        print the version
`

// run is the whole program, testable without a process.
func run(ctx context.Context, args []string, stdin, stdout, stderr *os.File) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	switch args[0] {
	case "trace":
		return runTrace(ctx, args[1:], stdin, stdout, stderr)
	case "scan":
		return runScan(ctx, args[1:], stdout, stderr)
	case "check":
		return runCheck(args[1:], stdout, stderr)
	case "diff":
		return runDiff(args[1:], stdout, stderr)
	case "record":
		return runRecord(args[1:], stdout, stderr)
	case "policy":
		return runPolicy(args[1:], stdout, stderr)
	case "gc":
		return runGC(ctx, args[1:], stdout, stderr)
	case "version", "--version":
		fmt.Fprintln(stdout, "sysgate", version)
		return 0
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "sysgate: unknown command %q\n%s", args[0], usage)
	return exitUsage
}

// Exit codes shared by the commands (trace has its own, see trace.go).
const (
	exitUsage = 2
)

var version = "dev"

func warnf(w io.Writer, format string, a ...any) {
	fmt.Fprintf(w, "sysgate: "+format+"\n", a...)
}

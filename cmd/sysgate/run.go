package main

import (
	"context"
	"fmt"
	"io"
	"os"
)

const usage = `usage: sysgate <command> [flags]

commands:
  trace [--observation FILE] [--events FILE] [--quiet] [--max-tasks N] -- CMD [ARG...]
        run CMD under the tracer and record every syscall of every process
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

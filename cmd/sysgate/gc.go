package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/sysgate/sysgate/sandbox"
)

// exitPodman is gc's status when Podman is unreachable or refuses a
// removal (3, "no trustworthy run", in docs/architecture.md's table).
const exitPodman = 3

// runGC removes the containers that killed scans left behind.
func runGC(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("sysgate gc", flag.ContinueOnError)
	fs.SetOutput(stderr)
	connection := fs.String("connection", "", "Podman service `URI` (default: $CONTAINER_HOST, the default socket, else a private service)")
	scan := fs.String("scan", "", "remove only what the scan with this `ID` left")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: sysgate gc [--connection URI] [--scan ID]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return exitUsage
	}
	if fs.NArg() > 0 {
		warnf(stderr, "gc: unexpected argument %q", fs.Arg(0))
		return exitUsage
	}
	c, err := sandbox.Connect(ctx, connectOptions(*connection))
	if err != nil {
		warnf(stderr, "gc: %v", err)
		return exitPodman
	}
	defer c.Close()
	removed, err := c.GC(ctx, *scan)
	return reportGC(stdout, stderr, removed, err)
}

// reportGC prints what GC removed and why it stopped, and gives the status.
func reportGC(stdout, stderr io.Writer, removed []sandbox.Managed, err error) int {
	for _, m := range removed {
		fmt.Fprintf(stdout, "removed container %s (%.12s, scan %s, %s)\n", m.Name, m.ID, m.ScanID, m.State)
	}
	if err != nil {
		warnf(stderr, "gc: %v", err)
		return exitPodman
	}
	if len(removed) == 0 {
		fmt.Fprintln(stdout, "nothing to remove")
	}
	return 0
}

// connectOptions says where to find Podman: the --connection flag, else
// the environment. The sandbox package reads no environment itself.
func connectOptions(uri string) sandbox.Options {
	return sandbox.Options{
		URI:           uri,
		ContainerHost: os.Getenv("CONTAINER_HOST"),
		RuntimeDir:    os.Getenv("XDG_RUNTIME_DIR"),
	}
}

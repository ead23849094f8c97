// Command sysgate traces what a program or container image does to the kernel
// and checks it against a policy.
package main

import (
	"context"
	"errors"
	"os"
	"os/signal"
	"runtime"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/sysgate/sysgate/agent"
	"github.com/sysgate/sysgate/tracer"
)

func init() {
	// The tracer stub must exec from the main thread, the one the tracer
	// seized; init runs there, and this keeps main there.
	runtime.LockOSThread()
}

func main() {
	if len(os.Args) > 1 {
		switch os.Args[1] {
		case tracer.StubArg:
			os.Exit(tracer.RunStub(os.Args[2:], agent.Serve))
		case agent.AgentArg:
			runtime.UnlockOSThread()
			os.Exit(agent.Main(os.Args[2:]))
		case agent.ExecArg:
			runtime.UnlockOSThread()
			os.Exit(agent.Client(os.Args[2:]))
		}
	}
	runtime.UnlockOSThread()
	os.Exit(cli())
}

// cli runs the command line with sysgate's signal handling.
func cli() int {
	ctx, cancel := context.WithCancelCause(context.Background())
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	go func() {
		// The first signal asks for a clean stop; a second one kills
		// sysgate at once (and the kernel its tracees, PTRACE_O_EXITKILL).
		sig := <-sigs
		signal.Reset(os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
		cancel(interrupted{sig.(syscall.Signal)})
	}()
	return run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
}

// interrupted is the cause of a run cancelled by a signal.
type interrupted struct{ sig syscall.Signal }

func (i interrupted) Error() string { return "interrupted by " + unix.SignalName(i.sig) }

// interruptStatus is 128+N when signal N cancelled ctx, as a shell reports a
// command that signal killed.
func interruptStatus(ctx context.Context) (int, bool) {
	var i interrupted
	if errors.As(context.Cause(ctx), &i) {
		return 128 + int(i.sig), true
	}
	return 0, ctx.Err() != nil
}

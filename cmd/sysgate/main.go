// The tracer's loop blocks in a raw wait4 that a stop-the-world would have to
// wait out (see tracer/gcguard.go); the runtime's periodic GOMAXPROCS update
// stops the world, so it is off. sysgate sets nothing that would need it.
//go:debug updatemaxprocs=0

// Command sysgate traces what a program or container image does to the kernel
// and checks it against a policy.
package main

import (
	"context"
	"os"
	"os/signal"
	"runtime"
	"syscall"

	"github.com/sysgate/sysgate/tracer"
)

func init() {
	// The tracer stub must exec from the main thread, the one the tracer
	// seized; init runs there, and this keeps main there.
	runtime.LockOSThread()
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == tracer.StubArg {
		os.Exit(tracer.RunStub(os.Args[2:]))
	}
	runtime.UnlockOSThread()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

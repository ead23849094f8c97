package tracer

import (
	"context"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/sysgate/sysgate/observation"
)

// The test binary is its own tracer stub, as cmd/sysgate is: the stub must
// exec from the main thread, which init locks.
func init() { runtime.LockOSThread() }

func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == StubArg {
		os.Exit(RunStub(os.Args[2:], nil))
	}
	runtime.UnlockOSThread()
	os.Exit(m.Run())
}

// traceIdle traces `sleep SECONDS` in the background, gives it 300 ms to
// start, and returns the channel its Run result comes on.
func traceIdle(t *testing.T, ctx context.Context, seconds string) <-chan error {
	t.Helper()
	if _, err := os.Stat("/bin/sleep"); err != nil {
		t.Skip("no /bin/sleep")
	}
	done := make(chan error, 1)
	go func() {
		_, err := Run(ctx, Options{Argv: []string{"/bin/sleep", seconds},
			Observation: observation.NewBuilder(observation.Subject{}, observation.DefaultLimits)})
		done <- err
	}()
	time.Sleep(300 * time.Millisecond)
	return done
}

// A collection needs every goroutine at a safe point, the loop's too, while
// the loop is blocked in wait4 with a tracee that makes no calls: it must not
// wait for the tracee's next stop (preemptibleWait).
func TestCollectWhileIdle(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := traceIdle(t, ctx, "5")
	start := time.Now()
	runtime.GC()
	if d := time.Since(start); d > time.Second {
		t.Errorf("runtime.GC took %v while the traced command slept", d)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// With one P, which the loop holds while it waits, the other goroutines
// (timers, the cancel that kills the tracees) must still run.
func TestCancelWhileIdleOneP(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	start := time.Now()
	done := traceIdle(t, ctx, "10")
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return within 5s of the cancel")
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("tracing an idle command with GOMAXPROCS=1 and cancelling it after 0.3s took %v", d)
	}
}

package tracer

import (
	"math"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
)

// gcGuard keeps the garbage collector from ever needing to stop the world
// while the loop blocks in its raw wait4 (see wait4): automatic collection
// is off for the trace, and the loop collects itself, between stops, when the
// heap has grown. GOMAXPROCS is at least 2, so the loop's blocked thread
// never holds the only P that signal handling and the event writer need.
type gcGuard struct {
	restorePercent int
	restoreLimit   int64
	stops          uint32
	sample         []metrics.Sample
	limit          uint64
}

const (
	gcCheckEvery = 1024    // stops between heap checks
	gcMinLimit   = 4 << 20 // collect when the heap's objects exceed this...
)

func startGCGuard() *gcGuard {
	if runtime.GOMAXPROCS(0) < 2 {
		runtime.GOMAXPROCS(2)
	}
	g := &gcGuard{
		restorePercent: debug.SetGCPercent(-1),
		// A GOMEMLIMIT would turn collection back on behind our back.
		restoreLimit: debug.SetMemoryLimit(math.MaxInt64),
		sample:       []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}},
		limit:        gcMinLimit,
	}
	return g
}

// tick is called once per stop, on the loop.
func (g *gcGuard) tick() {
	g.stops++
	if g.stops%gcCheckEvery == 0 {
		g.check()
	}
}

// check collects if the heap has grown past the limit; the loop also calls
// it after an exec, whose argv can be large.
func (g *gcGuard) check() {
	metrics.Read(g.sample)
	if g.sample[0].Value.Kind() != metrics.KindUint64 || g.sample[0].Value.Uint64() < g.limit {
		return
	}
	runtime.GC()
	metrics.Read(g.sample)
	// ...or twice what survived the last collection.
	g.limit = max(gcMinLimit, 2*g.sample[0].Value.Uint64())
}

func (g *gcGuard) stop() {
	debug.SetGCPercent(g.restorePercent)
	debug.SetMemoryLimit(g.restoreLimit)
}

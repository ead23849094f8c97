package agent

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/sysgate/sysgate/observation"
	"github.com/sysgate/sysgate/tracer"
)

// Hidden first arguments of cmd/sysgate that run this package's parts.
const (
	AgentArg = "__sysgate_agent" // the container's entrypoint: Main
	ExecArg  = "__sysgate_exec"  // a helper started by podman exec: Client
)

// Steps the agent names itself.
const (
	StepStartup  = "startup"
	StepShutdown = "shutdown"
)

// snapshotEvery is how often the agent sends what it has seen, so that a
// killed container still leaves the host a recent observation.
const snapshotEvery = time.Second

// agent is the state of Main.
type agent struct {
	ownEnv   []string // the agent's and spawner's environment
	imageEnv []string // the image's, for its commands
	frames   *FrameWriter
	b        *observation.Builder
	spawner  *spawnerConn
	cancel   context.CancelFunc // kills every tracee
	self     int                // the agent's pid, as its tracees see it
	entryPID int
	entryMu  sync.Mutex
	snapMu   sync.Mutex
	snapErr  error // a snapshot that could not be sent
}

// Main is the agent: args are [--socket NAME, --, ENTRYPOINT...]. It
// returns the entrypoint's exit status, or 125 when the agent itself failed.
func Main(args []string) int {
	fs := flag.NewFlagSet("sysgate agent", flag.ContinueOnError)
	socket := fs.String("socket", "", "abstract unix socket name for sysgate's helpers")
	if err := fs.Parse(args); err != nil || *socket == "" || fs.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "sysgate agent: usage: __sysgate_agent --socket NAME -- CMD [ARG...]")
		return tracer.ExitFailure
	}
	own, image, err := agentEnv() // may re-exec: before anything else
	if err != nil {
		fmt.Fprintf(os.Stderr, "sysgate agent: %v\n", err)
		return tracer.ExitFailure
	}
	// Nothing may read our memory or descriptors through /proc.
	unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0)
	signals := make(chan os.Signal, 16)
	signal.Notify(signals, catchable...) // no signal from the image ends the agent
	frames, err := NewFrameWriter(os.Stdout)
	if err != nil {
		fmt.Fprintf(os.Stderr, "sysgate agent: %v\n", err)
		return tracer.ExitFailure
	}
	a := &agent{frames: frames, self: os.Getpid(), ownEnv: own, imageEnv: image,
		b: observation.NewBuilder(observation.Subject{Command: fs.Args()}, observation.DefaultLimits)}
	a.b.SetStep(StepStartup)
	go a.forwardSignals(signals)
	status, err := a.run(*socket, fs.Args())
	if err != nil {
		a.notice("sysgate agent: " + err.Error())
	}
	a.finish(status, err)
	if err != nil {
		return tracer.ExitFailure
	}
	return status
}

func (a *agent) run(socket string, argv []string) (int, error) {
	// Podman's seccomp profile is a filter: tracer.DefaultMode then traces
	// with syscall stops, which come before it, so denied calls are seen.
	// (No environment variable chooses: the container's is the image's.)
	mode := tracer.DefaultMode()
	pair, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return -1, fmt.Errorf("create the spawner's socket: %w", err)
	}
	listener, err := listen(socket)
	if err != nil {
		return -1, err
	}
	defer unix.Close(listener)
	devnull, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		return -1, err
	}
	defer devnull.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a.cancel = cancel
	a.spawner = newSpawnerConn(pair[0], a.spawnerLost)
	spawnerEnd := os.NewFile(uintptr(pair[1]), "spawner")
	traced := a.startTracer(ctx, mode, devnull, spawnerEnd)
	go a.serveHelpers(listener)
	stopSnap := a.snapshots()
	defer stopSnap()
	status, err := a.runEntrypoint(argv, devnull, spawnerEnd)
	a.endRun()
	if terr := <-traced; err == nil && terr != nil {
		err = terr
	}
	return status, err
}

// guarded says what pid is to the image's processes, if it is sysgate's:
// the agent (the tracer) or one of its threads, or the spawner.
func (a *agent) guarded(pid int) string {
	switch {
	case pid == a.self:
		return "the tracer"
	case a.spawner != nil && pid == a.spawner.spawnerPID():
		return "sysgate's spawner"
	}
	if _, err := os.Stat(fmt.Sprintf("/proc/self/task/%d", pid)); err == nil {
		return "the tracer"
	}
	return ""
}

// endRun kills every tracee: the run is over (the entrypoint ended, a stop's
// grace ran out). The spawner's death is then expected.
func (a *agent) endRun() {
	a.spawner.ending()
	a.cancel()
}

// spawnerLost: the spawner died while the run went on (something killed
// it): the commands it would have reported on are lost.
func (a *agent) spawnerLost() {
	a.b.Incomplete("spawner", "sysgate's spawner ended before the run did: the exit of the image's command and of exec steps are unknown")
}

func listen(name string) (int, error) {
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return -1, fmt.Errorf("create the helper socket: %w", err)
	}
	if err := unix.Bind(fd, &unix.SockaddrUnix{Name: "@" + name}); err != nil {
		unix.Close(fd)
		return -1, fmt.Errorf("bind the helper socket @%s: %w", name, err)
	}
	if err := unix.Listen(fd, 16); err != nil {
		unix.Close(fd)
		return -1, fmt.Errorf("listen on the helper socket: %w", err)
	}
	return fd, nil
}

func (a *agent) startTracer(ctx context.Context, mode tracer.Mode, devnull, spawnerEnd *os.File) <-chan error {
	done := make(chan error, 1)
	go func() {
		defer spawnerEnd.Close()
		// The spawner's stderr is not the container's: its children could
		// reach it through /proc/PPID/fd/2.
		_, err := tracer.Run(ctx, tracer.Options{Spawner: true, Mode: mode, Observation: a.b, Guard: a.guarded,
			Env: a.ownEnv, Stdin: devnull, Stdout: devnull, Stderr: devnull, ExtraFiles: []*os.File{spawnerEnd}})
		if err != nil {
			err = fmt.Errorf("tracer: %w", err)
		}
		done <- err
	}()
	return done
}

// runEntrypoint starts the image's command through the spawner, relays its
// output, forwards signals to it, and returns its exit status.
func (a *agent) runEntrypoint(argv []string, devnull, spawnerEnd *os.File) (int, error) {
	if err := a.spawner.hello(); err != nil {
		return -1, err
	}
	// Only the spawner holds its end now: its death is seen as the end of
	// the socket.
	spawnerEnd.Close()
	outR, outW, err := os.Pipe()
	if err != nil {
		return -1, err
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		return -1, err
	}
	relays := a.relay(outR, FrameStdout, errR, FrameStderr)
	cwd, _ := os.Getwd()
	run, err := a.spawner.start(Request{Argv: argv, Env: a.imageEnv, Dir: cwd},
		int(devnull.Fd()), int(outW.Fd()), int(errW.Fd()))
	outW.Close()
	errW.Close()
	if err != nil {
		var se *startError
		if errors.As(err, &se) {
			a.notice("the image's command could not start: " + se.msg)
			relays.wait(time.Second)
			return se.code, nil
		}
		return -1, err
	}
	a.entryMu.Lock()
	a.entryPID = run.pid
	a.entryMu.Unlock()
	a.frames.Write(FrameReady, nil) // the host starts the workload's steps now
	a.snapshot()                    // the start, should the run be cut within the second
	status := <-run.exit
	a.entryMu.Lock()
	a.entryPID = 0
	a.entryMu.Unlock()
	a.endRun() // what the entrypoint left behind dies with it, as in any container
	relays.wait(2 * time.Second)
	return status, nil
}

// catchable are the signals anyone may send the agent. Go's default
// handling ends a program on most of them, and the rule that a pid
// namespace's init ignores what it has no handler for does not help once Go
// has installed its handlers, so the agent takes them all, for its life.
var catchable = []os.Signal{syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP, syscall.SIGQUIT,
	syscall.SIGUSR1, syscall.SIGUSR2, syscall.SIGABRT, syscall.SIGALRM, syscall.SIGVTALRM,
	syscall.SIGPROF, syscall.SIGPWR, syscall.SIGTRAP, syscall.SIGSYS, syscall.SIGXCPU,
	syscall.SIGXFSZ, syscall.SIGSTKFLT, syscall.SIGWINCH, syscall.SIGTTIN, syscall.SIGTTOU,
	syscall.SIGTSTP, syscall.SIGCONT, syscall.SIGPIPE}

// forwarded are the ones a container's PID 1 passes on to the entrypoint
// (podman kill, podman stop); the others are dropped.
var forwarded = map[os.Signal]bool{syscall.SIGTERM: true, syscall.SIGINT: true, syscall.SIGHUP: true,
	syscall.SIGQUIT: true, syscall.SIGUSR1: true, syscall.SIGUSR2: true, syscall.SIGWINCH: true}

func (a *agent) forwardSignals(ch <-chan os.Signal) {
	for s := range ch {
		if forwarded[s] {
			a.signalEntrypoint(s.(syscall.Signal))
		}
	}
}

func (a *agent) signalEntrypoint(sig syscall.Signal) error {
	a.entryMu.Lock()
	pid := a.entryPID
	a.entryMu.Unlock()
	if pid <= 0 {
		return errors.New("the entrypoint is not running")
	}
	return unix.Kill(pid, sig)
}

// relays copies pipes into frames.
type relays struct{ done chan struct{} }

func (a *agent) relay(outR *os.File, outT FrameType, errR *os.File, errT FrameType) *relays {
	r := &relays{done: make(chan struct{}, 2)}
	for _, p := range []struct {
		f *os.File
		t FrameType
	}{{outR, outT}, {errR, errT}} {
		go func() {
			defer p.f.Close()
			buf := make([]byte, 32<<10)
			for {
				n, err := p.f.Read(buf)
				if n > 0 {
					a.frames.Write(p.t, buf[:n])
				}
				if err != nil {
					break
				}
			}
			r.done <- struct{}{}
		}()
	}
	return r
}

// wait gives the relays up to d to drain (a process that escaped the kill
// could hold a pipe open forever).
func (r *relays) wait(d time.Duration) {
	deadline := time.After(d)
	for range 2 {
		select {
		case <-r.done:
		case <-deadline:
			return
		}
	}
}

// snapshots sends the observation every snapshotEvery when it changed.
func (a *agent) snapshots() func() {
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(snapshotEvery)
		defer t.Stop()
		var last uint64
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				if c := a.b.Changes(); c != last {
					last = c
					a.snapshot()
				}
			}
		}
	}()
	return func() { close(stop); <-done }
}

func (a *agent) snapshot() {
	a.snapMu.Lock() // the ticker, the start and the end take them
	defer a.snapMu.Unlock()
	obs := a.b.Observation()
	a.dropSpawner(obs)
	data, err := json.Marshal(obs)
	if err != nil {
		a.notice("sysgate agent: encode a snapshot: " + err.Error())
		return
	}
	if err := a.frames.Write(FrameSnapshot, data); err != nil && a.snapErr == nil {
		a.snapErr = fmt.Errorf("send the observation: %w", err) // the host would judge a stale one
	}
}

// dropSpawner removes the spawner's own process record: it is sysgate's,
// not the image's.
func (a *agent) dropSpawner(obs *observation.Observation) {
	pid := a.spawner.spawnerPID()
	kept := obs.Processes[:0]
	for _, p := range obs.Processes {
		if p.PID != pid {
			kept = append(kept, p)
		}
	}
	obs.Processes = kept
}

func (a *agent) notice(msg string) {
	if a.frames.Write(FrameNotice, []byte(msg)) != nil {
		fmt.Fprintln(os.Stderr, msg)
	}
}

// finish sends the last snapshot and the end frame.
func (a *agent) finish(status int, err error) {
	if a.spawner != nil {
		a.snapshot()
	}
	end := End{Status: status}
	a.snapMu.Lock()
	if err == nil {
		err = a.snapErr
	}
	a.snapMu.Unlock()
	if err != nil {
		end.Error = err.Error()
	}
	data, _ := json.Marshal(end)
	if werr := a.frames.Write(FrameEnd, data); werr != nil {
		fmt.Fprintf(os.Stderr, "sysgate agent: write the end of the stream: %v\n", werr)
	}
}

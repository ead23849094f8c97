package agent

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
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
	frames   *FrameWriter
	b        *observation.Builder
	spawner  *spawnerConn
	cancel   context.CancelFunc // kills every tracee
	self     int                // the agent's pid, as its tracees see it
	entryPID int
	entryMu  sync.Mutex
	stopOnce sync.Once
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
	// Nothing may read our memory or descriptors through /proc.
	unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0)
	frames, err := NewFrameWriter(os.Stdout)
	if err != nil {
		fmt.Fprintf(os.Stderr, "sysgate agent: %v\n", err)
		return tracer.ExitFailure
	}
	a := &agent{frames: frames, self: os.Getpid(),
		b: observation.NewBuilder(observation.Subject{Command: fs.Args()}, observation.DefaultLimits)}
	a.b.SetStep(StepStartup)
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
	mode, err := traceMode()
	if err != nil {
		return -1, err
	}
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
	traced := a.startTracer(ctx, mode, devnull, os.NewFile(uintptr(pair[1]), "spawner"))
	a.spawner = newSpawnerConn(pair[0])
	go a.serveHelpers(listener)
	stopSnap := a.snapshots()
	defer stopSnap()
	status, err := a.runEntrypoint(argv, devnull)
	a.spawner.close() // the spawner ends; commands still running are killed next
	cancel()
	if terr := <-traced; err == nil && terr != nil {
		err = terr
	}
	return status, err
}

// traceMode: Podman's seccomp profile is a filter that answers before a
// SECCOMP_RET_TRACE one would, so the calls it denies would be invisible
// to a seccomp-stop tracer. Under any filter, trace with syscall stops,
// which come before seccomp.
func traceMode() (tracer.Mode, error) {
	if m := os.Getenv("SYSGATE_TRACE_MODE"); m != "" {
		return tracer.ParseMode(m)
	}
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return tracer.ModePtrace, nil
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "Seccomp:"); ok && strings.TrimSpace(v) == "0" {
			return tracer.ModeSeccomp, nil
		}
	}
	return tracer.ModePtrace, nil
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
		_, err := tracer.Run(ctx, tracer.Options{Spawner: true, Mode: mode, Observation: a.b, Guard: a.self,
			Stdin: devnull, Stdout: devnull, Stderr: os.Stderr, ExtraFiles: []*os.File{spawnerEnd}})
		if err != nil {
			err = fmt.Errorf("tracer: %w", err)
		}
		done <- err
	}()
	return done
}

// runEntrypoint starts the image's command through the spawner, relays its
// output, forwards signals to it, and returns its exit status.
func (a *agent) runEntrypoint(argv []string, devnull *os.File) (int, error) {
	if err := a.spawner.hello(); err != nil {
		return -1, err
	}
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
	run, err := a.spawner.start(Request{Argv: argv, Env: os.Environ(), Dir: cwd},
		int(devnull.Fd()), int(outW.Fd()), int(errW.Fd()))
	outW.Close()
	errW.Close()
	if err != nil {
		var se *startError
		if errors.As(err, &se) {
			a.notice("sysgate: " + se.msg)
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
	stopSignals := a.forwardSignals()
	defer stopSignals()
	status := <-run.exit
	a.cancel() // what the entrypoint left behind dies with it, as in any container
	relays.wait(2 * time.Second)
	return status, nil
}

// forwardSignals passes the signals a container's PID 1 gets (podman kill,
// podman stop) to the entrypoint.
func (a *agent) forwardSignals() func() {
	ch := make(chan os.Signal, 8)
	signal.Notify(ch, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP, syscall.SIGQUIT, syscall.SIGUSR1, syscall.SIGUSR2)
	go func() {
		for s := range ch {
			a.signalEntrypoint(s.(syscall.Signal))
		}
	}()
	return func() { signal.Stop(ch); close(ch) }
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
	obs := a.b.Observation()
	a.dropSpawner(obs)
	data, err := json.Marshal(obs)
	if err != nil {
		a.notice("sysgate agent: encode a snapshot: " + err.Error())
		return
	}
	a.frames.Write(FrameSnapshot, data)
}

// dropSpawner removes the spawner's own process record: it is sysgate's,
// not the image's.
func (a *agent) dropSpawner(obs *observation.Observation) {
	pid := a.spawner.pid
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
	if err != nil {
		end.Error = err.Error()
	}
	data, _ := json.Marshal(end)
	if werr := a.frames.Write(FrameEnd, data); werr != nil {
		fmt.Fprintf(os.Stderr, "sysgate agent: write the end of the stream: %v\n", werr)
	}
}

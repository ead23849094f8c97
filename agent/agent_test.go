package agent

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/sysgate/sysgate/observation"
	"github.com/sysgate/sysgate/tracer"
)

// The stub and the spawner must stay on the main thread, the one the tracer
// seizes, as cmd/sysgate's init keeps them.
func init() { runtime.LockOSThread() }

// The test binary plays sysgate: the tracer re-executes it as the stub.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 {
		switch os.Args[1] {
		case tracer.StubArg:
			os.Exit(tracer.RunStub(os.Args[2:], Serve))
		case AgentArg:
			os.Exit(Main(os.Args[2:]))
		case ExecArg:
			os.Exit(Client(os.Args[2:]))
		}
	}
	os.Exit(m.Run())
}

// stream is what a host reads from an agent.
type stream struct {
	stdout, stderr, notices bytes.Buffer
	last                    *observation.Observation
	snapshots               int
	end                     *End
}

func readStream(t *testing.T, r io.Reader) *stream {
	t.Helper()
	s := &stream{}
	fr := NewFrameReader(r)
	for {
		typ, p, err := fr.Next()
		if errors.Is(err, io.EOF) {
			return s
		}
		if err != nil {
			t.Fatalf("read the agent's stream: %v", err)
		}
		switch typ {
		case FrameStdout:
			s.stdout.Write(p)
		case FrameStderr:
			s.stderr.Write(p)
		case FrameNotice:
			s.notices.Write(p)
		case FrameSnapshot:
			s.snapshots++
			s.last = &observation.Observation{}
			if err := json.Unmarshal(p, s.last); err != nil {
				t.Fatalf("snapshot: %v", err)
			}
		case FrameEnd:
			s.end = &End{}
			json.Unmarshal(p, s.end)
		}
	}
}

func startAgent(t *testing.T, socket string, argv ...string) (*exec.Cmd, io.ReadCloser) {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{AgentArg, "--socket", socket, "--"}, argv...)...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, out
}

func helper(t *testing.T, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{ExecArg}, args...)...)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	err := cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return out.String(), ee.ExitCode()
	}
	if err != nil {
		t.Fatal(err)
	}
	return out.String(), 0
}

func processExes(obs *observation.Observation) []string {
	var exes []string
	for _, p := range obs.Processes {
		exes = append(exes, p.Exe)
	}
	return exes
}

func TestJobStreamsOutputAndObservation(t *testing.T) {
	cmd, out := startAgent(t, "sgtest-job", "/bin/sh", "-c", "echo out; echo err >&2; exit 3")
	s := readStream(t, out)
	if err := cmd.Wait(); err == nil || cmd.ProcessState.ExitCode() != 3 {
		t.Fatalf("agent exit: %v, want status 3", err)
	}
	if s.stdout.String() != "out\n" || s.stderr.String() != "err\n" {
		t.Errorf("relayed stdout %q stderr %q, want \"out\\n\" and \"err\\n\"", s.stdout.String(), s.stderr.String())
	}
	if s.end == nil || s.end.Status != 3 {
		t.Fatalf("end frame %+v, want status 3", s.end)
	}
	if !s.last.Complete {
		t.Errorf("observation incomplete: %v", s.last.Incomplete)
	}
	// The spawner and its never-exec'd children are sysgate's, not the image's.
	if exes := processExes(s.last); len(exes) != 1 || exes[0] != "/usr/bin/dash" {
		t.Errorf("processes %v, want only /usr/bin/dash", exes)
	}
	for _, c := range s.last.Calls {
		if strings.Contains(c.Exe, ".test") && c.Name != "execve" {
			t.Errorf("a call of sysgate's own spawner was recorded: %+v", c)
		}
	}
}

func TestExecStepRunsTracedWithItsStep(t *testing.T) {
	cmd, out := startAgent(t, "sgtest-exec", "/bin/sleep", "30")
	done := make(chan *stream)
	go func() { done <- readStream(t, out) }()
	time.Sleep(300 * time.Millisecond)
	got, code := helper(t, "--socket", "sgtest-exec", "--kind", "exec", "--step", "list", "--", "/bin/sh", "-c", "cat /etc/hostname >/dev/null; echo listed; exit 4")
	if code != 4 || got != "listed\n" {
		t.Errorf("exec step: status %d output %q, want 4 and \"listed\\n\"", code, got)
	}
	if _, code := helper(t, "--socket", "sgtest-exec", "--kind", "exec", "--step", "missing", "--", "/nonexistent"); code != 127 {
		t.Errorf("missing program: status %d, want 127", code)
	}
	if _, code := helper(t, "--socket", "sgtest-exec", "--kind", "stop", "--signal", "15", "--grace", "5s"); code != 0 {
		t.Errorf("stop: status %d", code)
	}
	s := <-done
	cmd.Wait()
	if s.end == nil || s.end.Status != 128+15 {
		t.Fatalf("end %+v, want status 143 (SIGTERM)", s.end)
	}
	var sawCat bool
	for _, c := range s.last.Calls {
		if c.Name == "openat" && c.Exe == "/usr/bin/cat" {
			if p, _ := c.Args.Get("path"); p == "/etc/hostname" {
				sawCat = true
				if c.FirstStep != "list" {
					t.Errorf("cat's openat first seen in %q, want list", c.FirstStep)
				}
			}
		}
	}
	if !sawCat {
		t.Errorf("the exec step's openat of /etc/hostname is missing from the observation")
	}
}

func TestTracedProcessCannotUseTheAgentSocket(t *testing.T) {
	self := os.Args[0]
	cmd, out := startAgent(t, "sgtest-tamper", "/bin/sh", "-c", self+" "+ExecArg+" --socket sgtest-tamper --kind mark --step forged; echo rc=$?")
	s := readStream(t, out)
	cmd.Wait()
	if s.stdout.String() != "rc=125\n" {
		t.Errorf("forged helper output %q, want rc=125", s.stdout.String())
	}
	if len(s.last.Tampering) != 1 || !strings.Contains(s.last.Tampering[0], "connected to sysgate's agent socket; refused") {
		t.Errorf("tampering %q, want one refused connection", s.last.Tampering)
	}
	for _, c := range s.last.Calls {
		if c.FirstStep == "forged" {
			t.Errorf("a traced process named a step: %+v", c)
		}
	}
}

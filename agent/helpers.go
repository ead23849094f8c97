package agent

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// serveHelpers accepts sysgate's helpers until the listener is closed.
func (a *agent) serveHelpers(listener int) {
	for {
		fd, _, err := unix.Accept4(listener, unix.SOCK_CLOEXEC)
		if err == unix.EINTR || err == unix.ECONNABORTED {
			continue
		}
		if err != nil {
			return
		}
		go a.helper(fd)
	}
}

// helper serves one connection. A peer that something traces is a process
// of the workload (the tracer traces them all): refused, and recorded.
func (a *agent) helper(fd int) {
	defer unix.Close(fd)
	cred, err := unix.GetsockoptUcred(fd, unix.SOL_SOCKET, unix.SO_PEERCRED)
	if err != nil {
		return
	}
	if tracerPID(int(cred.Pid)) != 0 {
		a.b.Tamper(fmt.Sprintf("process %d (%s) connected to sysgate's agent socket; refused", cred.Pid, exeOf(int(cred.Pid))))
		send(fd, Reply{Kind: "error", Code: 125, Error: "refused"})
		return
	}
	var req Request
	fds, err := recv(fd, &req)
	if err != nil {
		return
	}
	defer closeAll(fds)
	send(fd, a.handle(fd, req, fds))
}

func (a *agent) handle(fd int, req Request, fds []int) Reply {
	switch req.Kind {
	case "mark":
		a.b.SetStep(req.Step)
		return Reply{Kind: "ok"}
	case "signal":
		a.b.SetStep(req.Step)
		if err := a.signalEntrypoint(syscall.Signal(req.Signal)); err != nil {
			return Reply{Kind: "error", Code: 1, Error: err.Error()}
		}
		return Reply{Kind: "ok"}
	case "stop":
		a.b.SetStep(StepShutdown)
		a.stop(syscall.Signal(req.Signal), time.Duration(req.GraceMillis)*time.Millisecond)
		return Reply{Kind: "ok"}
	case "exec":
		return a.exec(fd, req, fds)
	}
	return Reply{Kind: "error", Code: 125, Error: "unknown request " + strconv.Quote(req.Kind)}
}

// stop sends the stop signal to the entrypoint, and kills everything after
// grace if it has not ended by then. A later stop with a shorter grace (the
// host's timeout after a service's stop) shortens it.
func (a *agent) stop(sig syscall.Signal, grace time.Duration) {
	if err := a.signalEntrypoint(sig); err != nil || grace <= 0 {
		a.endRun()
		return
	}
	time.AfterFunc(grace, a.endRun)
}

// exec runs an exec step's command through the spawner with the helper's
// stdin, stdout and stderr, and returns its exit status. A helper that goes
// away (its exec session killed) takes the command with it.
func (a *agent) exec(fd int, req Request, fds []int) Reply {
	if len(fds) != 3 || len(req.Argv) == 0 {
		return Reply{Kind: "error", Code: 125, Error: "bad exec request"}
	}
	a.b.SetStep(req.Step)
	env := mergeEnv(os.Environ(), req.Env)
	dir := req.Dir
	if dir == "" {
		dir, _ = os.Getwd()
	}
	run, err := a.spawner.start(Request{Argv: req.Argv, Env: env, Dir: dir}, fds[0], fds[1], fds[2])
	// The spawner has its copies (or none is needed): ours go now, and the
	// caller must not close the numbers again.
	closeAll(fds)
	for i := range fds {
		fds[i] = -1
	}
	if se, ok := err.(*startError); ok {
		return Reply{Kind: "error", Code: se.code, Error: se.msg}
	}
	if err != nil {
		return Reply{Kind: "error", Code: 125, Error: err.Error()}
	}
	gone := make(chan struct{})
	go func() { // the helper's end closing is its exec session ending
		var r Request
		recv(fd, &r)
		close(gone)
	}()
	select {
	case status := <-run.exit:
		unix.Shutdown(fd, unix.SHUT_RD) // ends the watcher's read, before the fd is closed
		<-gone
		return Reply{Kind: "exit", PID: run.pid, Status: status}
	case <-gone:
		unix.Kill(run.pid, unix.SIGKILL)
		return Reply{Kind: "error", Code: 125, Error: "the exec session went away"}
	}
}

func mergeEnv(base, extra []string) []string {
	out := append([]string(nil), base...)
	for _, kv := range extra {
		k, _, _ := strings.Cut(kv, "=")
		replaced := false
		for i, old := range out {
			if strings.HasPrefix(old, k+"=") {
				out[i], replaced = kv, true
			}
		}
		if !replaced {
			out = append(out, kv)
		}
	}
	return out
}

// tracerPID reads who traces pid; -1 when unknown (a process that vanished
// is not trusted either).
func tracerPID(pid int) int {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "TracerPid:"); ok {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				return -1
			}
			return n
		}
	}
	return -1
}

func exeOf(pid int) string {
	exe, err := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid))
	if err != nil {
		return "unknown program"
	}
	return exe
}

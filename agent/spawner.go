package agent

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/sysgate/sysgate/tracer"
)

// spawnerFD is the spawner's request socket (tracer.Options.ExtraFiles[0]).
const spawnerFD = 5

// Serve is the spawner (tracer.RunStub's serve): it starts each command the
// agent asks for, with the descriptors sent along, and reports its pid and
// then its exit status. It returns when the agent closes the socket. It
// runs traced; its own calls are not recorded, its commands' are from their
// execve on.
//
// It must run on the process's main thread, locked there (cmd/sysgate locks
// it in init): the tracer seized that thread only, the Go runtime's other
// threads were started before the seize and are not traced, and a command
// forked from one of them would run untraced.
func Serve() int {
	unix.CloseOnExec(spawnerFD)
	if unix.Gettid() != unix.Getpid() {
		fmt.Fprintln(os.Stderr, "sysgate spawner: internal error: not on the main thread, the only one the tracer seized")
		return tracer.ExitFailure
	}
	if err := send(spawnerFD, Reply{Kind: "ok", PID: os.Getpid()}); err != nil {
		fmt.Fprintf(os.Stderr, "sysgate spawner: greet the agent: %v\n", err)
		return tracer.ExitFailure
	}
	for {
		var req Request
		fds, err := recv(spawnerFD, &req)
		if errors.Is(err, errClosed) {
			return 0
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "sysgate spawner: read a request: %v\n", err)
			return tracer.ExitFailure
		}
		spawn(req, fds)
	}
}

func spawn(req Request, fds []int) {
	if len(fds) != 3 || len(req.Argv) == 0 {
		closeAll(fds)
		send(spawnerFD, Reply{Kind: "error", ID: req.ID, Code: tracer.ExitFailure, Error: "bad spawn request"})
		return
	}
	// The files own the descriptors from here: closed once, by them.
	stdin, stdout, stderr := os.NewFile(uintptr(fds[0]), "stdin"), os.NewFile(uintptr(fds[1]), "stdout"), os.NewFile(uintptr(fds[2]), "stderr")
	defer stdin.Close()
	defer stdout.Close()
	defer stderr.Close()
	path, code, err := lookPath(req.Argv[0], req.Env, req.Dir)
	if err != nil {
		send(spawnerFD, Reply{Kind: "error", ID: req.ID, Code: code, Error: err.Error()})
		return
	}
	cmd := &exec.Cmd{Path: path, Args: req.Argv, Env: req.Env, Dir: req.Dir, Stdin: stdin, Stdout: stdout, Stderr: stderr}
	if err := cmd.Start(); err != nil {
		code := tracer.ExitCannotExec
		if errors.Is(err, fs.ErrNotExist) {
			code = tracer.ExitNotFound
		}
		send(spawnerFD, Reply{Kind: "error", ID: req.ID, Code: code, Error: fmt.Sprintf("cannot execute %s: %v", path, err)})
		return
	}
	send(spawnerFD, Reply{Kind: "started", ID: req.ID, PID: cmd.Process.Pid})
	go func() {
		cmd.Wait()
		send(spawnerFD, Reply{Kind: "exit", ID: req.ID, PID: cmd.Process.Pid, Status: exitStatus(cmd.ProcessState)})
	}()
}

// exitStatus is the status as a shell gives it: 128+N for signal N.
func exitStatus(ps *os.ProcessState) int {
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return ps.ExitCode()
}

const defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// lookPath finds name as execvp would, in the PATH of env, and says which
// exit status a failure deserves (127 not found, 126 not executable).
func lookPath(name string, env []string, dir string) (string, int, error) {
	if strings.Contains(name, "/") {
		p := name
		if !filepath.IsAbs(p) && dir != "" {
			p = filepath.Join(dir, p)
		}
		if err := executable(p); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return "", tracer.ExitNotFound, err
			}
			return "", tracer.ExitCannotExec, err
		}
		return p, 0, nil
	}
	pathVar := defaultPath
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "PATH="); ok {
			pathVar = v
		}
	}
	var denied error
	for _, d := range filepath.SplitList(pathVar) {
		if d == "" {
			d = "."
		}
		p := filepath.Join(d, name)
		err := executable(p)
		if err == nil {
			return p, 0, nil
		}
		if !errors.Is(err, fs.ErrNotExist) && denied == nil {
			denied = err
		}
	}
	if denied != nil {
		return "", tracer.ExitCannotExec, denied
	}
	return "", tracer.ExitNotFound, fmt.Errorf("%s: command not found in PATH %s", name, pathVar)
}

func executable(p string) error {
	st, err := os.Stat(p)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("%s: not found: %w", p, fs.ErrNotExist)
		}
		return err
	}
	if st.IsDir() || st.Mode()&0o111 == 0 {
		return fmt.Errorf("%s: permission denied (not an executable file)", p)
	}
	return nil
}

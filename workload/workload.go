// Package workload reads the file that tells sysgate what to do with an image
// while it is traced: run it as a job to completion, or start it as a service,
// drive it with steps (wait for a port, send HTTP requests, run commands in
// it, send it signals, copy files into it) and stop it.
//
// The package is plain data and strict parsing: a typo is an error with its
// line and column, never a silently ignored step. See docs/workload.md.
package workload

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"time"
)

// APIVersion is the version every workload file starts with, as policies do.
const APIVersion = "sysgate.dev/v1"

// Defaults of what a workload file leaves out.
const (
	DefaultTimeout     = 5 * time.Minute  // the whole run; the caller applies it when Timeout is 0
	DefaultStepTimeout = 30 * time.Second // each step
	DefaultStopSignal  = "SIGTERM"        // what stops a service
	DefaultStopGrace   = 10 * time.Second // then SIGKILL
	DefaultCopyMode    = os.FileMode(0o644)
)

// The names calls are attributed to outside every step; no step may take them.
const (
	StartupStep  = "startup"  // before the first step
	ShutdownStep = "shutdown" // after the last
)

// Mode says how the image's entrypoint is run.
type Mode string

const (
	// Job runs the entrypoint to completion.
	Job Mode = "job"
	// Service starts the entrypoint, drives it with the steps, then stops it.
	Service Mode = "service"
)

// Pos is a 1-based line and column in a workload file.
type Pos struct {
	Line, Column int
}

// Workload is a parsed, validated workload file.
type Workload struct {
	Path string // the file it was read from ("" when parsed from bytes)
	Dir  string // the absolute directory relative copy sources resolve against
	Mode Mode
	// Timeout is the wall clock of the whole run; 0 when the file has none
	// (the caller applies DefaultTimeout, or its --timeout).
	Timeout time.Duration
	// StopSignal ("SIGTERM" form) and StopGrace stop a service, or a job
	// whose step failed: the signal, then SIGKILL after the grace. A job's
	// are the defaults.
	StopSignal string
	StopGrace  time.Duration
	Steps      []Step
}

// Step is one step: exactly one of WaitFor, HTTP, Exec, Signal and Copy is
// set.
type Step struct {
	Name    string
	Pos     Pos           // where the step's mapping starts in the file
	Timeout time.Duration // DefaultStepTimeout unless the file says
	WaitFor *WaitFor
	HTTP    *HTTP
	Exec    *Exec
	Signal  string // "SIGHUP" form; "" if this is not a signal step
	Copy    *Copy
	Expect  Expect
}

// WaitFor waits until one of these happens: exactly one field is set.
type WaitFor struct {
	Port     int            // a TCP port accepts connections on 127.0.0.1 inside the sandbox
	Log      *regexp.Regexp // a line of the image's stdout or stderr matches
	LogText  string         // Log's source
	Duration time.Duration  // this long has passed
}

// HTTP is a request to 127.0.0.1:Port inside the sandbox.
type HTTP struct {
	Port    int
	Method  string // GET unless the file says
	Path    string // "/" unless the file says; starts with "/"
	Headers map[string]string
	Body    string
}

// Exec is a command run in the container, through the tracer.
type Exec struct {
	Argv    []string // argv[0] is absolute, or a name looked up in the container's PATH
	Env     map[string]string
	Workdir string // absolute; "" for the container's
}

// Copy copies a host file into the container.
type Copy struct {
	From string // absolute host path of a regular file
	To   string // absolute path in the container
	Mode os.FileMode
}

// Expect is what a step must see to pass. Status and BodyContains are for
// HTTP steps, ExitCode and StdoutContains for exec steps; an exec step's
// ExitCode is never nil (0 unless the file says).
type Expect struct {
	ExitCode       *int
	Status         *int
	BodyContains   string
	StdoutContains string
}

// Kind names the step's action: "waitFor", "http", "exec", "signal" or
// "copy" (as the file's key).
func (s Step) Kind() string {
	switch {
	case s.WaitFor != nil:
		return "waitFor"
	case s.HTTP != nil:
		return "http"
	case s.Exec != nil:
		return "exec"
	case s.Signal != "":
		return "signal"
	case s.Copy != nil:
		return "copy"
	}
	return ""
}

// Default is the workload of a scan without one: a job, no steps.
func Default() *Workload {
	dir, _ := filepath.Abs(".")
	return &Workload{
		Dir:        dir,
		Mode:       Job,
		StopSignal: DefaultStopSignal,
		StopGrace:  DefaultStopGrace,
	}
}

// Load reads and parses a workload file.
func Load(path string) (*Workload, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read workload: %w", err)
	}
	return Parse(path, data)
}

// Parse parses and validates a workload; path names it in messages and
// relative copy sources resolve against its directory (the working
// directory when path is ""). Copy sources must exist as regular files. The
// error is an *Errors with every problem found.
func Parse(path string, data []byte) (*Workload, error) {
	dir, err := filepath.Abs(filepath.Dir(path))
	if err != nil {
		return nil, fmt.Errorf("parse workload %s: resolve its directory: %w", path, err)
	}
	p := &parser{file: path, dir: dir}
	w := p.workload(data)
	if len(p.errs) > 0 {
		p.errs.sort()
		return nil, &p.errs
	}
	w.Path, w.Dir = path, dir
	return w, nil
}

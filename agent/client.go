package agent

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/sysgate/sysgate/tracer"
)

// ProbeResult is what an http probe prints on stdout (JSON).
type ProbeResult struct {
	Status int    `json:"status"`
	Body   []byte `json:"body"` // at most MaxProbeBody bytes
	// Truncated: the body was longer.
	Truncated bool   `json:"truncated,omitempty"`
	Error     string `json:"error,omitempty"`
}

// MaxProbeBody bounds the body an http probe returns.
const MaxProbeBody = 1 << 20

type clientFlags struct {
	socket, kind, step, dir, method, path, body string
	env, headers                                multi
	signal, port                                int
	grace, timeout                              time.Duration
}

type multi []string

func (m *multi) String() string     { return strings.Join(*m, ",") }
func (m *multi) Set(v string) error { *m = append(*m, v); return nil }

// Client is sysgate's helper inside the container, started by podman exec:
// it runs an exec step through the agent (exiting with the command's status),
// names a step, signals or stops the entrypoint, or probes a port or an HTTP
// endpoint in the container's network namespace. It is not traced and not
// the image's: the agent knows it as sysgate's own.
func Client(args []string) int {
	// Nothing in the container may attach to us and speak in our name.
	unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0)
	f, argv, err := parseClient(args)
	if err != nil {
		fmt.Fprintf(os.Stderr, "sysgate helper: %v\n", err)
		return tracer.ExitFailure
	}
	switch f.kind {
	case "http":
		return f.probeHTTP()
	case "port":
		return f.waitPort()
	}
	req := Request{Kind: f.kind, Step: f.step, Argv: argv, Env: f.env, Dir: f.dir,
		Signal: f.signal, GraceMillis: f.grace.Milliseconds()}
	r, err := f.ask(req, f.kind == "exec")
	if err != nil {
		fmt.Fprintf(os.Stderr, "sysgate helper: %v\n", err)
		return tracer.ExitFailure
	}
	switch r.Kind {
	case "exit":
		return r.Status
	case "error":
		fmt.Fprintf(os.Stderr, "sysgate: %s\n", r.Error)
		return r.Code
	}
	return 0
}

func parseClient(args []string) (*clientFlags, []string, error) {
	f := &clientFlags{}
	fs := flag.NewFlagSet("sysgate helper", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&f.socket, "socket", "", "")
	fs.StringVar(&f.kind, "kind", "", "")
	fs.StringVar(&f.step, "step", "", "")
	fs.StringVar(&f.dir, "dir", "", "")
	fs.StringVar(&f.method, "method", "GET", "")
	fs.StringVar(&f.path, "path", "/", "")
	fs.StringVar(&f.body, "body", "", "")
	fs.Var(&f.env, "env", "")
	fs.Var(&f.headers, "header", "")
	fs.IntVar(&f.signal, "signal", 0, "")
	fs.IntVar(&f.port, "port", 0, "")
	fs.DurationVar(&f.grace, "grace", 10*time.Second, "")
	fs.DurationVar(&f.timeout, "timeout", 30*time.Second, "")
	if err := fs.Parse(args); err != nil {
		return nil, nil, err
	}
	probe := f.kind == "http" || f.kind == "port"
	if f.kind == "" || (f.socket == "" && !probe) {
		return nil, nil, errors.New("--kind is required, and --socket but for the http and port probes")
	}
	if f.kind == "exec" && fs.NArg() == 0 {
		return nil, nil, errors.New("exec needs a command")
	}
	return f, fs.Args(), nil
}

// ask sends one request (with our stdin, stdout and stderr for an exec)
// and returns the agent's last reply.
func (f *clientFlags) ask(req Request, withStdio bool) (Reply, error) {
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return Reply{}, err
	}
	defer unix.Close(fd)
	if err := unix.Connect(fd, &unix.SockaddrUnix{Name: "@" + f.socket}); err != nil {
		return Reply{}, fmt.Errorf("reach sysgate's agent at @%s: %w", f.socket, err)
	}
	var fds []int
	if withStdio {
		fds = []int{0, 1, 2}
	}
	if err := send(fd, req, fds...); err != nil {
		return Reply{}, fmt.Errorf("send the request: %w", err)
	}
	var r Reply
	if _, err := recv(fd, &r); err != nil {
		return Reply{}, fmt.Errorf("read the agent's answer: %w", err)
	}
	return r, nil
}

// mark names the step; a probe without --socket (scripts/bench-scan's
// baseline, with no agent) names none.
func (f *clientFlags) mark() error {
	if f.socket == "" {
		return nil
	}
	r, err := f.ask(Request{Kind: "mark", Step: f.step}, false)
	if err == nil && r.Kind == "error" {
		err = errors.New(r.Error)
	}
	return err
}

// probeHTTP makes one request to 127.0.0.1:port and prints a ProbeResult.
func (f *clientFlags) probeHTTP() int {
	if err := f.mark(); err != nil {
		fmt.Fprintf(os.Stderr, "sysgate probe: %v\n", err)
		return tracer.ExitFailure
	}
	res := f.doHTTP()
	json.NewEncoder(os.Stdout).Encode(res)
	if res.Error != "" {
		return 1
	}
	return 0
}

func (f *clientFlags) doHTTP() ProbeResult {
	url := "http://127.0.0.1:" + strconv.Itoa(f.port) + f.path
	req, err := http.NewRequest(f.method, url, strings.NewReader(f.body))
	if err != nil {
		return ProbeResult{Error: err.Error()}
	}
	for _, h := range f.headers {
		k, v, _ := strings.Cut(h, ":")
		req.Header.Set(strings.TrimSpace(k), strings.TrimSpace(v))
	}
	client := &http.Client{Timeout: f.timeout, Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true}}
	resp, err := client.Do(req)
	if err != nil {
		return ProbeResult{Error: err.Error()}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxProbeBody+1))
	res := ProbeResult{Status: resp.StatusCode, Body: body}
	if len(body) > MaxProbeBody {
		res.Body, res.Truncated = body[:MaxProbeBody], true
	}
	if err != nil {
		res.Error = "read the body: " + err.Error()
	}
	return res
}

// waitPort connects to 127.0.0.1:port until it answers or the timeout.
func (f *clientFlags) waitPort() int {
	if err := f.mark(); err != nil {
		fmt.Fprintf(os.Stderr, "sysgate probe: %v\n", err)
		return tracer.ExitFailure
	}
	deadline := time.Now().Add(f.timeout)
	addr := "127.0.0.1:" + strconv.Itoa(f.port)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return 0
		}
		if time.Now().After(deadline) {
			fmt.Fprintf(os.Stderr, "sysgate probe: nothing listens on %s after %s (%v)\n", addr, f.timeout, err)
			return 1
		}
		time.Sleep(50 * time.Millisecond)
	}
}

package sandbox

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/containers/podman/v5/pkg/bindings"
)

// RootfulSocket is where a rootful Podman service listens by default.
const RootfulSocket = "unix:///run/podman/podman.sock"

// ErrUnreachable is returned (wrapped in a *ConnectError) when no Podman
// service answered and none could be started.
var ErrUnreachable = errors.New("podman unreachable")

// Options say where to find Podman. The zero value tries the default socket
// and then starts a private service.
type Options struct {
	// URI is an explicit connection (unix://, tcp:// or ssh://), from
	// --connection: tried alone, and an error if it does not answer.
	URI string
	// ContainerHost is $CONTAINER_HOST as the caller read it: tried first when
	// URI is empty; when it does not answer, the defaults are tried.
	ContainerHost string
	// RuntimeDir is $XDG_RUNTIME_DIR as the caller read it, for the rootless
	// default socket; empty means /run/user/UID.
	RuntimeDir string
	// Private skips every running service and always starts a private one.
	Private bool
	// Podman is the podman binary that runs a private service; empty means
	// "podman" from PATH.
	Podman string
	// StartTimeout bounds the wait for a private service to answer; zero
	// means DefaultStartTimeout.
	StartTimeout time.Duration
}

// DefaultStartTimeout is how long a private service may take to answer.
const DefaultStartTimeout = 30 * time.Second

// pingTimeout bounds the check of one existing socket.
const pingTimeout = 5 * time.Second

// Attempt is one connection tried: where, why it was tried, what happened.
type Attempt struct {
	URI    string // the address, or "private service"
	Source string // "--connection", "CONTAINER_HOST", "default rootful socket", ...
	Err    error  // nil for the one that answered
}

func (a Attempt) String() string {
	if a.Err == nil {
		return fmt.Sprintf("%s (%s): answered", a.URI, a.Source)
	}
	return fmt.Sprintf("%s (%s): %v", a.URI, a.Source, a.Err)
}

// ConnectError says which connections were tried and what to do.
type ConnectError struct {
	Tried []Attempt
	Hint  string
}

func (e *ConnectError) Error() string {
	parts := make([]string, len(e.Tried))
	for i, a := range e.Tried {
		parts[i] = a.String()
	}
	return fmt.Sprintf("no Podman service answered (tried %s); %s", strings.Join(parts, "; "), e.Hint)
}

// Is makes errors.Is(err, ErrUnreachable) true.
func (e *ConnectError) Is(target error) bool { return target == ErrUnreachable }

// Client is a connection to one Podman service, and the private service
// behind it if Connect started one. It is safe for concurrent use.
type Client struct {
	conn    context.Context // carries the bindings' connection; only its values are used
	uri     string
	tried   []Attempt
	service *service

	hostMu sync.Mutex
	host   *hostInfo // nil until the service answered
}

// candidate is a connection to try, and why.
type candidate struct {
	uri, source string
}

// candidates lists what Connect tries before starting a private service, in
// order; rootful is the rootful default socket.
func candidates(o Options, euid int, rootful string) []candidate {
	if o.URI != "" {
		return []candidate{{o.URI, "--connection"}}
	}
	if o.Private {
		return nil
	}
	var cs []candidate
	if o.ContainerHost != "" {
		cs = append(cs, candidate{o.ContainerHost, "CONTAINER_HOST"})
	}
	if euid == 0 {
		return append(cs, candidate{rootful, "default rootful socket"})
	}
	dir := o.RuntimeDir
	if dir == "" {
		dir = filepath.Join("/run/user", strconv.Itoa(euid))
	}
	sock := "unix://" + filepath.Join(dir, "podman", "podman.sock")
	return append(cs, candidate{sock, "default rootless socket"})
}

// Connect connects to Podman as Options say. When no URI was given and no
// service answers, it starts a private one, which Close stops. The error
// wraps ErrUnreachable when nothing answered and nothing could be started.
func Connect(ctx context.Context, o Options) (*Client, error) {
	return connect(ctx, o, candidates(o, os.Geteuid(), RootfulSocket))
}

// connect tries cands in order, then a private service unless o.URI is set.
func connect(ctx context.Context, o Options, cands []candidate) (*Client, error) {
	var tried []Attempt
	for _, cand := range cands {
		conn, err := dial(ctx, cand.uri, pingTimeout)
		tried = append(tried, Attempt{URI: cand.uri, Source: cand.source, Err: err})
		if err == nil {
			return &Client{conn: conn, uri: cand.uri, tried: tried}, nil
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("connect to podman: %w", ctx.Err())
		}
	}
	if o.URI != "" {
		return nil, &ConnectError{Tried: tried, Hint: "start the service there (podman system service), or drop --connection to let sysgate start a private one"}
	}
	return connectPrivate(ctx, o, tried)
}

// connectPrivate starts a private service and connects to it.
func connectPrivate(ctx context.Context, o Options, tried []Attempt) (*Client, error) {
	svc, conn, err := startService(ctx, o.Podman, o.StartTimeout)
	if err != nil && ctx.Err() != nil {
		return nil, fmt.Errorf("connect to podman: %w", ctx.Err())
	}
	if err != nil {
		tried = append(tried, Attempt{URI: "private service", Source: "podman system service", Err: err})
		return nil, &ConnectError{Tried: tried, Hint: "install podman (Debian: apt-get install podman runc) or give --connection URI of a running service"}
	}
	tried = append(tried, Attempt{URI: svc.uri, Source: "private podman system service"})
	return &Client{conn: conn, uri: svc.uri, tried: tried, service: svc}, nil
}

// dial connects to uri and pings the service, within timeout.
func dial(ctx context.Context, uri string, timeout time.Duration) (context.Context, error) {
	pctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	conn, err := bindings.NewConnection(pctx, uri)
	if err != nil {
		if pctx.Err() != nil && ctx.Err() == nil {
			return nil, fmt.Errorf("no answer within %v", timeout)
		}
		// "dial unix /run/podman/podman.sock: connect: no such file or
		// directory" says it all; the bindings wrap it twice.
		var op *net.OpError
		if errors.As(err, &op) {
			return nil, op
		}
		return nil, err
	}
	return conn, nil
}

// URI is the address of the service this client talks to.
func (c *Client) URI() string { return c.uri }

// Private tells whether Connect started the service itself.
func (c *Client) Private() bool { return c.service != nil }

// Tried lists the connections Connect tried, the last one being this
// client's; earlier ones say why they were passed over.
func (c *Client) Tried() []Attempt { return append([]Attempt(nil), c.tried...) }

// Close stops the private service, if Connect started one, and removes its
// directory. Containers are not touched: tear them down first.
func (c *Client) Close() error {
	if c.service == nil {
		return nil
	}
	return c.service.stop()
}

// bind returns ctx carrying c's connection, for the bindings.
func (c *Client) bind(ctx context.Context) context.Context {
	return boundCtx{Context: ctx, values: c.conn}
}

// dedicated returns ctx carrying a connection of its own, and a function
// to call when done with it. Attach and exec replace their connection's
// HTTP transport to take over its socket, which would race with any other
// call sharing it; and the transports they drop keep their idle sockets
// (and two goroutines each) forever. So every socket the connection dials
// is tracked, and release closes them all.
func (c *Client) dedicated(ctx context.Context) (context.Context, func(), error) {
	conn, err := dial(ctx, c.uri, pingTimeout)
	if err != nil {
		return nil, nil, fmt.Errorf("connect to podman at %s: %w", c.uri, err)
	}
	hc, err := bindings.GetClient(conn)
	if err != nil {
		return nil, nil, err
	}
	tr, ok := hc.Client.Transport.(*http.Transport)
	if !ok {
		return nil, nil, fmt.Errorf("connect to podman at %s: unexpected transport %T", c.uri, hc.Client.Transport)
	}
	tracked := &socketTracker{dial: tr.DialContext}
	nt := tr.Clone()
	nt.DialContext = tracked.dialContext
	hc.Client.Transport = nt
	tr.CloseIdleConnections() // the ping's
	return boundCtx{Context: ctx, values: conn}, tracked.closeAll, nil
}

// socketTracker remembers the sockets it dials, to close them all.
type socketTracker struct {
	dial  func(ctx context.Context, network, addr string) (net.Conn, error)
	mu    sync.Mutex
	conns []net.Conn
}

func (s *socketTracker) dialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	conn, err := s.dial(ctx, network, addr)
	if err == nil {
		s.mu.Lock()
		s.conns = append(s.conns, conn)
		s.mu.Unlock()
	}
	return conn, err
}

func (s *socketTracker) closeAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.conns {
		c.Close()
	}
	s.conns = nil
}

// boundCtx takes cancellation and deadline from the caller's context, and
// values from the connection's context first.
type boundCtx struct {
	context.Context
	values context.Context
}

func (b boundCtx) Value(key any) any {
	if v := b.values.Value(key); v != nil {
		return v
	}
	return b.Context.Value(key)
}

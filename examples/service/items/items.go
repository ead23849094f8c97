// Package items is the example service of examples/service: a small HTTP API
// over a list of item names kept in a text file, and a command-line client
// for it, in one static binary. examples/compromised builds the same service
// with a backdoor added through Main's extend hook.
package items

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Store is the list of items, kept in a file with one name per line.
type Store struct {
	mu    sync.Mutex
	path  string
	items []string
}

// validName is what an item may be called.
var validName = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,63}$`)

// Open reads the store at path; a missing file is an empty store.
func Open(path string) (*Store, error) {
	s := &Store{path: path}
	return s, s.Reload()
}

// Reload reads the file again (the service does it on SIGHUP).
func (s *Store) Reload() error {
	f, err := os.Open(s.path)
	if errors.Is(err, os.ErrNotExist) {
		s.set(nil)
		return nil
	}
	if err != nil {
		return fmt.Errorf("read items: %w", err)
	}
	defer f.Close()
	var items []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" {
			items = append(items, line)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read items %s: %w", s.path, err)
	}
	s.set(items)
	return nil
}

func (s *Store) set(items []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.items = items
}

// List returns the items in the order they were added.
func (s *Store) List() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string{}, s.items...)
}

// Add appends an item to the list and to the file.
func (s *Store) Add(name string) error {
	if !validName.MatchString(name) {
		return fmt.Errorf("invalid item name %q: want 1 to 64 of a-z, 0-9 and -", name)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	f, err := os.OpenFile(s.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("add item: %w", err)
	}
	if _, err := fmt.Fprintln(f, name); err != nil {
		f.Close()
		return fmt.Errorf("add item: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("add item: %w", err)
	}
	s.items = append(s.items, name)
	return nil
}

// list is the body of GET /items.
type list struct {
	Items []string `json:"items"`
}

// item is the body of POST /items.
type item struct {
	Name string `json:"name"`
}

// Routes is the API: GET /healthz, GET /items, POST /items.
func Routes(s *Store) *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("GET /items", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, list{Items: s.List()})
	})
	mux.HandleFunc("POST /items", func(w http.ResponseWriter, r *http.Request) {
		var it item
		if err := json.NewDecoder(io.LimitReader(r.Body, 4096)).Decode(&it); err != nil {
			http.Error(w, "want a JSON body {\"name\": \"...\"}", http.StatusBadRequest)
			return
		}
		if err := s.Add(it.Name); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		writeJSON(w, http.StatusCreated, it)
	})
	return mux
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// logged writes one line per request: method, path, status.
func logged(h http.Handler, log io.Writer) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		h.ServeHTTP(rec, r)
		fmt.Fprintf(log, "%s %s %d\n", r.Method, r.URL.Path, rec.status)
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(status int) {
	r.status = status
	r.ResponseWriter.WriteHeader(status)
}

// Main runs the command: `serve` the API, or `list` and `add` as a client of
// a running one. extend, when not nil, may add routes to the API. It returns
// the exit status: 0, 1 when the work failed, 2 on bad usage.
func Main(args []string, stdout, stderr io.Writer, extend func(*http.ServeMux)) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: items serve [--addr :8080] [--data FILE] | list [--addr HOST:PORT] | add [--addr HOST:PORT] NAME")
		return 2
	}
	fs := flag.NewFlagSet("items "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	var err error
	switch args[0] {
	case "serve":
		addr := fs.String("addr", ":8080", "listen on `ADDR`")
		data := fs.String("data", "/data/items.txt", "the items `FILE`")
		if fs.Parse(args[1:]) != nil {
			return 2
		}
		err = serve(*addr, *data, stdout, extend)
	case "list", "add":
		addr := fs.String("addr", "127.0.0.1:8080", "the service's `HOST:PORT`")
		if fs.Parse(args[1:]) != nil {
			return 2
		}
		if args[0] == "list" {
			err = clientList(*addr, stdout)
		} else if fs.NArg() != 1 {
			fmt.Fprintln(stderr, "usage: items add [--addr HOST:PORT] NAME")
			return 2
		} else {
			err = clientAdd(*addr, fs.Arg(0), stdout)
		}
	default:
		fmt.Fprintf(stderr, "items: unknown command %q: want serve, list or add\n", args[0])
		return 2
	}
	if err != nil {
		fmt.Fprintf(stderr, "items: %v\n", err)
		return 1
	}
	return 0
}

// serve runs the API until SIGTERM or SIGINT; SIGHUP reloads the file.
func serve(addr, data string, log io.Writer, extend func(*http.ServeMux)) error {
	store, err := Open(data)
	if err != nil {
		return err
	}
	mux := Routes(store)
	if extend != nil {
		extend(mux)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: logged(mux, log), ReadHeaderTimeout: 5 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	go reloadOnHangup(ctx, store, log)
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shutdown)
	}()
	fmt.Fprintf(log, "listening on %s with %d items\n", ln.Addr(), len(store.List()))
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	fmt.Fprintln(log, "stopped")
	return nil
}

func reloadOnHangup(ctx context.Context, store *Store, log io.Writer) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
			if err := store.Reload(); err != nil {
				fmt.Fprintf(log, "reload: %v\n", err)
				continue
			}
			fmt.Fprintf(log, "reloaded %d items\n", len(store.List()))
		}
	}
}

var client = &http.Client{Timeout: 10 * time.Second}

func clientList(addr string, stdout io.Writer) error {
	resp, err := client.Get("http://" + addr + "/items")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET /items: %s", resp.Status)
	}
	var l list
	if err := json.NewDecoder(resp.Body).Decode(&l); err != nil {
		return fmt.Errorf("GET /items: %w", err)
	}
	for _, it := range l.Items {
		fmt.Fprintln(stdout, it)
	}
	return nil
}

func clientAdd(addr, name string, stdout io.Writer) error {
	body, _ := json.Marshal(item{Name: name})
	resp, err := client.Post("http://"+addr+"/items", "application/json", strings.NewReader(string(body)))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
		return fmt.Errorf("POST /items: %s: %s", resp.Status, strings.TrimSpace(string(msg)))
	}
	fmt.Fprintf(stdout, "added %s\n", name)
	return nil
}

package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// progress shows what a scan is doing: a spinner on a terminal, plain
// timestamped lines otherwise (CI logs keep every line).
type progress struct {
	mu      sync.Mutex
	w       io.Writer
	tty     bool
	start   time.Time
	current string
	stop    chan struct{}
	stopped chan struct{}
}

var spinner = []string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}

func newProgress(w *os.File) *progress {
	p := &progress{w: w, tty: isTerminal(w) && os.Getenv("CI") == "", start: time.Now()}
	if p.tty {
		p.stop, p.stopped = make(chan struct{}), make(chan struct{})
		go p.spin()
	}
	return p
}

func isTerminal(f *os.File) bool {
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}

// phase starts a new phase (or reports a line the scan wants shown).
func (p *progress) phase(msg string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tty {
		if p.current != "" {
			fmt.Fprintf(p.w, "\r\033[K  %s\n", p.current)
		}
		p.current = msg
		return
	}
	fmt.Fprintf(p.w, "sysgate: [%5.1fs] %s\n", time.Since(p.start).Seconds(), msg)
}

func (p *progress) spin() {
	defer close(p.stopped)
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for i := 0; ; i++ {
		select {
		case <-p.stop:
			return
		case <-t.C:
		}
		p.mu.Lock()
		if p.current != "" {
			fmt.Fprintf(p.w, "\r\033[K%s %s (%.0fs)", spinner[i%len(spinner)], p.current, time.Since(p.start).Seconds())
		}
		p.mu.Unlock()
	}
}

// done ends the display.
func (p *progress) done() {
	if !p.tty {
		return
	}
	close(p.stop)
	<-p.stopped
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.current != "" {
		fmt.Fprintf(p.w, "\r\033[K  %s\n", p.current)
		p.current = ""
	}
}

// writer passes the image's output through without tearing the spinner.
func (p *progress) writer() io.Writer { return &progressWriter{p} }

type progressWriter struct{ p *progress }

func (w *progressWriter) Write(b []byte) (int, error) {
	w.p.mu.Lock()
	defer w.p.mu.Unlock()
	if w.p.tty {
		fmt.Fprint(w.p.w, "\r\033[K")
	}
	return w.p.w.Write(b)
}

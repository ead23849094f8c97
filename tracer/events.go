package tracer

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/sysgate/sysgate/observation"
)

type evKind uint8

const (
	evCall evKind = iota
	evExec
	evFork
	evExit
)

var evNames = [...]string{evCall: "call", evExec: "exec", evFork: "fork", evExit: "exit"}

// event is one line of the event stream, as the loop hands it over.
type event struct {
	kind           evKind
	time           time.Time
	pid, tid, ppid int
	abi            string
	nr             uint32
	name           string
	args           observation.Args
	hasRet         bool
	ret            int64
	errno          string
	exe            string
	argv           []string
	exit           *observation.Exit
}

const eventBatch = 256

// eventWriter streams events as JSON lines. The loop fills a batch and hands
// it to the writer goroutine when it is full or before the loop blocks in
// wait4, so events reach the file as they happen and the loop never formats
// JSON. The hand-over blocks when the writer is behind: nothing is dropped.
//
// Batches go back to the loop through free once written: the loop flushes
// before every blocking wait, often with one event in the batch, and a new
// batch per flush would be most of the tracer's garbage.
type eventWriter struct {
	batch []event
	ch    chan []event
	free  chan []event
	done  chan error
}

const eventBatches = 4 // batches in flight between the loop and the writer

func newEventWriter(w io.Writer) *eventWriter {
	e := &eventWriter{batch: make([]event, 0, eventBatch), ch: make(chan []event, eventBatches),
		free: make(chan []event, eventBatches+1), done: make(chan error, 1)}
	go e.write(w)
	return e
}

func (e *eventWriter) pending() bool { return e != nil && len(e.batch) > 0 }

func (e *eventWriter) add(ev event) {
	e.batch = append(e.batch, ev)
	if len(e.batch) == cap(e.batch) {
		e.flush()
	}
}

func (e *eventWriter) flush() {
	if !e.pending() {
		return
	}
	e.ch <- e.batch
	select {
	case e.batch = <-e.free:
	default:
		e.batch = make([]event, 0, eventBatch)
	}
}

// close flushes what is left and waits for the writer.
func (e *eventWriter) close() error {
	if e == nil {
		return nil
	}
	e.flush()
	close(e.ch)
	return <-e.done
}

func (e *eventWriter) call(t *task, c *pendingCall, out *outcome, errno string) {
	ev := event{kind: evCall, time: c.time, pid: t.proc.pid, tid: t.tid, abi: c.abi.String(), nr: c.Nr, name: c.Name, args: c.args}
	if out != nil {
		ev.hasRet, ev.ret, ev.errno = true, out.ret, errno
	}
	e.add(ev)
}

func (e *eventWriter) process(kind evKind, pid, ppid int, exe string, argv []string, exit *observation.Exit) {
	e.add(event{kind: kind, time: time.Now(), pid: pid, ppid: ppid, exe: exe, argv: argv, exit: exit})
}

func (e *eventWriter) write(w io.Writer) {
	bw := bufio.NewWriterSize(w, 64<<10)
	enc := json.NewEncoder(bw)
	var err error
	for batch := range e.ch {
		for i := range batch {
			if err == nil {
				err = enc.Encode(batch[i].line())
			}
		}
		if err == nil {
			err = bw.Flush()
		}
		clear(batch) // drop the references the events hold
		select {
		case e.free <- batch[:0]:
		default:
		}
	}
	if err != nil {
		err = fmt.Errorf("write events: %w", err)
	}
	e.done <- err
}

// eventLine is the JSON form of an event.
type eventLine struct {
	Type   string           `json:"type"`
	Time   string           `json:"time"`
	PID    int              `json:"pid"`
	TID    int              `json:"tid,omitempty"`
	PPID   int              `json:"ppid,omitempty"`
	ABI    string           `json:"abi,omitempty"`
	Nr     *uint32          `json:"nr,omitempty"`
	Name   string           `json:"name,omitempty"`
	Args   observation.Args `json:"args,omitempty"`
	Ret    *int64           `json:"ret,omitempty"`
	Errno  string           `json:"errno,omitempty"`
	Exe    string           `json:"exe,omitempty"`
	Argv   []string         `json:"argv,omitempty"`
	Code   *int             `json:"code,omitempty"`
	Signal string           `json:"signal,omitempty"`
}

func (ev *event) line() eventLine {
	l := eventLine{Type: evNames[ev.kind], Time: ev.time.UTC().Format(time.RFC3339Nano), PID: ev.pid,
		PPID: ev.ppid, Exe: ev.exe, Argv: ev.argv}
	if ev.kind == evCall {
		l.TID, l.ABI, l.Nr, l.Name, l.Args = ev.tid, ev.abi, &ev.nr, ev.name, ev.args
		if ev.hasRet {
			l.Ret, l.Errno = &ev.ret, ev.errno
		}
	}
	if ev.exit != nil {
		l.Code, l.Signal = ev.exit.Code, ev.exit.Signal
	}
	return l
}

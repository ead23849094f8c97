package observation

import (
	"fmt"
	"sort"
	"sync"
)

// Limits bound what a Builder keeps; hitting one makes the observation
// incomplete, with what was cut.
type Limits struct {
	MaxCalls     int // distinct call records
	MaxProcesses int // process records
}

// DefaultLimits are generous for a test workload and keep memory bounded.
var DefaultLimits = Limits{MaxCalls: 200000, MaxProcesses: 100000}

type callKey struct {
	exe, abi string
	nr       uint32
	args     string
}

type sysKey struct {
	abi string
	nr  uint32
}

// Builder aggregates a run into an Observation as it happens. It is safe for
// concurrent use: the tracer's loop feeds it while a sandbox agent names the
// current step and takes snapshots. The lock is uncontended but for those.
type Builder struct {
	mu                         sync.Mutex
	limits                     Limits
	subject                    Subject
	step                       string
	calls                      []Call
	callIndex                  map[callKey]int
	syscalls                   map[sysKey]*Syscall
	processes                  []Process
	open                       map[int]int // pid of a live process → index in processes
	incomplete                 []string
	tampering                  []string
	tamperCount                map[string]int // message → attempts
	tamperDropped              uint64
	changes                    uint64         // bumped by every record, for snapshots
	reasons                    map[string]int // reason key → index in incomplete
	droppedCalls, droppedProcs uint64
}

// NewBuilder starts an observation of subject.
func NewBuilder(subject Subject, limits Limits) *Builder {
	return &Builder{
		limits:    limits,
		subject:   subject,
		callIndex: make(map[callKey]int),
		syscalls:  make(map[sysKey]*Syscall),
		open:      make(map[int]int),
		reasons:   make(map[string]int),
	}
}

// SetStep names the workload step the following calls belong to.
func (b *Builder) SetStep(step string) {
	b.mu.Lock()
	b.step = step
	b.mu.Unlock()
}

// Step is the step calls entering now belong to.
func (b *Builder) Step() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.step
}

// Call counts one call and returns a handle for its outcome, or -1 when the
// distinct-record bound was hit (the call still counts in the summary). It
// belongs to the current step.
func (b *Builder) Call(exe, abi string, nr uint32, name string, args Args) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.call(b.step, exe, abi, nr, name, args)
}

// CallIn is Call for a call that entered during step (a call recorded at
// its exit may have blocked across steps).
func (b *Builder) CallIn(step, exe, abi string, nr uint32, name string, args Args) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.call(step, exe, abi, nr, name, args)
}

func (b *Builder) call(step, exe, abi string, nr uint32, name string, args Args) int {
	b.changes++
	b.countSyscall(abi, nr, name)
	k := callKey{exe: exe, abi: abi, nr: nr, args: args.Key()}
	if i, ok := b.callIndex[k]; ok {
		b.calls[i].Count++
		return i
	}
	if len(b.calls) >= b.limits.MaxCalls {
		b.droppedCalls++
		b.incompleteLocked("calls", fmt.Sprintf("distinct call records: bound of %d reached, %d calls not recorded with their arguments", b.limits.MaxCalls, b.droppedCalls))
		return -1
	}
	b.calls = append(b.calls, Call{Exe: exe, ABI: abi, Nr: nr, Name: name, Args: args, Count: 1, FirstStep: step})
	b.callIndex[k] = len(b.calls) - 1
	return len(b.calls) - 1
}

func (b *Builder) countSyscall(abi string, nr uint32, name string) {
	k := sysKey{abi: abi, nr: nr}
	s := b.syscalls[k]
	if s == nil {
		s = &Syscall{ABI: abi, Nr: nr, Name: name}
		b.syscalls[k] = s
	}
	s.Count++
}

// Outcome records how the call behind handle h returned: errno is "" for
// success.
func (b *Builder) Outcome(h int, errno string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.changes++
	if h < 0 || h >= len(b.calls) {
		return
	}
	c := &b.calls[h]
	c.Outcomes++
	if errno != "" {
		if c.Errors == nil {
			c.Errors = make(map[string]uint64)
		}
		c.Errors[errno]++
	}
}

// Incomplete marks the observation incomplete. Reasons with the same key
// replace each other, so a bound hit a million times is one line.
func (b *Builder) Incomplete(key, reason string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.incompleteLocked(key, reason)
}

// maxTampering bounds the distinct tampering messages kept.
const maxTampering = 1000

// Tamper records an attempt against the tracer or its channel. The same
// attempt repeated is one entry with its count.
func (b *Builder) Tamper(what string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.changes++
	if b.tamperCount == nil {
		b.tamperCount = make(map[string]int)
	}
	if _, seen := b.tamperCount[what]; !seen {
		if len(b.tampering) >= maxTampering {
			b.tamperDropped++
			return
		}
		b.tampering = append(b.tampering, what)
	}
	b.tamperCount[what]++
}

// tamperList is the tampering list as the observation gives it.
func (b *Builder) tamperList() []string {
	var out []string
	for _, t := range b.tampering {
		if n := b.tamperCount[t]; n > 1 {
			t = fmt.Sprintf("%s (%d times)", t, n)
		}
		out = append(out, t)
	}
	if b.tamperDropped > 0 {
		out = append(out, fmt.Sprintf("%d more attempts of other kinds, not listed (bound of %d kinds)", b.tamperDropped, maxTampering))
	}
	return out
}

// Changes grows with every record: a snapshot taker compares it to skip
// snapshots of nothing new.
func (b *Builder) Changes() uint64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.changes
}

func (b *Builder) incompleteLocked(key, reason string) {
	b.changes++
	if i, ok := b.reasons[key]; ok {
		b.incomplete[i] = reason
		return
	}
	b.reasons[key] = len(b.incomplete)
	b.incomplete = append(b.incomplete, reason)
}

// ProcessStart records a new process pid, child of ppid, running exe/argv.
func (b *Builder) ProcessStart(pid, ppid int, exe string, argv []string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.changes++
	if len(b.processes) >= b.limits.MaxProcesses {
		b.droppedProcs++
		b.incompleteLocked("processes", fmt.Sprintf("process records: bound of %d reached, %d processes not listed", b.limits.MaxProcesses, b.droppedProcs))
		delete(b.open, pid)
		return
	}
	b.processes = append(b.processes, Process{PID: pid, PPID: ppid, Exe: exe, Argv: argv})
	b.open[pid] = len(b.processes) - 1
}

// ProcessExec records that pid now runs exe with argv.
func (b *Builder) ProcessExec(pid int, exe string, argv []string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.changes++
	if i, ok := b.open[pid]; ok {
		b.processes[i].Exe, b.processes[i].Argv = exe, argv
	}
}

// ProcessExit records how pid ended.
func (b *Builder) ProcessExit(pid int, exit Exit) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.changes++
	if i, ok := b.open[pid]; ok {
		b.processes[i].Exit = &exit
		delete(b.open, pid)
	}
}

// Observation returns the record so far, sorted for stable output.
func (b *Builder) Observation() *Observation {
	b.mu.Lock()
	defer b.mu.Unlock()
	o := &Observation{
		Schema:     Schema,
		Complete:   len(b.incomplete) == 0,
		Incomplete: append([]string{}, b.incomplete...),
		Tampering:  b.tamperList(),
		Subject:    b.subject,
		Processes:  append([]Process{}, b.processes...),
		Calls:      append([]Call{}, b.calls...),
	}
	for i := range o.Calls { // the live record keeps counting into its own map
		if errs := o.Calls[i].Errors; errs != nil {
			o.Calls[i].Errors = make(map[string]uint64, len(errs))
			for k, v := range errs {
				o.Calls[i].Errors[k] = v
			}
		}
	}
	for _, s := range b.syscalls {
		o.Syscalls = append(o.Syscalls, *s)
	}
	sort.Slice(o.Syscalls, func(i, j int) bool {
		a, c := o.Syscalls[i], o.Syscalls[j]
		if a.ABI != c.ABI {
			return a.ABI < c.ABI
		}
		return a.Nr < c.Nr
	})
	return o
}

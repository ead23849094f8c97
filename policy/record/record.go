// Package record derives, from observations of known-good runs, a
// least-privilege baseline policy (per program: the syscalls, the programs
// executed, the paths written and the network destinations seen) and an OCI
// seccomp profile. Several observations (repeated runs, several workloads)
// merge into one baseline, and each item counts the runs that saw it.
package record

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/sysgate/sysgate/observation"
	"github.com/sysgate/sysgate/policy"
)

// Run names one observation in the baseline's comments.
type Run struct {
	Name string // the file it was read from
	Obs  *observation.Observation
}

// Baseline is what a set of runs did, merged.
type Baseline struct {
	runs       []Run
	programs   map[string]*program
	accepted   map[acceptKey]*accepted
	incomplete []string
	sys        *seccompFacts
}

// program is what one calling program did over the runs.
type program struct {
	exe       string
	seen      counter
	processes int
	syscalls  map[string]*counter // by name
	unknown   map[string]*counter // "abi #nr" of calls no table names
	execs     map[string]*counter // program path
	writes    map[string]*counter // path written
	dests     map[string]*counter // address pattern
}

// counter holds the runs that saw an item; runs are added in order.
type counter struct {
	ids []int // run indexes, ascending
}

func (c *counter) see(run int) {
	if n := len(c.ids); n == 0 || c.ids[n-1] != run {
		c.ids = append(c.ids, run)
	}
}

func (c *counter) runs() int { return len(c.ids) }

// union counts the runs that saw any of the items.
func union(cs ...*counter) int {
	set := map[int]bool{}
	for _, c := range cs {
		for _, id := range c.ids {
			set[id] = true
		}
	}
	return len(set)
}

func see(m map[string]*counter, key string, run int) {
	c := m[key]
	if c == nil {
		c = &counter{}
		m[key] = c
	}
	c.see(run)
}

// New merges the runs into a baseline. It fails only when there is nothing
// to record.
func New(runs []Run) (*Baseline, error) {
	if len(runs) == 0 {
		return nil, errors.New("record: no observation to record")
	}
	def, err := policy.Default()
	if err != nil {
		return nil, fmt.Errorf("record: default policy: %w", err)
	}
	b := &Baseline{runs: runs, programs: map[string]*program{}, accepted: map[acceptKey]*accepted{}, sys: newSeccompFacts()}
	for i, r := range runs {
		if r.Obs == nil {
			return nil, fmt.Errorf("record: run %d (%s) has no observation", i+1, r.Name)
		}
		b.addRun(i, r, def)
	}
	return b, nil
}

// Incomplete lists, per run, why an observation was incomplete; a baseline
// from incomplete runs lacks what they did not see.
func (b *Baseline) Incomplete() []string { return b.incomplete }

func (b *Baseline) addRun(i int, r Run, def *policy.Policy) {
	for _, reason := range r.Obs.Incomplete {
		b.incomplete = append(b.incomplete, fmt.Sprintf("%s: %s", r.Name, reason))
	}
	if !r.Obs.Complete && len(r.Obs.Incomplete) == 0 {
		b.incomplete = append(b.incomplete, r.Name+": incomplete")
	}
	for _, p := range r.Obs.Processes {
		if p.Exe != "" {
			b.program(p.Exe).processes++
		}
	}
	for j := range r.Obs.Calls {
		c := &r.Obs.Calls[j]
		b.sys.add(c)
		if c.Exe != "" {
			b.program(c.Exe).addCall(i, c)
		}
	}
	b.sys.addSubject(r.Obs)
	b.accept(i, r.Obs, def)
}

func (b *Baseline) program(exe string) *program {
	p := b.programs[exe]
	if p == nil {
		p = &program{exe: exe, syscalls: map[string]*counter{}, unknown: map[string]*counter{},
			execs: map[string]*counter{}, writes: map[string]*counter{}, dests: map[string]*counter{}}
		b.programs[exe] = p
	}
	return p
}

// addCall records one call record of run i.
func (p *program) addCall(i int, c *observation.Call) {
	p.seen.see(i)
	if c.Name == "" {
		see(p.unknown, fmt.Sprintf("%s #%d", c.ABI, c.Nr), i)
	} else {
		see(p.syscalls, c.Name, i)
	}
	f := policy.FactsOf(c)
	if f.In("exec") && f.Exec != "" {
		see(p.execs, f.Exec, i)
	}
	if f.In("file-write") {
		for _, path := range f.Paths {
			see(p.writes, path, i)
		}
	}
	if f.In("connect") && f.Addr != "" {
		see(p.dests, f.Addr, i)
	}
}

// sortedPrograms are the programs by path.
func (b *Baseline) sortedPrograms() []*program {
	out := make([]*program, 0, len(b.programs))
	for _, p := range b.programs {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].exe < out[j].exe })
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// runsNote is "2/3 runs".
func (b *Baseline) runsNote(n int) string {
	return fmt.Sprintf("%d/%d runs", n, len(b.runs))
}

// subjectLine names what a run traced.
func subjectLine(o *observation.Observation) string {
	if o.Subject.Image != nil {
		return "image " + o.Subject.Image.Ref
	}
	if len(o.Subject.Command) > 0 {
		return "command " + strings.Join(o.Subject.Command, " ")
	}
	return "unknown subject"
}

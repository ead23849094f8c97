package workload

import (
	"fmt"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/sysgate/sysgate/internal/yamlstrict"
)

// The keys each mapping of a workload file may have.
var (
	topKeys     = []string{"apiVersion", "mode", "timeout", "stop", "steps"}
	stopKeys    = []string{"signal", "grace"}
	stepKeys    = []string{"name", "timeout", "waitFor", "http", "exec", "signal", "copy", "expect"}
	actionKeys  = []string{"waitFor", "http", "exec", "signal", "copy"}
	waitForKeys = []string{"port", "log", "duration"}
	httpKeys    = []string{"port", "method", "path", "headers", "body"}
	execKeys    = []string{"argv", "env", "workdir"}
	copyKeys    = []string{"from", "to", "mode"}
	expectKeys  = []string{"status", "bodyContains", "exitCode", "stdoutContains"}
)

// workload reads the document; nil when there is nothing to read.
func (p *parser) workload(data []byte) *Workload {
	root := p.document(data)
	if root == nil {
		return nil
	}
	fs := p.mapping(root, "the workload", topKeys)
	if fs == nil {
		return nil
	}
	p.apiVersion(root, fs)
	w := &Workload{Mode: Job, StopSignal: DefaultStopSignal, StopGrace: DefaultStopGrace}
	if f, ok := fs["mode"]; ok {
		w.Mode = p.mode(f.value)
	}
	if f, ok := fs["timeout"]; ok {
		w.Timeout, _ = p.duration(f.value, "timeout", false)
	}
	if f, ok := fs["stop"]; ok {
		p.stop(f, w)
	}
	if f, ok := fs["steps"]; ok {
		w.Steps = p.steps(f.value)
	}
	return w
}

// apiVersion checks that the workload starts with a version this sysgate
// reads.
func (p *parser) apiVersion(root *yaml.Node, fs fields) {
	f, ok := fs["apiVersion"]
	if !ok {
		p.errorf(root, "missing apiVersion: a workload starts with apiVersion: %s", APIVersion)
		return
	}
	if root.Content[0] != f.key {
		p.errorf(f.key, "apiVersion must be the first key of a workload")
	}
	if v, ok := p.text(f.value, "apiVersion"); ok && v != APIVersion {
		p.errorf(f.value, "unsupported apiVersion %q: this sysgate reads %s", v, APIVersion)
	}
}

func (p *parser) mode(n *yaml.Node) Mode {
	s, ok := p.text(n, "mode")
	if !ok {
		return Job
	}
	m := Mode(s)
	if m != Job && m != Service {
		p.errorf(n, "unknown mode %q: want job or service%s", s, yamlstrict.DidYouMeanFold(s, []string{string(Job), string(Service)}))
	}
	return m
}

// stop reads how a service is stopped.
func (p *parser) stop(f field, w *Workload) {
	if w.Mode != Service {
		p.errorf(f.key, "stop is for mode: service; a job's entrypoint runs to completion")
	}
	fs := p.mapping(f.value, "stop", stopKeys)
	if f, ok := fs["signal"]; ok {
		w.StopSignal = p.signal(f.value, "stop.signal")
	}
	if f, ok := fs["grace"]; ok {
		w.StopGrace, _ = p.duration(f.value, "stop.grace", true)
	}
}

// signal reads a signal name into its "SIGTERM" form.
func (p *parser) signal(n *yaml.Node, what string) string {
	s, ok := p.nonEmpty(n, what)
	if !ok {
		return ""
	}
	name := canonicalSignal(s)
	if _, ok := signals[name]; !ok {
		p.errorf(n, "%s: unknown signal %q%s", what, s, yamlstrict.DidYouMeanFold(name, signalNames()))
		return ""
	}
	return name
}

func (p *parser) steps(n *yaml.Node) []Step {
	if n.Kind != yaml.SequenceNode {
		p.errorf(n, "steps must be a list of steps, not %s (steps: [] for none)", yamlstrict.KindName(n))
		return nil
	}
	seen := map[string]int{}
	out := make([]Step, 0, len(n.Content))
	for i, c := range n.Content {
		out = append(out, p.step(c, stepLabel(c, i+1), seen))
	}
	return out
}

// stepLabel names a step in messages: `step "ready"`, or "step 3" when it
// has no name to go by.
func stepLabel(n *yaml.Node, index int) string {
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Value == "name" && v.Kind == yaml.ScalarNode && v.Tag != "!!null" && v.Value != "" {
				return fmt.Sprintf("step %q", v.Value)
			}
		}
	}
	return fmt.Sprintf("step %d", index)
}

func (p *parser) step(n *yaml.Node, label string, seen map[string]int) Step {
	s := Step{Pos: Pos{Line: n.Line, Column: n.Column}, Timeout: DefaultStepTimeout}
	fs := p.mapping(n, label, stepKeys)
	if fs == nil {
		return s
	}
	s.Name = p.stepName(n, fs, label, seen)
	if f, ok := fs["timeout"]; ok {
		s.Timeout, _ = p.duration(f.value, label+": timeout", false)
	}
	kind := p.action(n, fs, label)
	p.actions(fs, label, &s)
	p.expect(fs, kind, label, &s)
	if kind == "exec" && s.Expect.ExitCode == nil {
		s.Expect.ExitCode = new(int) // an exec step expects 0 unless it says otherwise
	}
	return s
}

// stepNameRE is what a step name may be made of.
var stepNameRE = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)

// stepName reads a step's name, unique among the steps seen so far.
func (p *parser) stepName(n *yaml.Node, fs fields, label string, seen map[string]int) string {
	f, ok := fs["name"]
	if !ok {
		p.errorf(n, "%s needs a name", label)
		return ""
	}
	name, ok := p.nonEmpty(f.value, label+": name")
	switch {
	case !ok:
	case !stepNameRE.MatchString(name):
		p.errorf(f.value, "bad step name %q: letters, digits, '.', '_' and '-' only", name)
	case strings.EqualFold(name, StartupStep) || strings.EqualFold(name, ShutdownStep):
		p.errorf(f.value, "step name %q is reserved: sysgate names what happens before the first step %q and after the last %q", name, StartupStep, ShutdownStep)
	case seen[name] != 0:
		p.errorf(f.value, "step name %q is already taken by the step at line %d", name, seen[name])
	default:
		seen[name] = f.value.Line
	}
	return name
}

// action returns the one action key of a step, or "" after reporting none
// or several.
func (p *parser) action(n *yaml.Node, fs fields, label string) string {
	var found []string
	for _, k := range actionKeys {
		if fs.has(k) {
			found = append(found, k)
		}
	}
	switch len(found) {
	case 0:
		p.errorf(n, "%s needs an action: one of %s", label, strings.Join(actionKeys, ", "))
		return ""
	case 1:
		return found[0]
	}
	p.errorf(fs[found[1]].key, "%s has %s: a step does one of %s (split it into steps)", label, joinAnd(found), strings.Join(actionKeys, ", "))
	return ""
}

// actions reads every action key a step has (more than one is reported by
// action).
func (p *parser) actions(fs fields, label string, s *Step) {
	if f, ok := fs["waitFor"]; ok {
		s.WaitFor = p.waitFor(f.value, label, s.Timeout)
	}
	if f, ok := fs["http"]; ok {
		s.HTTP = p.http(f.value, label)
	}
	if f, ok := fs["exec"]; ok {
		s.Exec = p.exec(f.value, label)
	}
	if f, ok := fs["signal"]; ok {
		s.Signal = p.signal(f.value, label+": signal")
	}
	if f, ok := fs["copy"]; ok {
		s.Copy = p.copy(f.value, label)
	}
}

// joinAnd lists names as "a and b" or "a, b and c".
func joinAnd(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

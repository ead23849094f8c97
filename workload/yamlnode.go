package workload

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/sysgate/sysgate/internal/yamlstrict"
)

// parser walks yaml.v3 nodes, collecting every problem with its position.
type parser struct {
	file string
	dir  string // absolute; relative copy sources resolve against it
	errs Errors
}

func (p *parser) errorAt(line, col int, format string, a ...any) {
	p.errs = append(p.errs, &Error{Path: p.file, Line: line, Column: col, Msg: fmt.Sprintf(format, a...)})
}

func (p *parser) errorf(n *yaml.Node, format string, a ...any) {
	p.errorAt(max(n.Line, 1), max(n.Column, 1), format, a...)
}

// document parses data as exactly one YAML document and returns its root,
// or nil after reporting why there is none.
func (p *parser) document(data []byte) *yaml.Node {
	empty := "empty workload: it must start with apiVersion: " + APIVersion
	root, probs := yamlstrict.Document(data, yamlstrict.Texts{Noun: "workload", Empty: empty, Blank: empty})
	for _, pr := range probs {
		p.errorAt(max(pr.Line, 1), max(pr.Column, 1), "%s", pr.Msg)
	}
	return root
}

// field is one key of a mapping and its value.
type field struct {
	key, value *yaml.Node
}

// fields are a mapping's keys, by name.
type fields map[string]field

func (fs fields) has(key string) bool {
	_, ok := fs[key]
	return ok
}

// mapping checks that n is a mapping whose keys are all in allowed, each
// once, and returns them; nil when n is no mapping. what names the mapping.
func (p *parser) mapping(n *yaml.Node, what string, allowed []string) fields {
	if n.Kind != yaml.MappingNode {
		p.errorf(n, "%s must be a mapping (key: value), not %s", what, yamlstrict.KindName(n))
		return nil
	}
	out := fields{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch {
		case k.Kind != yaml.ScalarNode:
			p.errorf(k, "%s: keys must be plain names, not %s", what, yamlstrict.KindName(k))
		case !slices.Contains(allowed, k.Value):
			p.errorf(k, "unknown key %q in %s (known: %s)%s", k.Value, what, strings.Join(allowed, ", "), yamlstrict.DidYouMeanFold(k.Value, allowed))
		case out.has(k.Value):
			p.errorf(k, "%s: key %q given twice (first at line %d)", what, k.Value, out[k.Value].key.Line)
		default:
			out[k.Value] = field{key: k, value: v}
		}
	}
	return out
}

// text returns a scalar's string; false (with an error) for anything else.
func (p *parser) text(n *yaml.Node, what string) (string, bool) {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		p.errorf(n, "%s must be a single value, not %s", what, yamlstrict.KindName(n))
		return "", false
	}
	return n.Value, true
}

// nonEmpty is text that must not be "".
func (p *parser) nonEmpty(n *yaml.Node, what string) (string, bool) {
	s, ok := p.text(n, what)
	if ok && s == "" {
		p.errorf(n, "%s must not be empty", what)
		return "", false
	}
	return s, ok
}

// integer reads a whole number in [lo, hi].
func (p *parser) integer(n *yaml.Node, what string, lo, hi int) (int, bool) {
	var i int
	if n.Kind != yaml.ScalarNode || n.Tag != "!!int" || n.Decode(&i) != nil || i < lo || i > hi {
		p.errorf(n, "%s must be a whole number from %d to %d, not %s", what, lo, hi, yamlstrict.KindName(n))
		return 0, false
	}
	return i, true
}

// duration reads a Go duration (30s, 1m30s): more than 0, or not negative
// when zeroOK.
func (p *parser) duration(n *yaml.Node, what string, zeroOK bool) (time.Duration, bool) {
	s, ok := p.text(n, what)
	if !ok {
		return 0, false
	}
	d, err := time.ParseDuration(s)
	switch {
	case err != nil:
		p.errorf(n, "%s: bad duration %q: want a number and a unit, like 30s, 5m or 1m30s", what, s)
	case d < 0 && zeroOK:
		p.errorf(n, "%s must not be negative, not %s", what, s)
	case d <= 0 && !zeroOK:
		p.errorf(n, "%s must be more than 0, not %s", what, s)
	default:
		return d, true
	}
	return 0, false
}

// stringMap reads a mapping of names to single values; checkName and
// checkValue say what is wrong with a name or a value, or "".
func (p *parser) stringMap(n *yaml.Node, what string, checkName, checkValue func(string) string) map[string]string {
	if n.Kind != yaml.MappingNode {
		p.errorf(n, "%s must be a mapping (name: value), not %s", what, yamlstrict.KindName(n))
		return nil
	}
	out := map[string]string{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		name, ok := p.text(k, what+" name")
		if !ok {
			continue
		}
		if msg := checkName(name); msg != "" {
			p.errorf(k, "%s: %s", what, msg)
			continue
		}
		if _, dup := out[name]; dup {
			p.errorf(k, "%s: %q given twice", what, name)
			continue
		}
		val, ok := p.text(v, what+" "+name)
		if msg := checkValue(val); ok && msg != "" {
			p.errorf(v, "%s %s %q %s", what, name, val, msg)
		}
		out[name] = val
	}
	return out
}

package workload

import (
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
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

// yamlLineRE finds the line in a yaml.v3 syntax error.
var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// document parses data as exactly one YAML document and returns its root,
// or nil after reporting why there is none.
func (p *parser) document(data []byte) *yaml.Node {
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			p.errorAt(1, 1, "empty workload: it must start with apiVersion: %s", APIVersion)
		} else {
			p.syntaxError(err)
		}
		return nil
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		p.errorf(&extra, "a second YAML document: a workload file holds one")
	} else if !errors.Is(err, io.EOF) {
		p.syntaxError(err)
	}
	if len(doc.Content) != 1 {
		p.errorAt(1, 1, "empty workload: it must start with apiVersion: %s", APIVersion)
		return nil
	}
	root := doc.Content[0]
	if !p.checkNoAliases(root) {
		return nil
	}
	return root
}

func (p *parser) syntaxError(err error) {
	msg := err.Error()
	line := 1
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
	} else {
		msg = strings.TrimPrefix(msg, "yaml: ")
	}
	p.errorAt(max(line, 1), 1, "YAML syntax: %s", msg)
}

// checkNoAliases refuses anchors and aliases: a workload is read as written.
func (p *parser) checkNoAliases(n *yaml.Node) bool {
	if n.Kind == yaml.AliasNode {
		p.errorf(n, "YAML aliases (*%s) are not supported in a workload", n.Value)
		return false
	}
	ok := true
	if n.Anchor != "" {
		p.errorf(n, "YAML anchors (&%s) are not supported in a workload", n.Anchor)
		ok = false
	}
	for _, c := range n.Content {
		ok = p.checkNoAliases(c) && ok
	}
	return ok
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
		p.errorf(n, "%s must be a mapping (key: value), not %s", what, kindName(n))
		return nil
	}
	out := fields{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch {
		case k.Kind != yaml.ScalarNode:
			p.errorf(k, "%s: keys must be plain names, not %s", what, kindName(k))
		case !contains(allowed, k.Value):
			p.errorf(k, "unknown key %q in %s (known: %s)%s", k.Value, what, strings.Join(allowed, ", "), didYouMean(k.Value, allowed))
		case out.has(k.Value):
			p.errorf(k, "%s: key %q given twice (first at line %d)", what, k.Value, out[k.Value].key.Line)
		default:
			out[k.Value] = field{key: k, value: v}
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "empty"
		}
		return fmt.Sprintf("the value %q", n.Value)
	}
	return "an alias"
}

// text returns a scalar's string; false (with an error) for anything else.
func (p *parser) text(n *yaml.Node, what string) (string, bool) {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		p.errorf(n, "%s must be a single value, not %s", what, kindName(n))
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
		p.errorf(n, "%s must be a whole number from %d to %d, not %s", what, lo, hi, kindName(n))
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
		p.errorf(n, "%s must be a mapping (name: value), not %s", what, kindName(n))
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

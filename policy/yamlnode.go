package policy

import (
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// parser walks yaml.v3 nodes, collecting every problem with its position.
type parser struct {
	file string
	errs Errors
}

func (p *parser) pos(n *yaml.Node) Position {
	return Position{File: p.file, Line: n.Line, Column: n.Column}
}

func (p *parser) errorf(n *yaml.Node, format string, a ...any) {
	p.errs = append(p.errs, &Error{Pos: p.pos(n), Msg: fmt.Sprintf(format, a...)})
}

// yamlLineRE finds the line in a yaml.v3 syntax error.
var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// document parses data as exactly one YAML document and returns its root.
func (p *parser) document(data []byte) *yaml.Node {
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			p.errs = append(p.errs, &Error{Pos: Position{File: p.file, Line: 1, Column: 1}, Msg: "empty policy: it must start with apiVersion: " + APIVersion})
			return nil
		}
		p.syntaxError(err)
		return nil
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		p.errorf(&extra, "a second YAML document: a policy file holds one")
	} else if !errors.Is(err, io.EOF) {
		p.syntaxError(err)
	}
	if len(doc.Content) != 1 {
		p.errs = append(p.errs, &Error{Pos: Position{File: p.file, Line: 1, Column: 1}, Msg: "empty policy"})
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
	p.errs = append(p.errs, &Error{Pos: Position{File: p.file, Line: line, Column: 1}, Msg: "YAML syntax: " + msg})
}

// checkNoAliases refuses anchors and aliases anywhere: a policy is read as
// written, and an alias could multiply what a reviewer sees once.
func (p *parser) checkNoAliases(n *yaml.Node) bool {
	ok := true
	if n.Kind == yaml.AliasNode {
		p.errorf(n, "YAML aliases (*%s) are not supported in a policy", n.Value)
		return false
	}
	if n.Anchor != "" {
		p.errorf(n, "YAML anchors (&%s) are not supported in a policy", n.Anchor)
		ok = false
	}
	for _, c := range n.Content {
		ok = p.checkNoAliases(c) && ok
	}
	return ok
}

// field is one key of a mapping and its value.
type field struct {
	key   *yaml.Node
	value *yaml.Node
}

// mapping checks that n is a mapping whose keys are all in allowed, each
// once, and returns its fields by key. what names the mapping in messages.
func (p *parser) mapping(n *yaml.Node, what string, allowed ...string) (map[string]field, []field) {
	if n.Kind != yaml.MappingNode {
		p.errorf(n, "%s must be a mapping (key: value), not %s", what, kindName(n))
		return nil, nil
	}
	byKey := map[string]field{}
	var order []field
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			p.errorf(k, "%s: keys must be plain names", what)
			continue
		}
		if !contains(allowed, k.Value) {
			p.errorf(k, "unknown key %q in %s (known: %s)%s", k.Value, what, strings.Join(allowed, ", "), didYouMean(k.Value, allowed))
			continue
		}
		if prev, dup := byKey[k.Value]; dup {
			p.errorf(k, "%s: key %q given twice (first at line %d)", what, k.Value, prev.key.Line)
			continue
		}
		f := field{key: k, value: v}
		byKey[k.Value] = f
		order = append(order, f)
	}
	return byKey, order
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

// item is one string of a list, with its node for positions.
type item struct {
	value string
	node  *yaml.Node
}

// list reads a list of scalars; a single scalar is a list of one. An empty
// list is an error: a condition or allow-list that lists nothing is more
// likely a mistake than a wish.
func (p *parser) list(n *yaml.Node, what string) []item {
	var nodes []*yaml.Node
	switch {
	case n.Kind == yaml.SequenceNode:
		nodes = n.Content
	case n.Kind == yaml.ScalarNode && n.Tag != "!!null":
		nodes = []*yaml.Node{n}
	}
	if len(nodes) == 0 {
		p.errorf(n, "%s must list at least one value, not %s", what, kindName(n))
		return nil
	}
	out := make([]item, 0, len(nodes))
	for _, c := range nodes {
		if s, ok := p.text(c, what+" entry"); ok {
			out = append(out, item{s, c})
		}
	}
	return out
}

package policy

import (
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/sysgate/sysgate/internal/yamlstrict"
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

// document parses data as exactly one YAML document and returns its root.
func (p *parser) document(data []byte) *yaml.Node {
	root, probs := yamlstrict.Document(data, yamlstrict.Texts{
		Noun:  "policy",
		Empty: "empty policy: it must start with apiVersion: " + APIVersion,
		Blank: "empty policy",
	})
	for _, pr := range probs {
		p.errs = append(p.errs, &Error{Pos: Position{File: p.file, Line: pr.Line, Column: pr.Column}, Msg: pr.Msg})
	}
	return root
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
		p.errorf(n, "%s must be a mapping (key: value), not %s", what, yamlstrict.KindName(n))
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
		if !slices.Contains(allowed, k.Value) {
			p.errorf(k, "unknown key %q in %s (known: %s)%s", k.Value, what, strings.Join(allowed, ", "), yamlstrict.DidYouMean(k.Value, allowed))
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

// text returns a scalar's string; false (with an error) for anything else.
func (p *parser) text(n *yaml.Node, what string) (string, bool) {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		p.errorf(n, "%s must be a single value, not %s", what, yamlstrict.KindName(n))
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
		p.errorf(n, "%s must list at least one value, not %s", what, yamlstrict.KindName(n))
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

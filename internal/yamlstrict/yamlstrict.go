// Package yamlstrict reads YAML strictly, as yaml.v3 nodes: one document,
// no anchors or aliases, and every problem with its line and column. The
// policy and workload parsers share it; each turns a Problem into its own
// error type and walks the nodes itself.
package yamlstrict

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Problem is one thing wrong with a YAML file, at a 1-based line and column.
type Problem struct {
	Line, Column int
	Msg          string
}

// Texts name the kind of file in Document's messages.
type Texts struct {
	// Noun is the kind of file, as in "a second YAML document: a policy
	// file holds one" and "YAML anchors (&x) are not supported in a policy".
	Noun string
	// Empty is the message for a file without a document.
	Empty string
	// Blank is the message for a document with no single root node.
	Blank string
}

// Document parses data as exactly one YAML document and returns its root,
// with the problems found: YAML syntax errors (at column 1 of their line), a
// second document, and anchors or aliases anywhere (see Aliases). The root
// is nil when there is none to read; a second document does not stop the
// first from being read.
func Document(data []byte, t Texts) (*yaml.Node, []Problem) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, []Problem{{Line: 1, Column: 1, Msg: t.Empty}}
		}
		return nil, []Problem{syntaxError(err)}
	}
	var probs []Problem
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		probs = append(probs, Problem{Line: extra.Line, Column: extra.Column, Msg: "a second YAML document: a " + t.Noun + " file holds one"})
	} else if !errors.Is(err, io.EOF) {
		probs = append(probs, syntaxError(err))
	}
	if len(doc.Content) != 1 {
		return nil, append(probs, Problem{Line: 1, Column: 1, Msg: t.Blank})
	}
	root := doc.Content[0]
	if aliases := Aliases(root, t.Noun); len(aliases) > 0 {
		return nil, append(probs, aliases...)
	}
	return root, probs
}

// yamlLineRE finds the line in a yaml.v3 syntax error.
var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// syntaxError places a yaml.v3 error at column 1 of its line, or of line 1
// when it names none.
func syntaxError(err error) Problem {
	msg := err.Error()
	line := 1
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
	} else {
		msg = strings.TrimPrefix(msg, "yaml: ")
	}
	return Problem{Line: line, Column: 1, Msg: "YAML syntax: " + msg}
}

// Aliases refuses anchors and aliases anywhere below n, n included: a file
// is read as written, and an alias could multiply what a reviewer sees once.
// noun names the kind of file in the messages ("policy": "YAML aliases (*x)
// are not supported in a policy"). None means n is free of them.
func Aliases(n *yaml.Node, noun string) []Problem {
	if n.Kind == yaml.AliasNode {
		return []Problem{{Line: n.Line, Column: n.Column, Msg: fmt.Sprintf("YAML aliases (*%s) are not supported in a %s", n.Value, noun)}}
	}
	var probs []Problem
	if n.Anchor != "" {
		probs = append(probs, Problem{Line: n.Line, Column: n.Column, Msg: fmt.Sprintf("YAML anchors (&%s) are not supported in a %s", n.Anchor, noun)})
	}
	for _, c := range n.Content {
		probs = append(probs, Aliases(c, noun)...)
	}
	return probs
}

// KindName says what n is, for messages like "x must be a list, not
// KindName(n)": "a mapping", "a list", "empty", `the value "v"` or "an alias".
func KindName(n *yaml.Node) string {
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

// DidYouMean suggests the candidate closest to s, as ` (did you mean "x"?)`,
// or "" when none is close: within an edit distance (in bytes) of less than
// len(s)/2+2. Of candidates equally close, the first wins.
func DidYouMean(s string, candidates []string) string {
	return suggest(s, candidates, false)
}

// DidYouMeanFold is DidYouMean ignoring case: it measures the distance
// between the strings.ToLower of s and of each candidate, and suggests the
// candidate as given.
func DidYouMeanFold(s string, candidates []string) string {
	return suggest(s, candidates, true)
}

func suggest(s string, candidates []string, fold bool) string {
	if s == "" {
		return ""
	}
	a := s
	if fold {
		a = strings.ToLower(s)
	}
	best, bestD := "", len(s)/2+2
	for _, c := range candidates {
		b := c
		if fold {
			b = strings.ToLower(c)
		}
		if d := editDistance(a, b, bestD); d < bestD {
			best, bestD = c, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

// editDistance is the Levenshtein distance of a and b in bytes, or limit
// when it is at least limit.
func editDistance(a, b string, limit int) int {
	if d := len(a) - len(b); d >= limit || -d >= limit {
		return limit
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			rowMin = min(rowMin, cur[j])
		}
		if rowMin >= limit {
			return limit
		}
		prev, cur = cur, prev
	}
	return min(prev[len(b)], limit)
}

package workload

import (
	"fmt"
	"sort"
	"strings"
)

// Error is one problem in a workload file, at a 1-based line and column.
type Error struct {
	Path         string // the file, as given to Parse or Load
	Line, Column int
	Msg          string
}

// Error is "path:line:col: msg"; a workload parsed without a path is named
// "workload".
func (e *Error) Error() string {
	path := e.Path
	if path == "" {
		path = "workload"
	}
	return fmt.Sprintf("%s:%d:%d: %s", path, e.Line, e.Column, e.Msg)
}

// Errors are every problem found in a workload file, sorted by position.
// Parse and Load return them as an *Errors; errors.As gets them back.
type Errors []*Error

// Error prints one problem a line.
func (es *Errors) Error() string {
	lines := make([]string, len(*es))
	for i, e := range *es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap gives the problems to errors.Is and errors.As.
func (es *Errors) Unwrap() []error {
	out := make([]error, len(*es))
	for i, e := range *es {
		out[i] = e
	}
	return out
}

func (es Errors) sort() {
	sort.SliceStable(es, func(i, j int) bool {
		a, b := es[i], es[j]
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
}

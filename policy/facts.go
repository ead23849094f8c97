package policy

import (
	"path"

	"github.com/sysgate/sysgate/observation"
)

// Facts is what the policy language sees of one call record, for code that
// derives policies from observations (package record).
type Facts struct {
	// Classes are the semantic classes the call belongs to.
	Classes []string
	// Paths are the paths it acts on (what a path condition tests).
	Paths []string
	// Exec is the program an exec call runs.
	Exec string
	// Addr is the socket address, as a pattern matching exactly it; Family
	// its family (AF_INET).
	Addr   string
	Family string
	// Flags are the symbolic names of its flag-like arguments.
	Flags []string
}

// FactsOf returns what rules see of a call.
func FactsOf(c *observation.Call) Facts {
	v := &callView{c: c, name: c.Name}
	f := Facts{Paths: v.pathValues(), Family: v.family(), Flags: v.flagSet()}
	for _, cl := range classes {
		if cl.has(v) {
			f.Classes = append(f.Classes, cl.name)
		}
	}
	f.Exec, _ = v.execPath()
	if a := v.sockAddr(); a.kind != addrNone {
		f.Addr = escapeAddr(*a)
	}
	return f
}

// In reports whether the facts include the class.
func (f Facts) In(class string) bool { return containsStr(f.Classes, class) }

// PathPattern writes a path as a pattern that matches exactly it (a
// relative path, which the tracer could not resolve, as "**/" and itself).
// A relative path that makes no clean pattern ("../x") gives its last
// element, and failing that "**".
func PathPattern(p string) string {
	if len(p) > 0 && p[0] == '/' {
		if _, err := compilePathGlob(escapePathGlob(p)); err == nil {
			return escapePathGlob(p)
		}
	}
	for _, cand := range []string{"**/" + escapePathGlob(p), escapePathGlob(path.Base(p))} {
		if _, err := compilePathGlob(cand); err == nil {
			return cand
		}
	}
	return "**"
}

// ExePattern writes a program's path as an exe pattern matching exactly it.
func ExePattern(exe string) string { return PathPattern(exe) }

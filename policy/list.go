package policy

// list is a condition's patterns: a value is in the list when it matches at
// least one positive pattern (or there are none) and no negated one.
type list[T any] struct {
	pos, neg []T
}

func (l *list[T]) add(v T, neg bool) {
	if neg {
		l.neg = append(l.neg, v)
		return
	}
	l.pos = append(l.pos, v)
}

// pathIn reports whether v is in a list of path patterns.
func pathIn(l *list[*pathGlob], v string) bool {
	if len(l.pos) > 0 && !anyPath(l.pos, v) {
		return false
	}
	return !anyPath(l.neg, v)
}

func anyPath(gs []*pathGlob, v string) bool {
	for _, g := range gs {
		if g.match(v) {
			return true
		}
	}
	return false
}

// anyPathIn reports whether at least one of vs is in the list.
func anyPathIn(l *list[*pathGlob], vs []string) bool {
	for _, v := range vs {
		if pathIn(l, v) {
			return true
		}
	}
	return false
}

// allPathsIn reports whether there is at least one of vs and all are in
// the list.
func allPathsIn(l *list[*pathGlob], vs []string) bool {
	for _, v := range vs {
		if !pathIn(l, v) {
			return false
		}
	}
	return len(vs) > 0
}

// textIn reports whether v is in a list of text patterns.
func textIn(l *list[*strGlob], v string) bool {
	for _, g := range l.neg {
		if g.match(v) {
			return false
		}
	}
	if len(l.pos) == 0 {
		return true
	}
	for _, g := range l.pos {
		if g.match(v) {
			return true
		}
	}
	return false
}

// addrIn reports whether a is in a list of address patterns.
func addrIn(l *list[*addrPattern], a *sockAddr) bool {
	for _, p := range l.neg {
		if p.match(a) {
			return false
		}
	}
	if len(l.pos) == 0 {
		return true
	}
	for _, p := range l.pos {
		if p.match(a) {
			return true
		}
	}
	return false
}

// portIn reports whether port is in a list of port ranges.
func portIn(l *list[portRange], port uint16) bool {
	for _, r := range l.neg {
		if r.has(port) {
			return false
		}
	}
	if len(l.pos) == 0 {
		return true
	}
	for _, r := range l.pos {
		if r.has(port) {
			return true
		}
	}
	return false
}

// oneIn reports whether the single value v is in a list of exact values.
func oneIn(l *list[string], v string) bool {
	if len(l.pos) > 0 && !containsStr(l.pos, v) {
		return false
	}
	return !containsStr(l.neg, v)
}

// setIn reports whether a set of values (a call's flags) meets the list:
// it has at least one positive value (when there are any) and no negated
// one.
func setIn(l *list[string], set []string) bool {
	for _, v := range l.neg {
		if containsStr(set, v) {
			return false
		}
	}
	if len(l.pos) == 0 {
		return true
	}
	for _, v := range l.pos {
		if containsStr(set, v) {
			return true
		}
	}
	return false
}

func containsStr(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

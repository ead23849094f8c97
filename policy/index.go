package policy

import "sort"

// ruleIndex finds the rules that can match a syscall name, so that a call
// is tested against a few rules rather than all of them.
type ruleIndex struct {
	any    []int            // rules that can match any name
	byName map[string][]int // rules for that name, and the any ones, in order
}

func buildIndex(rules []*Rule) *ruleIndex {
	ix := &ruleIndex{byName: map[string][]int{}}
	named := map[string][]int{}
	for i, r := range rules {
		names, all := ruleNames(r)
		if all {
			ix.any = append(ix.any, i)
			continue
		}
		for _, n := range names {
			named[n] = append(named[n], i)
		}
	}
	for n, idx := range named {
		merged := append(append([]int{}, idx...), ix.any...)
		sort.Ints(merged)
		ix.byName[n] = uniqueInts(merged)
	}
	return ix
}

// candidates are the indexes of the rules that can match the name.
func (ix *ruleIndex) candidates(name string) []int {
	if c, ok := ix.byName[name]; ok {
		return c
	}
	return ix.any
}

// ruleNames are the syscall names a rule can match; all when it is not
// bound to names (no positive syscall or class condition in one of its
// alternatives).
func ruleNames(r *Rule) (names []string, all bool) {
	for _, m := range r.match {
		switch {
		case m.syscall != nil && len(m.syscall.pos) > 0:
			names = append(names, m.syscall.pos...)
		case m.class != nil && len(m.class.pos) > 0:
			for _, c := range m.class.pos {
				names = append(names, c.names()...)
			}
		default:
			return nil, true
		}
	}
	return names, false
}

func uniqueInts(s []int) []int {
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

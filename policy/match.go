package policy

import (
	"slices"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/sysgate/sysgate/internal/yamlstrict"
)

// matchKeys are the conditions of a rule's match.
var matchKeys = []string{"syscall", "class", "abi", "exe", "path", "exec", "argv", "family", "addr", "port", "flags", "op"}

// abiNames are the values of an abi condition; compat is a 32-bit ABI (i386,
// x32, arm) used by a program that also used the 64-bit one.
var abiNames = []string{"x86_64", "i386", "x32", "aarch64", "arm", "compat"}

// matcher is one alternative of a rule's match: every condition given must
// hold. A nil condition was not given.
type matcher struct {
	pos     Position
	syscall *list[string] // names, groups expanded
	class   *list[*class]
	abi     *list[string]
	exe     *list[*pathGlob]
	path    *list[*pathGlob]
	exec    *list[*pathGlob]
	argv    *list[*strGlob]
	family  *list[string]
	addr    *list[*addrPattern]
	port    *list[portRange]
	flags   *list[string]
	op      *list[string]
}

// matchers reads a match: one mapping of conditions, or a list of them (any
// of which matches).
func (p *parser) matchers(n *yaml.Node) []*matcher {
	if n.Kind != yaml.SequenceNode {
		if m := p.matcher(n); m != nil {
			return []*matcher{m}
		}
		return nil
	}
	if len(n.Content) == 0 {
		p.errorf(n, "match must list at least one set of conditions")
	}
	var out []*matcher
	for _, c := range n.Content {
		if m := p.matcher(c); m != nil {
			out = append(out, m)
		}
	}
	return out
}

func (p *parser) matcher(n *yaml.Node) *matcher {
	fields, order := p.mapping(n, "match", matchKeys...)
	if fields == nil {
		return nil
	}
	if len(order) == 0 {
		p.errorf(n, "match needs at least one condition (%s)", strings.Join(matchKeys, ", "))
		return nil
	}
	m := &matcher{pos: p.pos(n)}
	for _, f := range order {
		p.condition(m, f)
	}
	return m
}

// condition reads one condition into m.
func (p *parser) condition(m *matcher, f field) {
	switch f.key.Value {
	case "syscall":
		m.syscall = p.syscallList(f.value)
	case "class":
		m.class = p.classList(f.value)
	case "abi":
		m.abi = p.enumList(f.value, "abi", abiNames)
	case "exe":
		m.exe = p.pathList(f.value, "exe")
	case "path":
		m.path = p.pathList(f.value, "path")
	case "exec":
		m.exec = p.pathList(f.value, "exec")
	case "argv":
		m.argv = p.textList(f.value, "argv")
	case "family":
		m.family = p.symbolList(f.value, "family", "AF_")
	case "addr":
		m.addr = p.addrList(f.value)
	case "port":
		m.port = p.portList(f.value)
	case "flags":
		m.flags = p.symbolList(f.value, "flags", "")
	case "op":
		m.op = p.symbolList(f.value, "op", "")
	}
}

func (p *parser) syscallList(n *yaml.Node) *list[string] {
	l := &list[string]{}
	for _, it := range p.list(n, "syscall") {
		name, neg := p.negation(it)
		for _, s := range p.syscallNames(it, name) {
			l.add(s, neg)
		}
	}
	return l
}

func (p *parser) classList(n *yaml.Node) *list[*class] {
	l := &list[*class]{}
	for _, it := range p.list(n, "class") {
		name, neg := p.negation(it)
		c := classByName(name)
		if c == nil {
			p.errorf(it.node, "unknown class %q (classes: %s)%s", name, strings.Join(classNames(), ", "), yamlstrict.DidYouMean(name, classNames()))
			continue
		}
		l.add(c, neg)
	}
	return l
}

func (p *parser) enumList(n *yaml.Node, what string, values []string) *list[string] {
	l := &list[string]{}
	for _, it := range p.list(n, what) {
		v, neg := p.negation(it)
		if !slices.Contains(values, v) {
			p.errorf(it.node, "unknown %s %q (known: %s)%s", what, v, strings.Join(values, ", "), yamlstrict.DidYouMean(v, values))
			continue
		}
		l.add(v, neg)
	}
	return l
}

func (p *parser) textList(n *yaml.Node, what string) *list[*strGlob] {
	l := &list[*strGlob]{}
	for _, it := range p.list(n, what) {
		s, neg := p.negation(it)
		g, err := compileStrGlob(s)
		if err != nil {
			p.errorf(it.node, "%s: bad glob %q: %v", what, s, err)
			continue
		}
		l.add(g, neg)
	}
	return l
}

// symbolList reads names the decoders write (O_WRONLY, AF_INET,
// PTRACE_ATTACH), which must start with prefix when one is given.
func (p *parser) symbolList(n *yaml.Node, what, prefix string) *list[string] {
	l := &list[string]{}
	for _, it := range p.list(n, what) {
		s, neg := p.negation(it)
		if _, ok := decoderSymbols[s]; !ok || !strings.HasPrefix(s, prefix) {
			p.errorf(it.node, "unknown %s %q: sysgate's decoders never write it%s", what, s, yamlstrict.DidYouMean(s, symbolNames(prefix)))
			continue
		}
		l.add(s, neg)
	}
	return l
}

// symbolNames are the decoders' symbols that start with prefix, sorted.
func symbolNames(prefix string) []string {
	var out []string
	for s := range decoderSymbols {
		if strings.HasPrefix(s, prefix) {
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

func (p *parser) addrList(n *yaml.Node) *list[*addrPattern] {
	l := &list[*addrPattern]{}
	for _, it := range p.list(n, "addr") {
		s, neg := p.negation(it)
		a, err := compileAddrPattern(s)
		if err != nil {
			p.errorf(it.node, "addr: %v", err)
			continue
		}
		l.add(a, neg)
	}
	return l
}

func (p *parser) portList(n *yaml.Node) *list[portRange] {
	l := &list[portRange]{}
	for _, it := range p.list(n, "port") {
		s, neg := p.negation(it)
		r, err := parsePortRange(s)
		if err != nil {
			p.errorf(it.node, "port: %v", err)
			continue
		}
		l.add(r, neg)
	}
	return l
}

// matches reports whether the call meets every condition of m. A condition
// on something the call does not have (a path condition on read, an addr
// condition on a connect whose address could not be read) does not hold.
func (m *matcher) matches(v *callView) bool {
	return m.matchesCall(v) && m.matchesArgs(v)
}

// matchesCall checks the conditions on the call itself.
func (m *matcher) matchesCall(v *callView) bool {
	switch {
	case m.syscall != nil && !oneIn(m.syscall, v.name):
		return false
	case m.exe != nil && !pathIn(m.exe, v.c.Exe):
		return false
	case m.abi != nil && !m.abiHolds(v):
		return false
	case m.class != nil && !classIn(m.class, v):
		return false
	}
	return true
}

// matchesArgs checks the conditions on the decoded arguments.
func (m *matcher) matchesArgs(v *callView) bool {
	switch {
	case m.flags != nil && !setIn(m.flags, v.flagSet()):
		return false
	case m.op != nil && !m.opHolds(v):
		return false
	case m.family != nil && !m.familyHolds(v):
		return false
	case m.path != nil && !anyPathIn(m.path, v.pathValues()):
		return false
	case m.exec != nil && !m.execHolds(v):
		return false
	case m.argv != nil && !m.argvHolds(v):
		return false
	case m.addr != nil && !m.addrHolds(v):
		return false
	case m.port != nil && !m.portHolds(v):
		return false
	}
	return true
}

// abiHolds treats the call's ABI as a set of its name and, for a 32-bit
// call from a program that also made 64-bit calls, "compat".
func (m *matcher) abiHolds(v *callView) bool {
	vals := [2]string{v.c.ABI}
	n := 1
	if v.ev.compat(v.c) {
		vals[1], n = "compat", 2
	}
	return setIn(m.abi, vals[:n])
}

func classIn(l *list[*class], v *callView) bool {
	for _, c := range l.neg {
		if c.has(v) {
			return false
		}
	}
	if len(l.pos) == 0 {
		return true
	}
	for _, c := range l.pos {
		if c.has(v) {
			return true
		}
	}
	return false
}

func (m *matcher) opHolds(v *callView) bool {
	op := v.op()
	return op != "" && oneIn(m.op, op)
}

func (m *matcher) familyHolds(v *callView) bool {
	f := v.family()
	return f != "" && oneIn(m.family, f)
}

func (m *matcher) execHolds(v *callView) bool {
	p, ok := v.execPath()
	return ok && p != "" && pathIn(m.exec, p)
}

func (m *matcher) argvHolds(v *callView) bool {
	line, ok := v.argvLine()
	return ok && textIn(m.argv, line)
}

func (m *matcher) addrHolds(v *callView) bool {
	a := v.sockAddr()
	return a.kind != addrNone && addrIn(m.addr, a)
}

func (m *matcher) portHolds(v *callView) bool {
	a := v.sockAddr()
	return a.kind == addrIP && portIn(m.port, a.port)
}

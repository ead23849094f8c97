package policy

import (
	"regexp"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/sysgate/sysgate/internal/yamlstrict"
	"github.com/sysgate/sysgate/policy/groups"
)

var (
	topKeys       = []string{"apiVersion", "name", "description", "include", "syscalls", "rules", "exceptions"}
	allowKeys     = []string{"severity", "allow", "programs"}
	programKeys   = []string{"exe", "allow"}
	ruleKeys      = []string{"id", "description", "severity", "remediation", "references", "match"}
	exceptionKeys = []string{"rules", "exe", "path", "exec", "addr", "reason"}
)

// policy reads the document into a Policy of its own rules and exceptions;
// packs are merged later. It returns nil when nothing could be read.
func (p *parser) policy(data []byte, isPack bool) *Policy {
	root := p.document(data)
	if root == nil {
		return nil
	}
	fields, _ := p.mapping(root, "the policy", topKeys...)
	if fields == nil {
		return nil
	}
	p.apiVersion(root, fields)
	pol := &Policy{File: p.file}
	pol.Name = p.optText(fields, "name")
	pol.Description = p.optText(fields, "description")
	if f, ok := fields["include"]; ok {
		pol.includes = p.list(f.value, "include")
	}
	if f, ok := fields["syscalls"]; ok {
		if isPack {
			p.errorf(f.key, "a pack cannot have an allow-list")
		}
		pol.Syscalls = p.allowList(f)
	}
	if f, ok := fields["rules"]; ok {
		pol.Rules = p.rules(f.value, isPack)
		pol.own = len(pol.Rules)
	}
	if f, ok := fields["exceptions"]; ok {
		pol.ownExceptions, pol.exceptionRefs = p.exceptions(f.value)
	}
	return pol
}

// apiVersion checks that the policy starts with a version this sysgate reads.
func (p *parser) apiVersion(root *yaml.Node, fields map[string]field) {
	f, ok := fields["apiVersion"]
	if !ok {
		p.errorf(root, "missing apiVersion: a policy starts with apiVersion: %s", APIVersion)
		return
	}
	if len(root.Content) > 0 && root.Content[0] != f.key {
		p.errorf(f.key, "apiVersion must be the first key of a policy")
	}
	if v, ok := p.text(f.value, "apiVersion"); ok && v != APIVersion {
		p.errorf(f.value, "unsupported apiVersion %q: this sysgate reads %s", v, APIVersion)
	}
}

// optText reads an optional single-value key.
func (p *parser) optText(fields map[string]field, key string) string {
	f, ok := fields[key]
	if !ok {
		return ""
	}
	s, _ := p.text(f.value, key)
	return s
}

// severity reads a severity value.
func (p *parser) severity(n *yaml.Node) Severity {
	s, ok := p.text(n, "severity")
	if !ok {
		return Info
	}
	sev, err := ParseSeverity(s)
	if err != nil {
		p.errorf(n, "%v", err)
	}
	return sev
}

// nameSet is a set of syscall names.
type nameSet map[string]struct{}

func (s nameSet) has(name string) bool {
	_, ok := s[name]
	return ok
}

// syscallNames resolves a name or "@group" to syscall names, or reports it.
func (p *parser) syscallNames(it item, name string) []string {
	if strings.HasPrefix(name, "@") {
		g, ok := groups.Lookup(name)
		if !ok {
			p.errorf(it.node, "unknown syscall group %q (see sysgate policy groups)%s", name, yamlstrict.DidYouMean(name, groups.Names()))
			return nil
		}
		return g.Syscalls
	}
	if !groups.IsSyscall(name) {
		p.errorf(it.node, "unknown syscall %q: no ABI's table has it%s", name, yamlstrict.DidYouMean(name, groups.Syscalls()))
		return nil
	}
	return []string{name}
}

// allowList reads the syscalls section.
func (p *parser) allowList(f field) *AllowList {
	al := &AllowList{Pos: p.pos(f.key), Severity: High, all: nameSet{}}
	fields, _ := p.mapping(f.value, "syscalls", allowKeys...)
	if fields == nil {
		return al
	}
	if sf, ok := fields["severity"]; ok {
		al.Severity = p.severity(sf.value)
	}
	if af, ok := fields["allow"]; ok {
		al.all = p.allowNames(af.value, "syscalls.allow")
	}
	if pf, ok := fields["programs"]; ok {
		al.programs = p.programs(pf.value)
	}
	return al
}

// allowNames reads names and groups to allow, "!name" taking away; an
// explicit empty list allows nothing.
func (p *parser) allowNames(n *yaml.Node, what string) nameSet {
	set := nameSet{}
	if n.Kind == yaml.SequenceNode && len(n.Content) == 0 {
		return set
	}
	var minus []string
	for _, it := range p.list(n, what) {
		name, neg := p.negation(it)
		names := p.syscallNames(it, name)
		if neg {
			minus = append(minus, names...)
			continue
		}
		for _, s := range names {
			set[s] = struct{}{}
		}
	}
	for _, s := range minus {
		delete(set, s)
	}
	return set
}

// negation splits a leading "!" off an item.
func (p *parser) negation(it item) (string, bool) {
	s, neg := strings.CutPrefix(it.value, "!")
	if neg && s == "" {
		p.errorf(it.node, `"!" must be followed by what it excludes`)
	}
	return s, neg
}

func (p *parser) programs(n *yaml.Node) []programAllow {
	if n.Kind != yaml.SequenceNode || len(n.Content) == 0 {
		p.errorf(n, "syscalls.programs must be a list of {exe, allow}, not %s", yamlstrict.KindName(n))
		return nil
	}
	var out []programAllow
	for _, c := range n.Content {
		fields, _ := p.mapping(c, "a syscalls.programs entry", programKeys...)
		if fields == nil {
			continue
		}
		pa := programAllow{pos: p.pos(c), allow: nameSet{}}
		ef, ok := fields["exe"]
		if !ok {
			p.errorf(c, "a syscalls.programs entry needs exe")
		} else {
			pa.exe = p.pathList(ef.value, "exe")
		}
		if af, ok := fields["allow"]; ok {
			pa.allow = p.allowNames(af.value, "syscalls.programs.allow")
		} else {
			p.errorf(c, "a syscalls.programs entry needs allow")
		}
		out = append(out, pa)
	}
	return out
}

// pathList reads path patterns, "!" negating.
func (p *parser) pathList(n *yaml.Node, what string) *list[*pathGlob] {
	l := &list[*pathGlob]{}
	for _, it := range p.list(n, what) {
		s, neg := p.negation(it)
		g, err := compilePathGlob(s)
		if err != nil {
			p.errorf(it.node, "%s: bad glob %q: %v", what, s, err)
			continue
		}
		l.add(g, neg)
	}
	return l
}

// References: CVE ids, MITRE ATT&CK technique ids, URLs.
var (
	cveRE    = regexp.MustCompile(`^CVE-[0-9]{4}-[0-9]{4,}$`)
	attackRE = regexp.MustCompile(`^T[0-9]{4}(\.[0-9]{3})?$`)
	urlRE    = regexp.MustCompile(`^https?://[^\s]+$`)
)

func (p *parser) rules(n *yaml.Node, isPack bool) []*Rule {
	if n.Kind != yaml.SequenceNode || len(n.Content) == 0 {
		p.errorf(n, "rules must be a list of rules, not %s", yamlstrict.KindName(n))
		return nil
	}
	var out []*Rule
	for _, c := range n.Content {
		if r := p.rule(c, isPack); r != nil {
			out = append(out, r)
		}
	}
	return out
}

func (p *parser) rule(n *yaml.Node, isPack bool) *Rule {
	fields, _ := p.mapping(n, "a rule", ruleKeys...)
	if fields == nil {
		return nil
	}
	r := &Rule{Pos: p.pos(n)}
	if isPack {
		r.Pack = strings.TrimPrefix(p.file, "pack:")
	}
	for _, key := range []string{"id", "description", "severity", "match"} {
		if _, ok := fields[key]; !ok {
			p.errorf(n, "a rule needs %s", key)
		}
	}
	r.ID = p.ruleID(fields, isPack)
	r.Description = p.optText(fields, "description")
	r.Remediation = p.optText(fields, "remediation")
	if f, ok := fields["severity"]; ok {
		r.Severity = p.severity(f.value)
	}
	if f, ok := fields["references"]; ok {
		r.References = p.references(f.value)
	}
	if f, ok := fields["match"]; ok {
		r.match = p.matchers(f.value)
	}
	return r
}

func (p *parser) ruleID(fields map[string]field, isPack bool) string {
	f, ok := fields["id"]
	if !ok {
		return ""
	}
	id, ok := p.text(f.value, "id")
	switch {
	case !ok:
	case !ruleIDRE.MatchString(id):
		p.errorf(f.value, "bad rule id %q: a letter, then letters, digits, '_', '.' or '-'", id)
	case isPack && !reservedIDRE.MatchString(id):
		p.errorf(f.value, "a pack's rule ids are SG and digits, not %q", id)
	case !isPack && reservedIDRE.MatchString(id):
		p.errorf(f.value, "rule id %q: ids of SG and digits are reserved for sysgate's packs", id)
	}
	return id
}

func (p *parser) references(n *yaml.Node) []string {
	var out []string
	for _, it := range p.list(n, "references") {
		if !cveRE.MatchString(it.value) && !attackRE.MatchString(it.value) && !urlRE.MatchString(it.value) {
			p.errorf(it.node, "bad reference %q: want a CVE id (CVE-2016-0728), a MITRE ATT&CK technique (T1611, T1055.008) or an http(s) URL", it.value)
			continue
		}
		out = append(out, it.value)
	}
	return out
}

// exceptions reads the exceptions and the rule ids they name.
func (p *parser) exceptions(n *yaml.Node) ([]*Exception, []item) {
	if n.Kind != yaml.SequenceNode || len(n.Content) == 0 {
		p.errorf(n, "exceptions must be a list, not %s", yamlstrict.KindName(n))
		return nil, nil
	}
	var out []*Exception
	var refs []item
	for _, c := range n.Content {
		ex, ids := p.exception(c)
		if ex != nil {
			out = append(out, ex)
			refs = append(refs, ids...)
		}
	}
	return out, refs
}

func (p *parser) exception(n *yaml.Node) (*Exception, []item) {
	fields, _ := p.mapping(n, "an exception", exceptionKeys...)
	if fields == nil {
		return nil, nil
	}
	ex := &Exception{Pos: p.pos(n), Reason: p.optText(fields, "reason")}
	var ids []item
	if f, ok := fields["rules"]; ok {
		ids = p.list(f.value, "exception rules")
		for _, it := range ids {
			ex.Rules = append(ex.Rules, it.value)
		}
	} else {
		p.errorf(n, "an exception needs rules: the ids of the rules it exempts from")
	}
	p.exceptionScope(n, fields, ex)
	return ex, ids
}

func (p *parser) exceptionScope(n *yaml.Node, fields map[string]field, ex *Exception) {
	if f, ok := fields["exe"]; ok {
		ex.exe = p.pathList(f.value, "exe")
	}
	if f, ok := fields["path"]; ok {
		ex.path = p.pathList(f.value, "path")
	}
	if f, ok := fields["exec"]; ok {
		ex.exec = p.pathList(f.value, "exec")
	}
	if f, ok := fields["addr"]; ok {
		ex.addr = p.addrList(f.value)
	}
	if ex.exe == nil && ex.path == nil && ex.exec == nil && ex.addr == nil {
		p.errorf(n, `an exception needs a scope: exe, path, exec or addr (exe: ["**"] for every program)`)
	}
}

// joinNames lists names for a message, sorted.
func joinNames(names []string) string {
	s := append([]string(nil), names...)
	sort.Strings(s)
	return strings.Join(s, ", ")
}

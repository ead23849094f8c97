package policy

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"

	"github.com/sysgate/sysgate/internal/yamlstrict"
	"github.com/sysgate/sysgate/policy/packs"
)

// APIVersion is the version every policy file starts with.
const APIVersion = "sysgate.dev/v1"

// Policy is a parsed, validated policy with the packs it includes merged in.
type Policy struct {
	File        string // where it was read from ("pack:NAME" for a pack)
	Name        string
	Description string
	// Packs are the names of every pack included, directly or through
	// another pack, in the order first included.
	Packs []string
	// Syscalls is the allow-list; nil when the policy has none (then no
	// syscall is judged by name alone).
	Syscalls *AllowList
	// Rules are the policy's own rules, then those of its packs.
	Rules      []*Rule
	Exceptions []*Exception

	index         *ruleIndex
	own           int          // how many of Rules are the file's own
	includes      []item       // the include list as written
	ownExceptions []*Exception // the exceptions written in this file
	exceptionRefs []item       // the rule ids exceptions name, for checking
}

// AllowList allows syscalls by name, for every program or per program.
type AllowList struct {
	Pos      Position // of the "syscalls" key
	Severity Severity // of a call it does not allow
	all      nameSet
	programs []programAllow
}

type programAllow struct {
	pos   Position
	exe   *list[*pathGlob]
	allow nameSet
}

// Rule is one rule: a call that matches any of its Match alternatives is a
// finding, unless an exception exempts it.
type Rule struct {
	ID          string
	Description string
	Severity    Severity
	Remediation string
	References  []string
	Pos         Position // of the rule (its first key)
	Pack        string   // the pack it comes from; "" for the policy's own
	match       []*matcher
}

// Exception exempts the calls in its scope from the rules it names.
type Exception struct {
	Pos    Position
	Rules  []string
	Reason string
	exe    *list[*pathGlob]
	path   *list[*pathGlob]
	exec   *list[*pathGlob]
	addr   *list[*addrPattern]
}

// ruleIDRE is what a rule id looks like.
var ruleIDRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_.-]*$`)

// reservedIDRE are ids kept for sysgate's packs and core checks.
var reservedIDRE = regexp.MustCompile(`^SG[0-9]+$`)

// Load reads and parses the policy file at path.
func Load(path string) (*Policy, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read policy: %w", err)
	}
	return Parse(path, data)
}

// Parse parses and validates a policy; file names it in positions. The error
// is Errors, with every problem found, when the policy is not valid.
func Parse(file string, data []byte) (*Policy, error) {
	r := &resolver{cache: map[string]*Policy{}}
	return r.parse(file, data, false)
}

// Default returns the policy that applies when none is given: the default
// pack.
func Default() (*Policy, error) {
	return Parse("(default policy)", []byte("apiVersion: "+APIVersion+"\ninclude: [default]\n"))
}

// resolver parses a policy and the packs it includes, each pack once.
type resolver struct {
	cache map[string]*Policy
	stack []string
}

func (r *resolver) parse(file string, data []byte, isPack bool) (*Policy, error) {
	p := &parser{file: file}
	pol := p.policy(data, isPack)
	if pol != nil {
		r.includeAll(p, pol)
		p.checkIDs(pol)
		p.checkExceptions(pol)
	}
	if len(p.errs) > 0 {
		p.errs.sort()
		return nil, p.errs
	}
	pol.index = buildIndex(pol.Rules)
	return pol, nil
}

// includeAll merges the packs the policy names into it.
func (r *resolver) includeAll(p *parser, pol *Policy) {
	for _, inc := range pol.includes {
		pack, ok := r.pack(p, inc)
		if !ok {
			continue
		}
		for _, name := range append(pack.Packs, inc.value) {
			if !slices.Contains(pol.Packs, name) {
				pol.Packs = append(pol.Packs, name)
			}
		}
	}
	pol.Rules = append(pol.Rules, r.packRules(pol)...)
	pol.Exceptions = append(append([]*Exception(nil), pol.ownExceptions...), r.packExceptions(pol)...)
}

// pack parses the named pack, once.
func (r *resolver) pack(p *parser, inc item) (*Policy, bool) {
	if pol, ok := r.cache[inc.value]; ok {
		return pol, true
	}
	data, ok := packs.Source(inc.value)
	if !ok {
		p.errorf(inc.node, "unknown pack %q (packs: %s)%s", inc.value, joinNames(packs.Names()), yamlstrict.DidYouMean(inc.value, packs.Names()))
		return nil, false
	}
	if slices.Contains(r.stack, inc.value) {
		p.errorf(inc.node, "pack %q includes itself", inc.value)
		return nil, false
	}
	r.stack = append(r.stack, inc.value)
	defer func() { r.stack = r.stack[:len(r.stack)-1] }()
	pol, err := r.parse("pack:"+inc.value, data, true)
	if err != nil {
		var es Errors
		if errors.As(err, &es) {
			p.errs = append(p.errs, es...)
		}
		return nil, false
	}
	r.cache[inc.value] = pol
	return pol, true
}

// packRules are the rules of every pack in pol.Packs, each pack's once.
func (r *resolver) packRules(pol *Policy) []*Rule {
	var out []*Rule
	for _, name := range pol.Packs {
		if pack := r.cache[name]; pack != nil {
			out = append(out, pack.ownRules()...)
		}
	}
	return out
}

func (r *resolver) packExceptions(pol *Policy) []*Exception {
	var out []*Exception
	for _, name := range pol.Packs {
		if pack := r.cache[name]; pack != nil {
			out = append(out, pack.ownExceptions...)
		}
	}
	return out
}

// ownRules are the rules written in the policy's own file, which come first.
func (pol *Policy) ownRules() []*Rule { return pol.Rules[:pol.own] }

// checkIDs refuses a rule id defined twice across the policy and its packs.
func (p *parser) checkIDs(pol *Policy) {
	seen := map[string]*Rule{}
	for _, rule := range pol.Rules {
		if prev, dup := seen[rule.ID]; dup {
			p.errs = append(p.errs, &Error{Pos: rule.Pos, Msg: fmt.Sprintf("rule id %s is already defined at %s", rule.ID, prev.Pos)})
			continue
		}
		seen[rule.ID] = rule
	}
}

// checkExceptions refuses an exception naming a rule the policy lacks.
func (p *parser) checkExceptions(pol *Policy) {
	ids := CoreRuleIDs()
	for _, rule := range pol.Rules {
		ids = append(ids, rule.ID)
	}
	for _, ex := range pol.exceptionRefs {
		switch {
		case ex.value == CoreIncomplete:
			p.errorf(ex.node, "%s (observation incomplete) cannot be excepted: an incomplete run is never trusted", CoreIncomplete)
		case !slices.Contains(ids, ex.value):
			p.errorf(ex.node, "exception names unknown rule %q%s", ex.value, yamlstrict.DidYouMean(ex.value, ids))
		}
	}
}

package record

import (
	"sort"

	"github.com/sysgate/sysgate/observation"
	"github.com/sysgate/sysgate/policy"
)

// The baseline includes the default pack, and excepts what the recorded runs
// did that the pack flags, each as narrowly as the finding allows: by the
// paths or addresses of the calls when they all have some, else by program.

type acceptKey struct{ rule, exe string }

// accepted is one default-pack rule that one program's calls triggered.
type accepted struct {
	key      acceptKey
	title    string
	seen     counter
	paths    map[string]bool
	addrs    map[string]bool
	allPaths bool // every call had paths
	allAddrs bool // every call had an address
}

// accept evaluates the run by the default pack and records what it flags.
func (b *Baseline) accept(i int, obs *observation.Observation, def *policy.Policy) {
	findings, err := policy.Evaluate(obs, def)
	if err != nil {
		return
	}
	for _, f := range findings {
		if f.RuleID == policy.CoreIncomplete || f.RuleID == policy.CoreUnlisted || f.Evidence.Exe == "" {
			continue
		}
		b.acceptFinding(i, f)
	}
}

func (b *Baseline) acceptFinding(i int, f policy.Finding) {
	k := acceptKey{f.RuleID, f.Evidence.Exe}
	a := b.accepted[k]
	if a == nil {
		a = &accepted{key: k, title: f.Title, paths: map[string]bool{}, addrs: map[string]bool{}, allPaths: true, allAddrs: true}
		b.accepted[k] = a
	}
	a.seen.see(i)
	c := observation.Call{Exe: f.Evidence.Exe, ABI: f.Evidence.ABI, Name: f.Evidence.Syscall, Args: f.Evidence.Args}
	facts := policy.FactsOf(&c)
	a.allPaths = a.allPaths && len(facts.Paths) > 0
	a.allAddrs = a.allAddrs && facts.Addr != ""
	for _, p := range facts.Paths {
		a.paths[policy.PathPattern(p)] = true
	}
	if facts.Addr != "" {
		a.addrs[facts.Addr] = true
	}
}

// sortedAccepted are the accepted findings by rule, then program.
func (b *Baseline) sortedAccepted() []*accepted {
	out := make([]*accepted, 0, len(b.accepted))
	for _, a := range b.accepted {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].key.rule != out[j].key.rule {
			return out[i].key.rule < out[j].key.rule
		}
		return out[i].key.exe < out[j].key.exe
	})
	return out
}

func sortedSet(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

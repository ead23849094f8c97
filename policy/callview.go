package policy

import (
	"strings"

	"github.com/sysgate/sysgate/observation"
)

// Argument keys the decoders write (see the package doc of tracer/decode).
var (
	// pathKeys hold paths a call acts on. mount's and umount's "target" is
	// added by name; symlink's "target" is its content, never a path acted on.
	pathKeys = []string{"path", "path2", "new_root", "put_old"}
	// flagKeys hold "|"-joined symbolic names.
	flagKeys = []string{"flags", "nstype", "persona", "type", "mode", "resolve"}
	// opKeys name the operation of a multiplexed call.
	opKeys = []string{"op", "request", "option", "cmd"}
)

// callView is one call record as rules see it; what it derives from the
// arguments is computed on first use.
type callView struct {
	c    *observation.Call
	name string
	ev   *evaluation

	pathsDone bool
	paths     []string
	flagsDone bool
	flags     []string
	addrDone  bool
	addr      sockAddr
}

func (v *callView) arg(key string) (string, bool) { return v.c.Args.Get(key) }

// unreadable reports whether the decoder could not read key.
func (v *callView) unreadable(key string) bool {
	u, ok := v.arg("unreadable")
	if !ok {
		return false
	}
	for _, e := range strings.Split(u, ", ") {
		if k, _, _ := strings.Cut(e, ":"); k == key {
			return true
		}
	}
	return false
}

// pathValues are the non-empty paths the call acts on.
func (v *callView) pathValues() []string {
	if v.pathsDone {
		return v.paths
	}
	v.pathsDone = true
	for _, a := range v.c.Args {
		if a.List != nil || a.Value == "" {
			continue
		}
		if isPathArg(v.name, a) {
			v.paths = append(v.paths, a.Value)
		}
	}
	return v.paths
}

// isPathArg reports whether an argument of the named call is a path it acts
// on. "resolved" counts only when it is a path (not "pipe:"); mount's
// "source" only when it is one (a bind mount's).
func isPathArg(name string, a observation.Arg) bool {
	switch a.Key {
	case "resolved":
		return strings.HasPrefix(a.Value, "/")
	case "target":
		return isMountCall(name)
	case "source":
		return name == "mount" && strings.HasPrefix(a.Value, "/")
	}
	return containsStr(pathKeys, a.Key)
}

func isMountCall(name string) bool {
	return name == "mount" || name == "umount" || name == "umount2"
}

// flagSet is every symbolic name of the call's flag-like arguments.
func (v *callView) flagSet() []string {
	if v.flagsDone {
		return v.flags
	}
	v.flagsDone = true
	for _, a := range v.c.Args {
		if a.List == nil && containsStr(flagKeys, a.Key) {
			v.flags = append(v.flags, strings.Split(a.Value, "|")...)
		}
	}
	return v.flags
}

// hasFlag reports whether the call's flags include name.
func (v *callView) hasFlag(name string) bool { return containsStr(v.flagSet(), name) }

// op is the operation of a multiplexed call ("PTRACE_ATTACH"), or "".
func (v *callView) op() string {
	for _, k := range opKeys {
		if s, ok := v.arg(k); ok {
			return s
		}
	}
	return ""
}

// sockAddr is the call's "addr" argument, parsed.
func (v *callView) sockAddr() *sockAddr {
	if !v.addrDone {
		v.addrDone = true
		s, _ := v.arg("addr")
		v.addr = parseSockAddr(s)
	}
	return &v.addr
}

// family is the socket family: the "family" argument, or the address's.
func (v *callView) family() string {
	if f, ok := v.arg("family"); ok {
		return f
	}
	return v.sockAddr().family()
}

// execPath is the program an exec call runs; false for other calls.
func (v *callView) execPath() (string, bool) {
	if !classExec.has(v) {
		return "", false
	}
	return v.arg("path")
}

// argvLine is the argv of an exec call joined by spaces.
func (v *callView) argvLine() (string, bool) {
	if !classExec.has(v) {
		return "", false
	}
	argv, ok := v.c.Args.GetList("argv")
	if !ok {
		return "", false
	}
	return strings.Join(argv, " "), true
}

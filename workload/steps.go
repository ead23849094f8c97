package workload

import (
	"errors"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"regexp/syntax"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/sysgate/sysgate/internal/yamlstrict"
)

// methods are the HTTP methods an http step may use.
var methods = []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}

func (p *parser) waitFor(n *yaml.Node, label string, timeout time.Duration) *WaitFor {
	w := &WaitFor{}
	fs := p.mapping(n, "the waitFor of "+label, waitForKeys)
	if fs == nil {
		return w
	}
	if len(n.Content) != 2 { // one key and its value
		p.errorf(n, "%s: waitFor waits for exactly one of port, log or duration", label)
	}
	if f, ok := fs["port"]; ok {
		w.Port, _ = p.integer(f.value, label+": waitFor.port", 1, 65535)
	}
	if f, ok := fs["log"]; ok {
		w.Log, w.LogText = p.regexp(f.value, label+": waitFor.log")
	}
	if f, ok := fs["duration"]; ok {
		w.Duration, _ = p.duration(f.value, label+": waitFor.duration", false)
		if w.Duration > 0 && timeout > 0 && w.Duration >= timeout {
			p.errorf(f.value, "%s: waitFor.duration %v must be shorter than the step's timeout %v (raise timeout)", label, w.Duration, timeout)
		}
	}
	return w
}

// regexp compiles a Go regular expression.
func (p *parser) regexp(n *yaml.Node, what string) (*regexp.Regexp, string) {
	s, ok := p.nonEmpty(n, what)
	if !ok {
		return nil, ""
	}
	re, err := regexp.Compile(s)
	if err != nil {
		msg := err.Error()
		var se *syntax.Error
		if errors.As(err, &se) {
			msg = se.Code.String() + ": `" + se.Expr + "`"
		}
		p.errorf(n, "%s: bad regular expression %q: %s", what, s, msg)
		return nil, s
	}
	return re, s
}

func (p *parser) http(n *yaml.Node, label string) *HTTP {
	h := &HTTP{Method: "GET", Path: "/"}
	fs := p.mapping(n, "the http of "+label, httpKeys)
	if fs == nil {
		return h
	}
	if f, ok := fs["port"]; ok {
		h.Port, _ = p.integer(f.value, label+": http.port", 1, 65535)
	} else {
		p.errorf(n, "%s: http needs port", label)
	}
	if f, ok := fs["method"]; ok {
		h.Method = p.method(f.value, label+": http.method")
	}
	if f, ok := fs["path"]; ok {
		h.Path = p.urlPath(f.value, label+": http.path")
	}
	if f, ok := fs["headers"]; ok {
		h.Headers = p.stringMap(f.value, label+": http.headers", checkHeader, checkHeaderValue)
	}
	if f, ok := fs["body"]; ok {
		h.Body, _ = p.text(f.value, label+": http.body")
	}
	return h
}

func (p *parser) method(n *yaml.Node, what string) string {
	s, ok := p.text(n, what)
	if ok && !slices.Contains(methods, s) {
		p.errorf(n, "%s: unknown method %q: want one of %s%s", what, s, strings.Join(methods, ", "), yamlstrict.DidYouMeanFold(s, methods))
	}
	return s
}

// urlPath reads the path (and query) of a request.
func (p *parser) urlPath(n *yaml.Node, what string) string {
	s, ok := p.text(n, what)
	switch {
	case !ok:
	case !strings.HasPrefix(s, "/"):
		p.errorf(n, "%s %q must start with \"/\"", what, s)
	case strings.IndexFunc(s, isSpaceOrControl) >= 0:
		p.errorf(n, "%s %q must not hold spaces or control characters (escape them: %%20)", what, s)
	}
	return s
}

func isSpaceOrControl(r rune) bool { return r <= ' ' || r == 0x7f }

// checkHeader says what is wrong with a header name, or "".
func checkHeader(name string) string {
	if name == "" || strings.IndexFunc(name, notTokenChar) >= 0 {
		return strconv.Quote(name) + " is no header name: letters, digits and !#$%&'*+-.^_`|~ only"
	}
	return ""
}

// checkHeaderValue says what is wrong with a header value, or "".
func checkHeaderValue(v string) string {
	if strings.ContainsAny(v, "\r\n\x00") {
		return "must not hold a line break or NUL"
	}
	return ""
}

// notTokenChar is false for the characters of an HTTP token (RFC 9110).
func notTokenChar(r rune) bool {
	switch {
	case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		return false
	}
	return !strings.ContainsRune("!#$%&'*+-.^_`|~", r)
}

func (p *parser) exec(n *yaml.Node, label string) *Exec {
	e := &Exec{}
	fs := p.mapping(n, "the exec of "+label, execKeys)
	if fs == nil {
		return e
	}
	if f, ok := fs["argv"]; ok {
		e.Argv = p.argv(f.value, label+": exec.argv")
	} else {
		p.errorf(n, "%s: exec needs argv", label)
	}
	if f, ok := fs["env"]; ok {
		e.Env = p.stringMap(f.value, label+": exec.env", checkEnvName, checkEnvValue)
	}
	if f, ok := fs["workdir"]; ok {
		e.Workdir = p.containerPath(f.value, label+": exec.workdir")
	}
	return e
}

// argv reads a command line: a list, its first word a path or a name.
func (p *parser) argv(n *yaml.Node, what string) []string {
	if n.Kind != yaml.SequenceNode || len(n.Content) == 0 {
		p.errorf(n, "%s must be a non-empty list, like [/app/cli, list], not %s", what, yamlstrict.KindName(n))
		return nil
	}
	out := make([]string, 0, len(n.Content))
	for i, c := range n.Content {
		s, ok := p.text(c, what+" entry")
		switch {
		case !ok:
		case strings.ContainsRune(s, 0):
			p.errorf(c, "%s entry %q must not hold a NUL byte", what, s)
		case i == 0 && (s == "" || strings.Contains(s, "/") && !path.IsAbs(s)):
			p.errorf(c, "%s: the command %q must be an absolute path or a name looked up in the container's PATH", what, s)
		}
		out = append(out, s)
	}
	return out
}

// checkEnvName says what is wrong with an environment variable name, or "".
func checkEnvName(name string) string {
	if name == "" || strings.ContainsAny(name, "=\x00") {
		return strconv.Quote(name) + " is no variable name: it must not be empty or hold '=' or NUL"
	}
	return ""
}

// checkEnvValue says what is wrong with an environment variable's value,
// or "".
func checkEnvValue(v string) string {
	if strings.ContainsRune(v, 0) {
		return "must not hold a NUL byte"
	}
	return ""
}

// containerPath reads an absolute path in the container.
func (p *parser) containerPath(n *yaml.Node, what string) string {
	s, ok := p.text(n, what)
	if ok && (!path.IsAbs(s) || strings.ContainsRune(s, 0)) {
		p.errorf(n, "%s %q must be an absolute path in the container", what, s)
	}
	return s
}

func (p *parser) copy(n *yaml.Node, label string) *Copy {
	c := &Copy{Mode: DefaultCopyMode}
	fs := p.mapping(n, "the copy of "+label, copyKeys)
	if fs == nil {
		return c
	}
	if f, ok := fs["from"]; ok {
		c.From = p.hostFile(f.value, label+": copy.from")
	} else {
		p.errorf(n, "%s: copy needs from", label)
	}
	if f, ok := fs["to"]; ok {
		c.To = p.containerPath(f.value, label+": copy.to")
		if strings.HasSuffix(c.To, "/") {
			p.errorf(f.value, "%s: copy.to %q names a directory: give the file's full path", label, c.To)
		}
	} else {
		p.errorf(n, "%s: copy needs to", label)
	}
	if f, ok := fs["mode"]; ok {
		c.Mode = p.fileMode(f.value, label+": copy.mode")
	}
	return c
}

// hostFile resolves a host path against the workload's directory and
// checks that it is a regular file.
func (p *parser) hostFile(n *yaml.Node, what string) string {
	s, ok := p.nonEmpty(n, what)
	if !ok {
		return ""
	}
	abs := s
	if !filepath.IsAbs(abs) {
		abs = filepath.Join(p.dir, s)
	}
	fi, err := os.Stat(abs)
	switch {
	case errors.Is(err, os.ErrNotExist):
		p.errorf(n, "%s %q: no such file (looked for %s)", what, s, abs)
	case err != nil:
		p.errorf(n, "%s %q: %v", what, s, err)
	case !fi.Mode().IsRegular():
		p.errorf(n, "%s %q is not a regular file (%s is %s)", what, s, abs, fileKind(fi.Mode()))
	}
	return abs
}

func fileKind(m os.FileMode) string {
	if m.IsDir() {
		return "a directory"
	}
	return "a " + m.Type().String() + " file"
}

// fileMode reads octal permission bits, like "0644".
func (p *parser) fileMode(n *yaml.Node, what string) os.FileMode {
	s, ok := p.text(n, what)
	if !ok {
		return DefaultCopyMode
	}
	m, err := strconv.ParseUint(strings.TrimPrefix(s, "0o"), 8, 32)
	if err != nil || m > 0o777 {
		p.errorf(n, "%s %q: want octal permission bits from 0000 to 0777, like \"0644\"", what, s)
		return DefaultCopyMode
	}
	return os.FileMode(m)
}

// expect reads what a step must see, checking that it fits the step's kind
// ("" when the step has no single action).
func (p *parser) expect(fs fields, kind, label string, s *Step) {
	f, ok := fs["expect"]
	if !ok {
		return
	}
	if kind != "" && kind != "http" && kind != "exec" {
		p.errorf(f.key, "%s: a %s step takes no expect: only http and exec steps have a result to check", label, kind)
		return
	}
	efs := p.mapping(f.value, "the expect of "+label, expectKeys)
	if efs != nil && len(f.value.Content) == 0 {
		p.errorf(f.value, "%s: expect is empty: say what the step must see, or leave expect out", label)
	}
	for _, key := range expectKeys {
		if ef, ok := efs[key]; ok && p.expectFits(ef.key, kind, label) {
			p.expectValue(ef.value, key, label, &s.Expect)
		}
	}
}

// expectFits reports whether an expect key is for the step's kind.
func (p *parser) expectFits(key *yaml.Node, kind, label string) bool {
	owner := "http"
	if key.Value == "exitCode" || key.Value == "stdoutContains" {
		owner = "exec"
	}
	if kind != "" && kind != owner {
		p.errorf(key, "%s: expect.%s is for %s steps, not %s", label, key.Value, owner, kind)
		return false
	}
	return true
}

func (p *parser) expectValue(n *yaml.Node, key, label string, e *Expect) {
	what := label + ": expect." + key
	switch key {
	case "status":
		if v, ok := p.integer(n, what, 100, 599); ok {
			e.Status = &v
		}
	case "exitCode":
		if v, ok := p.integer(n, what, 0, 255); ok {
			e.ExitCode = &v
		}
	case "bodyContains":
		e.BodyContains, _ = p.nonEmpty(n, what)
	case "stdoutContains":
		e.StdoutContains, _ = p.nonEmpty(n, what)
	}
}

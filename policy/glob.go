package policy

import (
	"errors"
	"fmt"
	"path"
	"regexp"
	"strings"
)

// pathGlob matches cleaned paths. "*", "?" and "[...]" match within one
// path element (as path.Match does), "**" as a whole element matches any
// number of elements, zero included, and a backslash escapes the next
// character. A pattern with no slash matches the last element (the file's
// name) of any path: "sh" matches /bin/sh.
type pathGlob struct {
	raw     string
	base    bool     // a bare name: match the last element
	literal string   // when the pattern has no wildcard: the path itself
	isLit   bool     // literal is set
	prefix  string   // "P/**" with P literal: P and everything under it
	lead    string   // the literal directories the pattern starts with ("/var/lib/")
	segs    []string // elements of the pattern, leading slash removed
}

var errDoubleStar = errors.New(`"**" must be a whole path element`)

// compilePathGlob checks and prepares a path pattern.
func compilePathGlob(p string) (*pathGlob, error) {
	g := &pathGlob{raw: p}
	switch {
	case p == "":
		return nil, errors.New("empty pattern")
	case !strings.Contains(p, "/"):
		g.base = true
	case !strings.HasPrefix(p, "/") && !strings.HasPrefix(p, "**/"):
		return nil, errors.New(`a path pattern is absolute ("/etc/**"), starts with "**/", or is a bare file name ("sh")`)
	case path.Clean(p) != p:
		return nil, fmt.Errorf("not a clean path: the paths sysgate records are cleaned, so %q would never match (write %q)", p, path.Clean(p))
	}
	g.segs = strings.Split(strings.TrimPrefix(p, "/"), "/")
	for _, s := range g.segs {
		if err := checkSegment(s); err != nil {
			return nil, err
		}
	}
	g.prepareFastPaths()
	return g, nil
}

func checkSegment(s string) error {
	if s == "**" {
		return nil
	}
	if hasDoubleStar(s) {
		return errDoubleStar
	}
	if _, err := path.Match(s, ""); err != nil {
		return fmt.Errorf("bad pattern element %q: %w", s, err)
	}
	return nil
}

// prepareFastPaths spots literal patterns and literal-prefix "P/**" ones.
func (g *pathGlob) prepareFastPaths() {
	if g.base || strings.HasPrefix(g.raw, "**") {
		if g.base && !hasMeta(g.raw) {
			g.literal, g.isLit = unescape(g.raw), true
		}
		return
	}
	if !hasMeta(g.raw) {
		g.literal, g.isLit = unescape(g.raw), true
		return
	}
	if dir, ok := strings.CutSuffix(g.raw, "/**"); ok && !hasMeta(dir) {
		g.prefix = unescape(dir)
	}
	g.lead = literalLead(g.raw)
}

// literalLead is the part of an absolute pattern before the last slash
// that comes before its first wildcard or backslash: every path it matches
// starts with it ("/x/**/**" matches "/x").
func literalLead(p string) string {
	i := strings.IndexAny(p, `*?[\`)
	if i < 0 {
		return ""
	}
	return p[:max(strings.LastIndexByte(p[:i], '/'), 0)]
}

// hasDoubleStar reports whether s has two unescaped stars in a row.
func hasDoubleStar(s string) bool {
	for i := 0; i+1 < len(s); i++ {
		switch {
		case s[i] == '\\':
			i++
		case s[i] == '*' && s[i+1] == '*':
			return true
		}
	}
	return false
}

// GlobLiteral is the path a pattern without wildcards stands for (its
// escapes dropped); false when the pattern has a wildcard.
func GlobLiteral(pattern string) (string, bool) {
	if hasMeta(pattern) {
		return "", false
	}
	return unescape(pattern), true
}

// hasMeta reports whether s has an unescaped wildcard.
func hasMeta(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '*', '?', '[':
			return true
		}
	}
	return false
}

// unescape drops the backslashes of a pattern without wildcards.
func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// match reports whether the path v matches.
func (g *pathGlob) match(v string) bool {
	if g.base {
		name := v[strings.LastIndexByte(v, '/')+1:]
		if g.isLit {
			return name == g.literal
		}
		ok, _ := path.Match(g.segs[0], name)
		return ok
	}
	switch {
	case g.isLit:
		return v == g.literal
	case g.prefix != "":
		return v == g.prefix || (strings.HasPrefix(v, g.prefix) && len(v) > len(g.prefix) && v[len(g.prefix)] == '/')
	}
	if strings.HasPrefix(g.raw, "/") && !strings.HasPrefix(v, "/") || !strings.HasPrefix(v, g.lead) {
		return false
	}
	return matchSegs(g.segs, strings.TrimPrefix(v, "/"))
}

// matchSegs matches pattern elements against the rest of a path, without
// its leading slash.
func matchSegs(segs []string, v string) bool {
	for len(segs) > 0 {
		if segs[0] == "**" {
			return matchDoubleStar(segs[1:], v)
		}
		elem, rest, more := strings.Cut(v, "/")
		if ok, _ := path.Match(segs[0], elem); !ok {
			return false
		}
		segs = segs[1:]
		if !more {
			return allDoubleStar(segs)
		}
		v = rest
	}
	return false
}

// allDoubleStar reports whether every element left is "**" (which match
// nothing).
func allDoubleStar(segs []string) bool {
	for _, s := range segs {
		if s != "**" {
			return false
		}
	}
	return true
}

// matchDoubleStar tries the elements after "**" at every element boundary.
func matchDoubleStar(rest []string, v string) bool {
	if len(rest) == 0 {
		return true
	}
	for {
		if matchSegs(rest, v) {
			return true
		}
		i := strings.IndexByte(v, '/')
		if i < 0 {
			return false
		}
		v = v[i+1:]
	}
}

// escapePathGlob writes p as a pattern that matches exactly p.
func escapePathGlob(p string) string {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		switch p[i] {
		case '*', '?', '[', '\\':
			b.WriteByte('\\')
		}
		b.WriteByte(p[i])
	}
	return b.String()
}

// strGlob matches text anywhere ("*" crosses slashes and spaces): argv,
// abstract socket names, netlink and packet addresses. "?" is one
// character, "[...]" a class ("[!...]" negated), a backslash escapes.
type strGlob struct {
	raw    string
	re     *regexp.Regexp
	lit    string
	isL    bool
	chunks []string // a pattern whose only wildcard is "*": the text between stars
}

func compileStrGlob(p string) (*strGlob, error) {
	if p == "" {
		return nil, errors.New("empty pattern")
	}
	expr, lit, err := globToRegexp(p)
	if err != nil {
		return nil, err
	}
	if lit {
		return &strGlob{raw: p, lit: unescape(p), isL: true}, nil
	}
	if chunks, ok := starChunks(p); ok {
		return &strGlob{raw: p, chunks: chunks}, nil
	}
	re, err := regexp.Compile(expr)
	if err != nil {
		return nil, fmt.Errorf("bad pattern %q: %w", p, err)
	}
	return &strGlob{raw: p, re: re}, nil
}

func (g *strGlob) match(v string) bool {
	switch {
	case g.isL:
		return v == g.lit
	case g.chunks != nil:
		return matchStars(g.chunks, v)
	}
	return g.re.MatchString(v)
}

// starChunks splits a pattern whose only wildcard is "*" into the literal
// text around its stars; false when it has another wildcard.
func starChunks(p string) ([]string, bool) {
	var chunks []string
	var cur strings.Builder
	for i := 0; i < len(p); i++ {
		switch c := p[i]; c {
		case '?', '[':
			return nil, false
		case '\\':
			i++
			cur.WriteByte(p[i])
		case '*':
			chunks = append(chunks, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(c)
		}
	}
	return append(chunks, cur.String()), true
}

// matchStars matches chunks separated by stars: the first is a prefix, the
// last a suffix, and those between are found in order, leftmost first
// (which is enough when "*" is the only wildcard).
func matchStars(chunks []string, v string) bool {
	first, last := chunks[0], chunks[len(chunks)-1]
	if len(v) < len(first)+len(last) || !strings.HasPrefix(v, first) || !strings.HasSuffix(v, last) {
		return false
	}
	v = v[len(first) : len(v)-len(last)]
	for _, c := range chunks[1 : len(chunks)-1] {
		i := strings.Index(v, c)
		if i < 0 {
			return false
		}
		v = v[i+len(c):]
	}
	return true
}

// globToRegexp translates a text glob; lit is true when it has no wildcard.
func globToRegexp(p string) (expr string, lit bool, err error) {
	var b strings.Builder
	b.WriteString(`(?s)^`)
	lit = true
	for i := 0; i < len(p); i++ {
		switch c := p[i]; c {
		case '\\':
			if i+1 == len(p) {
				return "", false, errors.New("pattern ends in a backslash")
			}
			i++
			b.WriteString(regexp.QuoteMeta(p[i : i+1]))
		case '*':
			lit = false
			b.WriteString(`.*`)
		case '?':
			lit = false
			b.WriteString(`.`)
		case '[':
			end, class, err := globClass(p, i)
			if err != nil {
				return "", false, err
			}
			lit = false
			b.WriteString(class)
			i = end
		default:
			b.WriteString(regexp.QuoteMeta(p[i : i+1]))
		}
	}
	b.WriteString(`$`)
	return b.String(), lit, nil
}

// globClass translates the class starting at p[i] == '['; end is its ']'.
func globClass(p string, i int) (end int, class string, err error) {
	j := i + 1
	var b strings.Builder
	b.WriteByte('[')
	if j < len(p) && (p[j] == '!' || p[j] == '^') {
		b.WriteByte('^')
		j++
	}
	start := j
	for ; j < len(p); j++ {
		c := p[j]
		switch {
		case c == ']' && j > start:
			b.WriteByte(']')
			return j, b.String(), nil
		case c == '\\' && j+1 < len(p):
			j++
			b.WriteString(regexp.QuoteMeta(p[j : j+1]))
		case c == '-':
			b.WriteByte('-')
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	return 0, "", errors.New(`unterminated "[" class`)
}

// escapeStrGlob writes s as a text pattern that matches exactly s.
func escapeStrGlob(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '*', '?', '[', '\\':
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	out := b.String()
	if strings.HasPrefix(out, "!") {
		out = `\` + out
	}
	return out
}

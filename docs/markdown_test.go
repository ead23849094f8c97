package docs_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"unicode"
)

// A mdDoc is one markdown file, split into what the checks read: fenced
// blocks, and the prose around them.
type mdDoc struct {
	path   string // repository-relative, slash-separated
	lines  []string
	blocks []mdBlock
	// prose is the file with every line of a fenced block (fences included)
	// blanked, so that line numbers still hold and blocks end paragraphs.
	prose string
}

// An mdBlock is a fenced code block.
type mdBlock struct {
	info  string // the first word of the info string: sh, yaml, "" ...
	start int    // line number of its first content line
	lines []string
}

var fenceRe = regexp.MustCompile("^\\s*(`{3,}|~{3,})\\s*([^`\\s]*)")

func readDoc(root, rel string) (*mdDoc, error) {
	data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(rel)))
	if err != nil {
		return nil, err
	}
	d := &mdDoc{path: rel, lines: strings.Split(string(data), "\n")}
	prose := make([]string, len(d.lines))
	var cur *mdBlock
	var fence string
	for i, line := range d.lines {
		if cur == nil {
			if m := fenceRe.FindStringSubmatch(line); m != nil {
				fence = m[1]
				d.blocks = append(d.blocks, mdBlock{info: strings.ToLower(m[2]), start: i + 2})
				cur = &d.blocks[len(d.blocks)-1]
				continue
			}
			prose[i] = line
			continue
		}
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, fence) && strings.Trim(t, fence[:1]) == "" {
			cur = nil
			continue
		}
		cur.lines = append(cur.lines, line)
	}
	if cur != nil {
		return nil, fmt.Errorf("%s:%d: fenced block never closed", rel, cur.start-1)
	}
	d.prose = strings.Join(prose, "\n")
	return d, nil
}

// A span is an inline code span of the prose.
type span struct {
	line int
	text string
}

// codeSpans returns the inline code spans of the prose, and the prose with
// each span blanked (newlines kept), for the link scan. A span may run over
// a line break, never over a blank line.
func codeSpans(prose string) ([]span, string) {
	var spans []span
	masked := []byte(prose)
	for i := 0; i < len(prose); {
		if prose[i] != '`' {
			i++
			continue
		}
		n := 0
		for i+n < len(prose) && prose[i+n] == '`' {
			n++
		}
		open := strings.Repeat("`", n)
		end := -1
		for j := i + n; j < len(prose); {
			k := strings.Index(prose[j:], open)
			if k < 0 {
				break
			}
			k += j
			m := 0
			for k+m < len(prose) && prose[k+m] == '`' {
				m++
			}
			if m == n {
				end = k
				break
			}
			j = k + m
		}
		if end < 0 || strings.Contains(prose[i:end], "\n\n") {
			i += n
			continue
		}
		text := strings.ReplaceAll(prose[i+n:end], "\n", " ")
		if len(text) > 1 && text[0] == ' ' && text[len(text)-1] == ' ' && strings.Trim(text, " ") != "" {
			text = text[1 : len(text)-1]
		}
		spans = append(spans, span{line: strings.Count(prose[:i], "\n") + 1, text: text})
		for k := i; k < end+n; k++ {
			if masked[k] != '\n' {
				masked[k] = ' '
			}
		}
		i = end + n
	}
	return spans, string(masked)
}

// A link is a link target written in the prose: [text](target), or an
// href or src attribute.
type link struct {
	line   int
	target string
}

var (
	mdLinkRe   = regexp.MustCompile(`\]\(\s*<?([^)\s>]*)>?(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)`)
	refLinkRe  = regexp.MustCompile(`(?m)^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)`)
	htmlLinkRe = regexp.MustCompile(`\b(?:href|src)\s*=\s*"([^"]*)"`)
)

func links(masked string) []link {
	var out []link
	for _, re := range []*regexp.Regexp{mdLinkRe, refLinkRe, htmlLinkRe} {
		for _, m := range re.FindAllStringSubmatchIndex(masked, -1) {
			out = append(out, link{
				line:   strings.Count(masked[:m[2]], "\n") + 1,
				target: masked[m[2]:m[3]],
			})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].line < out[j].line })
	return out
}

var (
	headingRe    = regexp.MustCompile(`^ {0,3}(#{1,6})\s+(.*?)(?:\s+#+)?\s*$`)
	htmlAnchorRe = regexp.MustCompile(`\b(?:id|name)\s*=\s*"([^"]+)"`)
	inlineLinkRe = regexp.MustCompile(`\[([^\]]*)\]\([^)]*\)`)
)

// anchors are the fragments a link into the document may use: GitHub's
// heading slugs (numbered when repeated) and HTML id and name attributes.
func (d *mdDoc) anchors() map[string]bool {
	out := map[string]bool{}
	seen := map[string]int{}
	for _, line := range strings.Split(d.prose, "\n") {
		for _, m := range htmlAnchorRe.FindAllStringSubmatch(line, -1) {
			out[m[1]] = true
		}
		m := headingRe.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		s := slug(m[2])
		if n := seen[s]; n > 0 {
			out[fmt.Sprintf("%s-%d", s, n)] = true
		} else {
			out[s] = true
		}
		seen[s]++
	}
	return out
}

// slug is GitHub's anchor for a heading: lower case, spaces to hyphens,
// every character but letters, digits, marks, '_' and '-' dropped.
func slug(heading string) string {
	heading = inlineLinkRe.ReplaceAllString(heading, "$1")
	var b strings.Builder
	for _, r := range strings.ToLower(heading) {
		switch {
		case r == ' ':
			b.WriteByte('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.M, r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

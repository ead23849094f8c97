package workload

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// docBlock is a fenced block of docs/workload.md, with the marker comment
// on the line before it, if any: "example" (a full workload that must
// parse), "fragment" (steps, or keys of a service workload, that must
// parse), "invalid: MESSAGE" (a workload that must fail with MESSAGE) or
// "errors" (one whose errors, read as workload.yaml, are the next block).
type docBlock struct {
	lang, marker, body string
	line               int
}

var docMarkerRE = regexp.MustCompile(`^<!-- (example|fragment|errors|invalid: .+) -->$`)

// docBlocks reads the fenced blocks of a markdown file.
func docBlocks(t *testing.T, path string) []docBlock {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return fencedBlocks(string(data))
}

// fencedBlocks finds the fenced blocks of markdown text.
func fencedBlocks(md string) []docBlock {
	var out []docBlock
	var cur *docBlock
	marker := ""
	for i, line := range strings.Split(md, "\n") {
		switch {
		case cur != nil && line == "```":
			out = append(out, *cur)
			cur = nil
		case cur != nil:
			cur.body += line + "\n"
		case strings.HasPrefix(line, "```"):
			cur = &docBlock{lang: strings.TrimPrefix(line, "```"), marker: marker, line: i + 1}
		}
		marker = ""
		if m := docMarkerRE.FindStringSubmatch(line); m != nil {
			marker = m[1]
		}
	}
	return out
}

// The marked examples of docs/workload.md parse, fail with the message
// shown, or give the errors shown. Copy sources resolve against testdata/.
func TestDocExamples(t *testing.T) {
	counts := map[string]int{}
	blocks := docBlocks(t, "../docs/workload.md")
	for i, b := range blocks {
		if b.lang != "yaml" || b.marker == "" {
			continue
		}
		src := b.body
		if b.marker == "fragment" {
			src = completeFragment(src)
		}
		_, err := Parse("testdata/doc.yaml", []byte(src))
		msg, invalid := strings.CutPrefix(b.marker, "invalid: ")
		switch {
		case invalid:
			counts["invalid"]++
			if err == nil || !strings.Contains(err.Error(), msg) {
				t.Errorf("docs/workload.md:%d: error %v, want one containing %q", b.line, err, msg)
			}
		case b.marker == "errors":
			counts["errors"]++
			checkDocErrors(t, b, blocks[i+1:])
		default:
			counts[b.marker]++
			if err != nil {
				t.Errorf("docs/workload.md:%d:\n%v", b.line, err)
			}
		}
	}
	if counts["example"] < 3 || counts["fragment"] < 5 || counts["invalid"] < 3 || counts["errors"] < 1 {
		t.Errorf("examples run: %v: the page's markers were not found", counts)
	}
}

// checkDocErrors checks that the block after b shows b's errors.
func checkDocErrors(t *testing.T, b docBlock, next []docBlock) {
	t.Helper()
	if len(next) == 0 || next[0].lang != "" {
		t.Errorf("docs/workload.md:%d: no plain block of errors after the workload", b.line)
		return
	}
	_, err := Parse("workload.yaml", []byte(b.body))
	if err == nil || err.Error()+"\n" != next[0].body {
		t.Errorf("docs/workload.md:%d: errors\n%v\nthe page shows\n%s", next[0].line, err, next[0].body)
	}
}

// completeFragment makes a service workload of a fragment: a list of steps
// or top-level keys.
func completeFragment(src string) string {
	if !strings.HasPrefix(src, "- ") {
		return service + src
	}
	return service + "steps:\n  " + strings.ReplaceAll(strings.TrimSuffix(src, "\n"), "\n", "\n  ") + "\n"
}

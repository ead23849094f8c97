package yamlstrict

import (
	"reflect"
	"testing"

	"gopkg.in/yaml.v3"
)

var texts = Texts{Noun: "thing", Empty: "nothing here", Blank: "blank"}

func TestDocument(t *testing.T) {
	tests := []struct {
		name, src string
		root      bool
		want      []Problem
	}{
		{"one", "a: 1\n", true, nil},
		{"empty", "", false, []Problem{{1, 1, "nothing here"}}},
		{"syntax", "a: 1\nb: [\n", false, []Problem{{2, 1, "YAML syntax: did not find expected node content"}}},
		{"syntax without a line", "\xff", false, []Problem{{1, 1, "YAML syntax: invalid leading UTF-8 octet"}}},
		{"second", "a: 1\n---\nb: 2\n", true, []Problem{{2, 1, "a second YAML document: a thing file holds one"}}},
		{"second bad", "a: 1\n---\nb: [\n", true, []Problem{{3, 1, "YAML syntax: did not find expected node content"}}},
		{"anchor and alias", "a: &x 1\nb: [*x]\n", false, []Problem{
			{1, 4, "YAML anchors (&x) are not supported in a thing"},
			{2, 5, "YAML aliases (*x) are not supported in a thing"},
		}},
	}
	for _, tt := range tests {
		root, got := Document([]byte(tt.src), texts)
		if (root != nil) != tt.root || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: root %v, problems %+v; want root %v, %+v", tt.name, root != nil, got, tt.root, tt.want)
		}
	}
}

func TestKindName(t *testing.T) {
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte("{m: {}, l: [], e: , s: hi}"), &doc); err != nil {
		t.Fatal(err)
	}
	m := doc.Content[0].Content
	want := []string{"a mapping", "a list", "empty", `the value "hi"`}
	for i, w := range want {
		if got := KindName(m[2*i+1]); got != w {
			t.Errorf("%s: got %q, want %q", m[2*i].Value, got, w)
		}
	}
	if got := KindName(&yaml.Node{Kind: yaml.AliasNode}); got != "an alias" {
		t.Errorf("alias: got %q", got)
	}
}

func TestDidYouMean(t *testing.T) {
	tests := []struct {
		s          string
		candidates []string
		want, fold string
	}{
		{"opne", []string{"open", "openat", "close"}, ` (did you mean "open"?)`, ` (did you mean "open"?)`},
		{"zzzzzz", []string{"open"}, "", ""},
		{"", []string{"a"}, "", ""},
		{"Delete", []string{"GET", "DELETE"}, "", ` (did you mean "DELETE"?)`},
		{"ab", []string{"", "ab"}, ` (did you mean "ab"?)`, ` (did you mean "ab"?)`},
	}
	for _, tt := range tests {
		if got := DidYouMean(tt.s, tt.candidates); got != tt.want {
			t.Errorf("DidYouMean(%q): got %q, want %q", tt.s, got, tt.want)
		}
		if got := DidYouMeanFold(tt.s, tt.candidates); got != tt.fold {
			t.Errorf("DidYouMeanFold(%q): got %q, want %q", tt.s, got, tt.fold)
		}
	}
}

func TestEditDistance(t *testing.T) {
	for _, tt := range []struct {
		a, b        string
		limit, want int
	}{
		{"kitten", "sitting", 10, 3},
		{"kitten", "sitting", 3, 3},
		{"kitten", "sitting", 2, 2},
		{"", "abc", 10, 3},
		{"same", "same", 1, 0},
	} {
		if got := editDistance(tt.a, tt.b, tt.limit); got != tt.want {
			t.Errorf("editDistance(%q, %q, %d) = %d, want %d", tt.a, tt.b, tt.limit, got, tt.want)
		}
	}
}

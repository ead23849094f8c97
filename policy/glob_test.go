package policy

import (
	"strings"
	"testing"
)

func TestPathGlob(t *testing.T) {
	tests := []struct {
		pattern string
		match   []string
		noMatch []string
	}{
		{"/etc/passwd", []string{"/etc/passwd"}, []string{"/etc/passwd2", "/etc", "etc/passwd"}},
		{"/etc/**", []string{"/etc", "/etc/passwd", "/etc/a/b/c"}, []string{"/etcetera", "/usr/etc/x", "/"}},
		{"/etc/*", []string{"/etc/passwd"}, []string{"/etc", "/etc/a/b"}},
		{"/proc/*/fd/*", []string{"/proc/1/fd/3", "/proc/self/fd/0"}, []string{"/proc/1/fd", "/proc/1/task/2/fd/3"}},
		{"/usr/**/bin/*", []string{"/usr/bin/ls", "/usr/local/bin/ls", "/usr/a/b/bin/x"}, []string{"/usr/bin", "/usr/lib/x"}},
		{"/**", []string{"/", "/etc", "/a/b"}, []string{"relative"}},
		{"**/*.so", []string{"/lib/libc.so", "lib/x.so", "x.so"}, []string{"/lib/libc.so.6"}},
		{"sh", []string{"/bin/sh", "/usr/bin/sh", "sh"}, []string{"/bin/bash", "/bin/sh/x"}},
		{"*sh", []string{"/bin/bash", "/bin/sh"}, []string{"/bin/shell"}},
		{"python3.[0-9]*", []string{"/usr/bin/python3.11"}, []string{"/usr/bin/python3"}},
		{`/tmp/\*`, []string{"/tmp/*"}, []string{"/tmp/x"}},
		{"/tmp/?", []string{"/tmp/a"}, []string{"/tmp/ab", "/tmp/"}},
		{"/memfd:*", []string{"/memfd:x (deleted)"}, []string{"/memfd"}},
	}
	for _, tt := range tests {
		g, err := compilePathGlob(tt.pattern)
		if err != nil {
			t.Fatalf("compile %q: %v", tt.pattern, err)
		}
		for _, v := range tt.match {
			if !g.match(v) {
				t.Errorf("%q should match %q", tt.pattern, v)
			}
		}
		for _, v := range tt.noMatch {
			if g.match(v) {
				t.Errorf("%q should not match %q", tt.pattern, v)
			}
		}
	}
}

func TestPathGlobErrors(t *testing.T) {
	tests := map[string]string{
		"":           "empty",
		"etc/passwd": "absolute",
		"/etc/":      "not a clean path",
		"/etc//x":    "not a clean path",
		"/etc/../x":  "not a clean path",
		"/etc/a**":   `"**" must be a whole path element`,
		"/etc/[a":    "bad pattern",
		`/etc/\`:     "bad pattern",
	}
	for p, want := range tests {
		_, err := compilePathGlob(p)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("compile %q: err = %v, want %q", p, err, want)
		}
	}
}

func TestStrGlob(t *testing.T) {
	tests := []struct {
		pattern string
		match   []string
		noMatch []string
	}{
		{"sh -c *", []string{"sh -c echo hi", "sh -c /bin/x"}, []string{"bash -c x", "sh"}},
		{"*busybox sh", []string{"/bin/busybox sh", "busybox sh"}, []string{"busybox shx"}},
		{"exact", []string{"exact"}, []string{"exact "}},
		{"a?c", []string{"abc", "a/c"}, []string{"ac"}},
		{"[!a]x", []string{"bx"}, []string{"ax"}},
		{"x.y", []string{"x.y"}, []string{"xzy"}},
		{`\*`, []string{"*"}, []string{"a"}},
	}
	for _, tt := range tests {
		g, err := compileStrGlob(tt.pattern)
		if err != nil {
			t.Fatalf("compile %q: %v", tt.pattern, err)
		}
		for _, v := range tt.match {
			if !g.match(v) {
				t.Errorf("%q should match %q", tt.pattern, v)
			}
		}
		for _, v := range tt.noMatch {
			if g.match(v) {
				t.Errorf("%q should not match %q", tt.pattern, v)
			}
		}
	}
	for _, bad := range []string{"", "[abc", `x\`} {
		if _, err := compileStrGlob(bad); err == nil {
			t.Errorf("compile %q: no error", bad)
		}
	}
}

// Escaped values match themselves and nothing else, whatever they hold.
func TestEscapeMatchesExactly(t *testing.T) {
	paths := []string{"/tmp/a*b", "/tmp/[x]", `/tmp/back\slash`, "/tmp/q?", "/tmp/**", "/memfd:x (deleted)"}
	for _, p := range paths {
		g, err := compilePathGlob(PathPattern(p))
		if err != nil {
			t.Fatalf("escape %q = %q: %v", p, PathPattern(p), err)
		}
		if !g.match(p) {
			t.Errorf("escaped %q does not match itself", p)
		}
		if g.match("/tmp/other") {
			t.Errorf("escaped %q matches /tmp/other", p)
		}
	}
	for _, s := range []string{"a*b", "!x", "[y]", `z\`} {
		g, err := compileStrGlob(escapeStrGlob(s))
		if err != nil || !g.match(s) || g.match("other") {
			t.Errorf("escaped text %q: err %v, matches itself %v", s, err, err == nil && g.match(s))
		}
	}
	for rel, want := range map[string]string{"a/b": "**/a/b", "x": "**/x", "../x": "x"} {
		if got := PathPattern(rel); got != want {
			t.Errorf("PathPattern(%q) = %q, want %q", rel, got, want)
		}
	}
}

func TestPathGlobZeroElements(t *testing.T) {
	for p, v := range map[string]string{"/x/**/**": "/x", "/x/**/y": "/x/y", "/**/x": "/x", "/a/b/**": "/a/b"} {
		g, err := compilePathGlob(p)
		if err != nil || !g.match(v) {
			t.Errorf("%q should match %q (err %v)", p, v, err)
		}
	}
}

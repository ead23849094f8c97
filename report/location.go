package report

import (
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/sysgate/sysgate/policy"
)

// DefaultFallback is where a result is located when nothing in the
// repository explains it: no policy file of the user's, no Containerfile.
const DefaultFallback = ".sysgate.yaml"

// locator turns findings into repository-relative locations.
type locator struct {
	root          string // absolute repository root
	pol           *policy.Policy
	containerfile string
	fallback      string
	workload      Workload
}

// where is a repository-relative POSIX path and a 1-based line.
type where struct {
	uri  string
	line int
}

func newLocator(pol *policy.Policy, opts *Options) (*locator, error) {
	root := opts.RepoRoot
	if root == "" {
		anchor := ""
		if pol != nil {
			anchor = pol.File
		}
		if !regularFile(anchor) && regularFile(opts.Workload.Path) {
			anchor = opts.Workload.Path // the policy is built in
		}
		root = findRepoRoot(anchor)
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	l := &locator{root: abs, pol: pol, containerfile: opts.Containerfile, fallback: opts.Fallback, workload: opts.Workload}
	if l.fallback == "" {
		l.fallback = DefaultFallback
	}
	return l, nil
}

// findRepoRoot is the nearest directory above file (the policy's, else the
// workload's) that holds .git, else the working directory.
func findRepoRoot(file string) string {
	if !isFile(file) {
		return "."
	}
	dir, err := filepath.Abs(filepath.Dir(file))
	if err != nil {
		return "."
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, ".git")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "."
		}
		dir = parent
	}
}

func regularFile(name string) bool {
	st, err := os.Stat(name)
	return name != "" && err == nil && st.Mode().IsRegular()
}

// isFile reports whether a policy position names a file (not a built-in
// pack "pack:NAME" nor the core checks).
func isFile(name string) bool {
	return name != "" && name != "core" && name != diffFile && !strings.HasPrefix(name, "pack:")
}

// locate finds, in order: the policy line of the rule that explains the
// finding; for a call the allow-list does not allow, the allow-list's line;
// the line of the workload step the finding was first seen in; the user's
// policy file; the Containerfile; the fallback path.
func (l *locator) locate(f *policy.Finding) where {
	if w, ok := l.rel(f.Policy.File, f.Policy.Line); ok {
		return w
	}
	if l.pol != nil && f.RuleID == policy.CoreUnlisted && l.pol.Syscalls != nil {
		if w, ok := l.rel(l.pol.Syscalls.Pos.File, l.pol.Syscalls.Pos.Line); ok {
			return w
		}
	}
	if w, ok := l.step(f.Evidence.FirstStep); ok {
		return w
	}
	if l.pol != nil {
		if w, ok := l.rel(l.pol.File, 1); ok {
			return w
		}
	}
	if w, ok := l.rel(l.containerfile, 1); ok {
		return w
	}
	return where{uri: l.fallback, line: 1}
}

// step is the line of the named workload step; false when the step is not
// in the workload or the workload is not a file in the repository.
func (l *locator) step(name string) (where, bool) {
	line, ok := l.workload.StepLines[name]
	if name == "" || !ok || line < 1 || l.workload.Path == "" {
		return where{}, false
	}
	return l.rel(l.workload.Path, line)
}

// rel makes file relative to the repository root; false when it is not a
// file or lies outside the repository.
func (l *locator) rel(file string, line int) (where, bool) {
	if !isFile(file) {
		return where{}, false
	}
	abs, err := filepath.Abs(file)
	if err != nil {
		return where{}, false
	}
	if st, err := os.Stat(abs); err != nil || !st.Mode().IsRegular() {
		return where{}, false // GitHub shows results only on files it has
	}
	r, err := filepath.Rel(l.root, abs)
	if err != nil || r == "." || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
		return where{}, false
	}
	if line < 1 {
		line = 1
	}
	return where{uri: path.Clean(filepath.ToSlash(r)), line: line}, true
}

// name is a policy file as reports show it: repository-relative when it is
// in the repository, its base name when outside, "pack:NAME" and "core" as
// they are. Absolute paths would make reports differ between checkouts.
func (l *locator) name(file string) string {
	if !isFile(file) {
		return file
	}
	if w, ok := l.rel(file, 1); ok {
		return w.uri
	}
	return filepath.Base(file)
}

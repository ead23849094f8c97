package docs_test

import (
	"bufio"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
)

var (
	repoRoot   string   // the repository's root (the tests run in docs/)
	sysgateBin string   // sysgate, built once by TestMain
	runDir     string   // the directory the binary runs in
	cli        *cliSpec // what the binary says about its command line
)

func TestMain(m *testing.M) {
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	root, err := filepath.Abs("..")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	repoRoot = root
	tmp, err := os.MkdirTemp("", "sysgate-docs-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(tmp)
	sysgateBin = filepath.Join(tmp, "sysgate")
	if err := buildSysgate(root, sysgateBin); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if runDir, err = scratchDir(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(runDir)
	if cli, err = loadCLI(sysgateBin, runDir); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return m.Run()
}

var goenvTagsRe = regexp.MustCompile(`(?m)^sysgate_tags=(\S+)$`)

// buildSysgate builds cmd/sysgate as scripts/goenv says to: its build tags
// (unless GOFLAGS already has tags) and CGO_ENABLED=0.
func buildSysgate(root, bin string) error {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		goCmd = "/usr/local/go/bin/go" // where the machines install it
	}
	env := append(os.Environ(), "CGO_ENABLED=0")
	if !strings.Contains(os.Getenv("GOFLAGS"), "-tags=") {
		goenv, err := os.ReadFile(filepath.Join(root, "scripts", "goenv"))
		if err != nil {
			return err
		}
		m := goenvTagsRe.FindSubmatch(goenv)
		if m == nil {
			return fmt.Errorf("scripts/goenv: no sysgate_tags= line to take the build tags from")
		}
		env = append(env, strings.TrimSpace("GOFLAGS="+os.Getenv("GOFLAGS")+" -tags="+string(m[1])))
	}
	cmd := exec.Command(goCmd, "build", "-o", bin, "./cmd/sysgate")
	cmd.Dir = root
	cmd.Env = env
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build ./cmd/sysgate: %v\n%s", err, out)
	}
	return nil
}

// docFiles are the documents checked: the README, docs/*.md and each
// example's README.
func docFiles(t *testing.T) []string {
	t.Helper()
	files := []string{"README.md"}
	for _, pattern := range []string{"docs/*.md", "examples/*/README.md"} {
		m, err := filepath.Glob(filepath.Join(repoRoot, filepath.FromSlash(pattern)))
		if err != nil {
			t.Fatal(err)
		}
		sort.Strings(m)
		for _, f := range m {
			rel, _ := filepath.Rel(repoRoot, f)
			files = append(files, filepath.ToSlash(rel))
		}
	}
	return files
}

// problems collects what the checks find, each at its file:line, and
// reports them sorted.
type problems struct {
	mu   sync.Mutex
	list []problem
}

type problem struct {
	file string
	line int
	msg  string
}

func (p *problems) add(file string, line int, format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.list = append(p.list, problem{file, line, fmt.Sprintf(format, args...)})
}

func (p *problems) report(t *testing.T) {
	t.Helper()
	sort.SliceStable(p.list, func(i, j int) bool {
		a, b := p.list[i], p.list[j]
		if a.file != b.file {
			return a.file < b.file
		}
		return a.line < b.line
	})
	for _, q := range p.list {
		t.Errorf("%s:%d: %s", q.file, q.line, q.msg)
	}
}

// shellInfos are the info strings of fenced blocks whose every line is a
// shell command. console blocks hold commands only on their "$ " lines;
// unlabelled blocks mix usage lines with program output.
var shellInfos = map[string]bool{"sh": true, "bash": true, "shell": true, "zsh": true}

var consoleInfos = map[string]bool{"console": true, "shell-session": true}

// A logical line is a command line of a block, its continuations joined.
type logical struct {
	line int
	text string
}

// logicalLines joins the lines a trailing backslash continues and, in an
// unlabelled block, the indented continuation lines of a usage line
// ("sysgate scan --image REF ..." then "             [--json FILE] ...").
func logicalLines(b mdBlock, usageContinuations bool) []logical {
	var out []logical
	for i := 0; i < len(b.lines); i++ {
		l := logical{line: b.start + i, text: b.lines[i]}
		for strings.HasSuffix(l.text, "\\") && i+1 < len(b.lines) {
			i++
			l.text = strings.TrimSuffix(l.text, "\\") + " " + strings.TrimSpace(b.lines[i])
		}
		if usageContinuations && startsWithSysgate(l.text) {
			for i+1 < len(b.lines) {
				next := b.lines[i+1]
				t := strings.TrimSpace(next)
				if next == t || !(strings.HasPrefix(t, "[") || strings.HasPrefix(t, "-")) {
					break
				}
				i++
				l.text += " " + t
			}
		}
		out = append(out, l)
	}
	return out
}

func startsWithSysgate(line string) bool {
	f := strings.Fields(strings.TrimPrefix(strings.TrimSpace(line), "$ "))
	return len(f) > 0 && isSysgate(word{text: f[0]})
}

// TestCommandLines checks every sysgate command line the docs show against
// the built binary: in shell blocks (sh, bash, console "$ " lines), in
// unlabelled blocks (usage lines), and quoted in the prose.
func TestCommandLines(t *testing.T) {
	var p problems
	var checks []binaryCheck
	lines := 0
	for _, file := range docFiles(t) {
		d, err := readDoc(repoRoot, file)
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range d.blocks {
			shell, console := shellInfos[b.info], consoleInfos[b.info]
			if !shell && !console && b.info != "" && b.info != "text" {
				continue
			}
			for _, l := range logicalLines(b, !shell && !console) {
				text := strings.TrimLeft(l.text, " \t")
				prompt := strings.HasPrefix(text, "$ ")
				text = strings.TrimPrefix(text, "$ ")
				if !shell && !prompt {
					if console || !startsWithSysgate(text) || isOutput(text) {
						continue
					}
				}
				c, n := checkCommandLine(&p, file, l.line, text, shell)
				if n > 0 {
					t.Logf("%s:%d: %s", file, l.line, text)
				}
				lines += n
				checks = append(checks, c...)
			}
		}
		spans, _ := codeSpans(d.prose)
		for _, s := range spans {
			f := strings.Fields(s.text)
			if len(f) > 1 && isSysgate(word{text: f[0]}) {
				for _, msg := range cli.checkLoose(f[1:]) {
					p.add(file, s.line, "`%s`: %s", s.text, msg)
				}
			}
		}
	}
	runChecks(&p, checks)
	p.report(t)
	t.Logf("%d sysgate command lines in blocks, %d run through the binary", lines, len(checks))
	if lines < 15 {
		t.Errorf("only %d sysgate command lines were found in the docs' blocks; the test no longer finds them", lines)
	}
}

// runChecks runs the command lines through the binary, each distinct one
// once and in parallel (a start of the binary costs tens of milliseconds),
// and adds what it rejects to p.
func runChecks(p *problems, checks []binaryCheck) {
	type result struct {
		check binaryCheck
		err   error
	}
	byArgv := map[string][]binaryCheck{}
	var distinct []binaryCheck
	for _, c := range checks {
		k := strings.Join(c.argv, "\x00")
		if byArgv[k] == nil {
			distinct = append(distinct, c)
		}
		byArgv[k] = append(byArgv[k], c)
	}
	results := make(chan result)
	sem := make(chan struct{}, runtime.GOMAXPROCS(0)+1)
	for _, c := range distinct {
		go func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			results <- result{c, c.verify(sysgateBin, runDir)}
		}()
	}
	for range distinct {
		r := <-results
		if r.err == nil {
			continue
		}
		for _, c := range byArgv[strings.Join(r.check.argv, "\x00")] {
			file, line := splitWhere(c.where)
			p.add(file, line, "the binary rejects this command line: %v", r.err)
		}
	}
}

// isOutput tells a line of program output in an unlabelled block from a
// usage line: sysgate's messages put a colon after its name or command
// ("sysgate: ...", "sysgate check: obs.json ...", "sysgate diff
// (observations): ..."), and a line of a table or a list is no command
// ("sysgate scan, private Podman service  2.02 s").
func isOutput(line string) bool {
	f := strings.Fields(line)
	if len(f) < 2 || !commandNameRe.MatchString(f[1]) {
		return true
	}
	for _, w := range f {
		if strings.HasSuffix(w, ":") {
			return true
		}
	}
	return false
}

var commandNameRe = regexp.MustCompile(`^[a-z_][a-z0-9_-]*$`)

func splitWhere(where string) (string, int) {
	i := strings.LastIndexByte(where, ':')
	n, _ := strconv.Atoi(where[i+1:])
	return where[:i], n
}

// checkCommandLine checks one command line: a usage line (it has
// [brackets]) loosely, a concrete one strictly. It returns what to run
// through the binary, and how many sysgate invocations the line has.
func checkCommandLine(p *problems, file string, line int, text string, shell bool) ([]binaryCheck, int) {
	words, err := shellWords(text)
	if err != nil {
		if shell {
			p.add(file, line, "cannot read the command line %q: %v", text, err)
		}
		return nil, 0
	}
	for _, w := range words {
		if !w.quoted && !w.op && strings.HasPrefix(w.text, "[") {
			f := strings.Fields(text)
			for i, t := range f {
				if isSysgate(word{text: t}) {
					for _, msg := range cli.checkLoose(f[i+1:]) {
						p.add(file, line, "%s", msg)
					}
					return nil, 1
				}
			}
			return nil, 0
		}
	}
	var checks []binaryCheck
	n := 0
	for _, cmd := range simpleCommands(words) {
		cw := commandWords(cmd)
		if len(cw) == 0 || !isSysgate(cw[0]) {
			continue
		}
		n++
		msgs, argv := cli.checkStrict(cw[1:])
		for _, msg := range msgs {
			p.add(file, line, "%s", msg)
		}
		if argv != nil {
			checks = append(checks, binaryCheck{where: fmt.Sprintf("%s:%d", file, line), argv: argv})
		}
	}
	return checks, n
}

// repoIndex knows the repository's top level: a word is taken for a
// repository path when its first element is one of these entries.
type repoIndex struct {
	top map[string]bool
	// exts are the file name extensions of the repository's files: a word
	// whose last element has another (policy/web.egress, a rule id) is not
	// a path.
	exts map[string]bool
}

func newRepoIndex(t *testing.T) *repoIndex {
	t.Helper()
	ignored := map[string]bool{".git": true}
	if f, err := os.Open(filepath.Join(repoRoot, ".gitignore")); err == nil {
		s := bufio.NewScanner(f)
		for s.Scan() {
			l := strings.Trim(strings.TrimSpace(s.Text()), "/")
			if l != "" && !strings.HasPrefix(l, "#") && !strings.ContainsAny(l, "*?[!/") {
				ignored[l] = true
			}
		}
		f.Close()
	}
	entries, err := os.ReadDir(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	r := &repoIndex{top: map[string]bool{}, exts: map[string]bool{}}
	for _, e := range entries {
		if ignored[e.Name()] {
			continue
		}
		r.top[e.Name()] = true
		err := filepath.WalkDir(filepath.Join(repoRoot, e.Name()), func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if ext := filepath.Ext(d.Name()); !d.IsDir() && ext != "" {
				r.exts[ext] = true
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return r
}

var lineSuffixRe = regexp.MustCompile(`(:\d+)+$`)

// pathOf says whether s names a repository path and which (slash-separated,
// relative to the root). dir is the directory "./" and "../" are relative
// to. A path that leaves the repository is returned as such, to be
// reported.
func (r *repoIndex) pathOf(s, dir string) (string, bool) {
	s = lineSuffixRe.ReplaceAllString(strings.TrimSpace(s), "")
	if i := strings.IndexByte(s, '#'); i > 0 {
		s = s[:i]
	}
	if s == "" || strings.ContainsAny(s, " \t\"'`$<>{}()|,;=@\\") || strings.Contains(s, "...") ||
		strings.Contains(s, "://") || strings.HasPrefix(s, "/") || strings.HasPrefix(s, "~") || strings.HasPrefix(s, "-") {
		return "", false
	}
	if s == ".." || strings.HasPrefix(s, "./") || strings.HasPrefix(s, "../") {
		return path.Join(dir, s), true
	}
	first, _, nested := strings.Cut(s, "/")
	if !r.top[first] || !nested && !strings.Contains(first, ".") {
		return "", false
	}
	if ext := path.Ext(s); ext != "" && !r.exts[ext] && !strings.ContainsAny(ext, "*?[") {
		return "", false
	}
	return path.Clean(s), true
}

// exists says what is wrong with a repository path, if anything: it must
// stay inside the repository and exist; a glob must match something.
func exists(rel string) error {
	if rel == ".." || strings.HasPrefix(rel, "../") {
		return fmt.Errorf("leaves the repository")
	}
	full := filepath.Join(repoRoot, filepath.FromSlash(rel))
	if strings.ContainsAny(rel, "*?[") {
		if strings.Contains(rel, "**") {
			full = filepath.Join(repoRoot, filepath.FromSlash(rel[:strings.Index(rel, "**")]))
		} else {
			m, err := filepath.Glob(full)
			if err != nil || len(m) == 0 {
				return fmt.Errorf("matches no file")
			}
			return nil
		}
	}
	if _, err := os.Stat(full); err != nil {
		return fmt.Errorf("does not exist")
	}
	return nil
}

func executable(rel string) error {
	fi, err := os.Stat(filepath.Join(repoRoot, filepath.FromSlash(rel)))
	if err != nil || !fi.Mode().IsRegular() {
		return nil // reported as missing, or a directory
	}
	if fi.Mode()&0o111 == 0 {
		return fmt.Errorf("is not executable (chmod +x %s, and commit the mode)", rel)
	}
	return nil
}

var schemeRe = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*:`)

// TestPaths checks that what the docs point at is there: every relative
// link (and its #anchor in a markdown file), every repository path in a
// code span or a shell block, and that every program a shell block runs
// from the repository, and every scripts/ file the README names but
// sources, is executable.
func TestPaths(t *testing.T) {
	r := newRepoIndex(t)
	var p problems
	docs := map[string]*mdDoc{}
	load := func(rel string) (*mdDoc, error) {
		if d, ok := docs[rel]; ok {
			return d, nil
		}
		d, err := readDoc(repoRoot, rel)
		docs[rel] = d
		return d, err
	}
	checked := 0
	for _, file := range docFiles(t) {
		d, err := load(file)
		if err != nil {
			t.Fatal(err)
		}
		dir := path.Dir(file)
		check := func(line int, what, text, rel string) {
			checked++
			if err := exists(rel); err != nil {
				if text != rel {
					what += " " + text + " (" + rel + ")"
				} else {
					what += " " + rel
				}
				p.add(file, line, "%s %v", what, err)
			}
		}
		spans, masked := codeSpans(d.prose)
		for _, s := range spans {
			if rel, ok := r.pathOf(s.text, dir); ok {
				check(s.line, "the path", s.text, rel)
			}
		}
		for _, l := range links(masked) {
			target := l.target
			if target == "" || schemeRe.MatchString(target) || strings.HasPrefix(target, "//") {
				continue
			}
			target, frag, _ := strings.Cut(target, "#")
			if u, err := url.PathUnescape(target); err == nil {
				target = u
			}
			rel := file
			if target != "" {
				if strings.HasPrefix(target, "/") {
					rel = path.Clean(strings.TrimPrefix(target, "/"))
				} else {
					rel = path.Join(dir, target)
				}
				checked++
				if err := exists(rel); err != nil {
					p.add(file, l.line, "link %s: %s %v", l.target, rel, err)
					continue
				}
			}
			if frag == "" || !strings.HasSuffix(rel, ".md") {
				continue
			}
			td, err := load(rel)
			if err != nil {
				p.add(file, l.line, "link %s: %v", l.target, err)
				continue
			}
			if !td.anchors()[frag] {
				p.add(file, l.line, "link %s: %s has no heading or anchor #%s", l.target, rel, frag)
			}
		}
		// Shell blocks: each word that names a repository path (relative to
		// the root, where the commands run), each program run from the
		// repository, and what is sourced.
		sourced := map[string]bool{}
		var scripts []span
		for _, b := range d.blocks {
			if !shellInfos[b.info] && !consoleInfos[b.info] {
				continue
			}
			for _, l := range logicalLines(b, false) {
				text := strings.TrimPrefix(strings.TrimLeft(l.text, " \t"), "$ ")
				words, err := shellWords(text)
				if err != nil {
					continue // TestCommandLines reports it
				}
				for _, cmd := range simpleCommands(words) {
					cmd = commandWords(cmd)
					for i, w := range cmd {
						if w.dollar {
							continue
						}
						s := w.text
						if strings.HasPrefix(s, "-") {
							_, s, _ = strings.Cut(s, "=")
						}
						rel, ok := r.pathOf(s, ".")
						if !ok {
							continue
						}
						check(l.line, "the path", s, rel)
						if i == 0 {
							if err := executable(rel); err != nil {
								p.add(file, l.line, "%s is run here but %v", rel, err)
							}
						}
						if i == 1 && (cmd[0].text == "." || cmd[0].text == "source") {
							sourced[rel] = true
						}
						if strings.HasPrefix(rel, "scripts/") {
							scripts = append(scripts, span{l.line, rel})
						}
					}
				}
			}
		}
		if file != "README.md" {
			continue
		}
		for _, s := range spans {
			if rel, ok := r.pathOf(s.text, dir); ok && strings.HasPrefix(rel, "scripts/") {
				scripts = append(scripts, span{s.line, rel})
			}
		}
		for _, s := range scripts {
			if sourced[s.text] {
				continue
			}
			if err := executable(s.text); err != nil {
				p.add(file, s.line, "the README names %s, which %v", s.text, err)
			}
		}
	}
	p.report(t)
	if checked < 50 {
		t.Errorf("only %d paths and links were checked; the test no longer finds them", checked)
	}
}

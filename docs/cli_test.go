package docs_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"sort"
	"strings"
	"time"
)

// cliSpec is what the built sysgate says about its command line: its
// commands (from `sysgate help`) and, for each, its flags and usage line
// (from `sysgate CMD -h`). Nothing here is written by hand, so the docs are
// checked against the binary, not against a second copy of its flags.
type cliSpec struct {
	commands map[string]*command
}

type command struct {
	name  string
	usage string // the usage line, "" for a command that prints none (version)
	// flags maps each flag to whether it takes a value (Go's flag package
	// prints a value's name after the flag; a bool flag has none).
	flags map[string]bool
	// required are the flags the usage line does not put in brackets.
	required []string
	// minArgs and maxArgs bound the arguments after the flags (-1: any).
	minArgs, maxArgs int
	// subcommands of a command that has them (policy): name → the usage
	// line of that subcommand in the command's list.
	subcommands map[string]string
}

var (
	commandListRe = regexp.MustCompile(`^  ([a-z][a-z0-9-]*)(?:\s|$)`)
	flagLineRe    = regexp.MustCompile(`^  -([A-Za-z0-9][A-Za-z0-9_-]*)(?: (\S+))?$`)
)

// runSysgate runs the binary with args, in an environment where it can
// reach nothing: no PATH (so no podman), no Podman socket, a scratch
// working directory. It returns the combined output and the exit code.
func runSysgate(bin, dir string, args ...string) (string, int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	cmd.Env = []string{
		"PATH=/nonexistent",
		"HOME=" + dir,
		"XDG_RUNTIME_DIR=" + dir,
		"CONTAINER_HOST=unix:///nonexistent/podman.sock",
		"NO_COLOR=1",
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		return out.String(), exitErr.ExitCode(), nil
	}
	if ctx.Err() != nil {
		return out.String(), -1, fmt.Errorf("sysgate %s did not end within 20s", strings.Join(args, " "))
	}
	return out.String(), 0, err
}

func loadCLI(bin, dir string) (*cliSpec, error) {
	help, code, err := runSysgate(bin, dir, "help")
	if err != nil || code != 0 {
		return nil, fmt.Errorf("sysgate help: exit %d, %v: %s", code, err, help)
	}
	spec := &cliSpec{commands: map[string]*command{
		// run() answers help itself; it is not in the list it prints.
		"help": {name: "help", flags: map[string]bool{}},
	}}
	for _, name := range listedCommands(help) {
		out, _, err := runSysgate(bin, dir, name, "-h")
		if err != nil {
			return nil, err
		}
		c, err := parseCommand(name, out)
		if err != nil {
			return nil, err
		}
		spec.commands[name] = c
	}
	if len(spec.commands) < 4 {
		return nil, fmt.Errorf("sysgate help lists too few commands; the test cannot read it:\n%s", help)
	}
	return spec, nil
}

// listedCommands reads the names under "commands:" of a usage text.
func listedCommands(usage string) []string {
	var names []string
	in := false
	for _, line := range strings.Split(usage, "\n") {
		if strings.TrimSpace(line) == "commands:" {
			in = true
			continue
		}
		if m := commandListRe.FindStringSubmatch(line); in && m != nil {
			names = append(names, m[1])
		}
	}
	return names
}

func parseCommand(name, help string) (*command, error) {
	c := &command{name: name, flags: map[string]bool{}, maxArgs: -1}
	lines := strings.Split(help, "\n")
	prefix := "usage: sysgate " + name
	if !strings.HasPrefix(lines[0], prefix) {
		return c, nil // version: no usage, no flags
	}
	c.usage = strings.TrimSpace(strings.TrimPrefix(lines[0], "usage: "))
	if strings.Contains(lines[0], "<command>") {
		c.subcommands = map[string]string{}
		for _, line := range lines {
			if m := commandListRe.FindStringSubmatch(line); m != nil && strings.Contains(help, "commands:") {
				c.subcommands[m[1]] = strings.TrimSpace(line)
			}
		}
		if len(c.subcommands) == 0 {
			return nil, fmt.Errorf("sysgate %s -h: a usage with <command> but no command list:\n%s", name, help)
		}
		return c, nil
	}
	for _, line := range lines[1:] {
		if m := flagLineRe.FindStringSubmatch(line); m != nil {
			c.flags[m[1]] = m[2] != ""
		}
	}
	// The usage line: what is not in brackets is required, flags and
	// arguments alike; a bracketed group of arguments ("[ARG...]",
	// "[-- CMD [ARG...]]") allows any number of them.
	var outside strings.Builder
	var group strings.Builder
	depth, variadic := 0, false
	for _, r := range strings.TrimPrefix(lines[0], prefix) {
		switch {
		case r == '[':
			if depth == 0 {
				group.Reset()
			}
			depth++
		case r == ']':
			depth--
			if depth == 0 {
				g := strings.TrimSpace(group.String())
				if g == "--" || strings.HasPrefix(g, "-- ") || !strings.HasPrefix(g, "-") && strings.Contains(g, "...") {
					variadic = true // [ARG...], [-- CMD [ARG...]]
				}
				outside.WriteByte(' ')
			}
		case depth == 0:
			outside.WriteRune(r)
		default:
			group.WriteRune(r)
		}
	}
	if depth != 0 {
		return nil, fmt.Errorf("sysgate %s -h: unbalanced brackets in %q", name, lines[0])
	}
	toks := strings.Fields(outside.String())
	args, afterDashes := 0, false
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		switch {
		case t == "--":
			afterDashes = true
		case !afterDashes && strings.HasPrefix(t, "-"):
			f := strings.TrimLeft(t, "-")
			c.required = append(c.required, f)
			if c.flags[f] {
				i++
			}
		default:
			args++
		}
	}
	c.minArgs = args
	if !variadic {
		c.maxArgs = args
	}
	return c, nil
}

func (s *cliSpec) names() string {
	var names []string
	for n := range s.commands {
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

func (c *command) flagNames() string {
	var names []string
	for n := range c.flags {
		names = append(names, "--"+n)
	}
	sort.Strings(names)
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, " ")
}

// placeholderRe is a value the docs stand for one to fill in: FILE, REF,
// SEVERITY, USER[:GROUP], FILE...
var placeholderRe = regexp.MustCompile(`^[A-Z][A-Z0-9_]*(\[:?[A-Z_]+\])?(:[A-Z_]+)?(\.\.\.)?$`)

func isPlaceholder(w word) bool {
	return w.dollar || placeholderRe.MatchString(w.text) || strings.Contains(w.text, "...")
}

// checkStrict checks a concrete command line, the words after the program:
// the command exists, each flag is one of its own and gets a value exactly
// when it takes one, no flag comes after an argument (Go's flag package
// stops at the first argument, so such a flag would be read as an
// argument), the required flags are there and the number of arguments fits
// the usage. It returns the problems and, when the line has flags to
// check, the arguments for the binary: the command, its flags with
// concrete values as --name=value, then -h, so that the binary's own flag
// parsing judges the values (a severity, a duration) and then only prints
// its usage.
func (s *cliSpec) checkStrict(args []word) (problems []string, argv []string) {
	if len(args) == 0 {
		return []string{"sysgate with no command (it prints its usage and exits 2)"}, nil
	}
	name := args[0].text
	if isPlaceholder(args[0]) {
		return nil, nil // sysgate COMMAND -h
	}
	c, ok := s.commands[name]
	if !ok {
		return []string{fmt.Sprintf("sysgate has no command %q (it has %s)", name, s.names())}, nil
	}
	rest := args[1:]
	if c.subcommands != nil {
		return c.checkSubcommand(rest)
	}
	if c.usage == "" {
		return nil, nil // version, help
	}
	argv = []string{name}
	i := 0
	seen := map[string]bool{}
	help := false
loop:
	for ; i < len(rest); i++ {
		a := rest[i].text
		switch {
		case a == "--":
			i++
			break loop
		case !strings.HasPrefix(a, "-") || a == "-":
			break loop
		}
		n := strings.TrimPrefix(strings.TrimPrefix(a, "-"), "-")
		if n == "" || n[0] == '-' || n[0] == '=' {
			problems = append(problems, fmt.Sprintf("bad flag syntax %q", a))
			continue
		}
		n, val, hasVal := strings.Cut(n, "=")
		if n == "h" || n == "help" {
			help = true
			break
		}
		takes, ok := c.flags[n]
		if !ok {
			problems = append(problems, fmt.Sprintf("sysgate %s has no flag --%s (its flags: %s)", name, n, c.flagNames()))
			continue
		}
		seen[n] = true
		concrete := true
		switch {
		case takes && !hasVal:
			if i+1 >= len(rest) {
				problems = append(problems, fmt.Sprintf("sysgate %s: --%s needs a value", name, n))
				break loop
			}
			i++
			val = rest[i].text
			concrete = !isPlaceholder(rest[i])
		case takes:
			concrete = !placeholderRe.MatchString(val) && !strings.Contains(val, "$")
		case !hasVal:
			argv = append(argv, "--"+n)
			continue
		}
		if concrete {
			argv = append(argv, "--"+n+"="+val)
		}
	}
	if help {
		return problems, nil
	}
	positional := rest[i:]
	if i > 0 && rest[i-1].text == "--" {
		// after --, everything is an argument
	} else {
		for _, w := range positional {
			if strings.HasPrefix(w.text, "-") && w.text != "-" && name != "trace" {
				problems = append(problems, fmt.Sprintf("flag %s comes after the argument %q: Go's flag package stops at the first argument, so sysgate %s would take it as an argument; put the flags first", w.text, positional[0].text, name))
				break
			}
		}
	}
	if len(positional) < c.minArgs || c.maxArgs >= 0 && len(positional) > c.maxArgs {
		problems = append(problems, fmt.Sprintf("sysgate %s given %d argument(s) after its flags; its usage is %q", name, len(positional), c.usage))
	}
	for _, r := range c.required {
		if !seen[r] {
			problems = append(problems, fmt.Sprintf("sysgate %s without its required --%s; its usage is %q", name, r, c.usage))
		}
	}
	if len(problems) > 0 || len(argv) == 1 {
		return problems, nil
	}
	// -h twice: should a flag the test reads as a bool take a value after
	// all, the second -h still stops the binary before it does anything.
	return nil, append(argv, "-h", "-h")
}

// checkSubcommand checks the words after a command with subcommands
// (policy): the subcommand exists and gets arguments only when its line in
// the command's list shows some. policy groups with concrete @NAMEs is run,
// which checks that the groups exist.
func (c *command) checkSubcommand(rest []word) ([]string, []string) {
	if len(rest) == 0 {
		return []string{fmt.Sprintf("sysgate %s without a subcommand", c.name)}, nil
	}
	sub := rest[0].text
	line, ok := c.subcommands[sub]
	if !ok {
		var names []string
		for n := range c.subcommands {
			names = append(names, n)
		}
		sort.Strings(names)
		return []string{fmt.Sprintf("sysgate %s has no subcommand %q (it has %s)", c.name, sub, strings.Join(names, ", "))}, nil
	}
	fields := strings.Fields(line)
	takesArgs := len(fields) > 1 && (strings.HasPrefix(fields[1], "[") || placeholderRe.MatchString(fields[1]) || strings.HasPrefix(fields[1], "@"))
	needsArgs := takesArgs && !strings.HasPrefix(fields[1], "[")
	switch {
	case len(rest) > 1 && !takesArgs:
		return []string{fmt.Sprintf("sysgate %s %s takes no arguments (%s)", c.name, sub, line)}, nil
	case len(rest) == 1 && needsArgs:
		return []string{fmt.Sprintf("sysgate %s %s needs arguments (%s)", c.name, sub, line)}, nil
	}
	if sub == "groups" && len(rest) > 1 {
		argv := []string{c.name, sub}
		for _, w := range rest[1:] {
			if isPlaceholder(w) {
				return nil, nil
			}
			argv = append(argv, w.text)
		}
		return nil, argv
	}
	return nil, nil
}

// checkLoose checks a usage line or a command quoted in prose, which may
// leave things out: the command exists, each flag named is one of its own,
// and a flag shows a value exactly when it takes one. toks are the
// whitespace-separated words after the program.
func (s *cliSpec) checkLoose(toks []string) []string {
	if len(toks) == 0 {
		return nil
	}
	name := strings.TrimRight(toks[0], ".,;:")
	if strings.HasPrefix(name, "__sysgate_") || placeholderRe.MatchString(name) {
		return nil // the agent's and the stub's internal entry points; sysgate COMMAND -h
	}
	c, ok := s.commands[name]
	if !ok {
		return []string{fmt.Sprintf("sysgate has no command %q (it has %s)", name, s.names())}
	}
	if c.subcommands != nil {
		if len(toks) > 1 {
			sub := strings.Trim(toks[1], "[]|.,")
			if _, ok := c.subcommands[sub]; !ok && !placeholderRe.MatchString(sub) && sub != "" {
				return []string{fmt.Sprintf("sysgate %s has no subcommand %q", name, sub)}
			}
		}
		return nil
	}
	var problems []string
	for i := 1; i < len(toks); i++ {
		raw := toks[i]
		t := strings.TrimLeft(raw, "[")
		if t == "--" {
			break
		}
		if !strings.HasPrefix(t, "-") || t == "-" {
			continue
		}
		n := strings.TrimRight(strings.TrimLeft(t, "-"), "].,")
		n = strings.TrimSuffix(n, "...")
		n, _, hasEq := strings.Cut(n, "=")
		if n == "h" || n == "help" {
			continue
		}
		takes, ok := c.flags[n]
		if !ok {
			problems = append(problems, fmt.Sprintf("sysgate %s has no flag --%s (its flags: %s)", name, n, c.flagNames()))
			continue
		}
		hasVal := hasEq
		if !hasEq && !strings.HasSuffix(raw, "]") && i+1 < len(toks) {
			next := toks[i+1]
			hasVal = !strings.HasPrefix(next, "[") && !strings.HasPrefix(next, "-")
		}
		if takes && !hasVal && (i+1 < len(toks) || strings.HasSuffix(raw, "]")) {
			problems = append(problems, fmt.Sprintf("sysgate %s: --%s is shown without the value it takes", name, n))
		}
		if !takes && hasVal && (hasEq || strings.HasPrefix(raw, "[")) {
			problems = append(problems, fmt.Sprintf("sysgate %s: --%s is a switch, shown with a value", name, n))
		}
		if takes && hasVal && !hasEq {
			i++
		}
	}
	return problems
}

// binaryCheck is one command line the docs show, to run through the
// binary's flag parsing.
type binaryCheck struct {
	where string // file:line
	argv  []string
}

// verify runs the check and says what the binary objected to, if anything.
// A command with flags ends in -h: the binary must only print its usage
// (exit 0; trace, as env(1), exits 125). policy groups must exit 0.
func (b binaryCheck) verify(bin, dir string) error {
	out, code, err := runSysgate(bin, dir, b.argv...)
	if err != nil {
		return err
	}
	first, _, _ := strings.Cut(strings.TrimSpace(out), "\n")
	help := b.argv[len(b.argv)-1] == "-h"
	switch {
	case help && strings.HasPrefix(first, "usage: sysgate "+b.argv[0]) && (code == 0 || b.argv[0] == "trace" && code == 125):
		return nil
	case !help && code == 0:
		return nil
	}
	return fmt.Errorf("sysgate %s: exit %d: %s", strings.Join(b.argv, " "), code, first)
}

// scratchDir is where the binary runs: a directory of its own.
func scratchDir() (string, error) {
	return os.MkdirTemp("", "sysgate-docs-run-")
}

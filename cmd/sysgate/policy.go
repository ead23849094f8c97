package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/sysgate/sysgate/policy"
	"github.com/sysgate/sysgate/policy/groups"
	"github.com/sysgate/sysgate/policy/packs"
)

const policyUsage = `usage: sysgate policy <command>

commands:
  lint FILE...      validate policies (exit 0 when valid, 2 otherwise)
  groups [@NAME...] list the syscall groups, or the members of some
  classes           list the semantic classes
  packs             list the built-in packs and their rules
`

func runPolicy(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, policyUsage)
		return exitUsage
	}
	switch args[0] {
	case "lint":
		return runPolicyLint(args[1:], stdout, stderr)
	case "groups":
		return runPolicyGroups(args[1:], stdout, stderr)
	case "classes":
		return runPolicyClasses(stdout)
	case "packs":
		return runPolicyPacks(stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, policyUsage)
		return 0
	}
	warnf(stderr, "policy: unknown command %q", args[0])
	fmt.Fprint(stderr, policyUsage)
	return exitUsage
}

// runPolicyLint validates each file, reporting every problem of every file.
func runPolicyLint(files []string, stdout, stderr io.Writer) int {
	if len(files) == 0 {
		warnf(stderr, "policy lint: no policy file given")
		return exitUsage
	}
	code := 0
	for _, file := range files {
		pol, ok := loadPolicy(file, "policy lint", "fix them and lint again", stderr)
		if !ok {
			code = exitUsage
			continue
		}
		fmt.Fprintf(stdout, "%s: ok: %s\n", file, describePolicy(pol))
	}
	return code
}

// describePolicy is "12 rules (10 from packs escape, network), an allow-list
// of 80 syscalls and 3 programs, 2 exceptions".
func describePolicy(pol *policy.Policy) string {
	own := 0
	for _, r := range pol.Rules {
		if r.Pack == "" {
			own++
		}
	}
	s := fmt.Sprintf("%d rules", len(pol.Rules))
	if len(pol.Packs) > 0 {
		s += fmt.Sprintf(" (%d from packs %s)", len(pol.Rules)-own, strings.Join(pol.Packs, ", "))
	}
	if pol.Syscalls != nil {
		s += fmt.Sprintf(", an allow-list (%s for what it does not list)", pol.Syscalls.Severity)
	} else {
		s += ", no allow-list"
	}
	return s + fmt.Sprintf(", %d exception(s)", len(pol.Exceptions))
}

func runPolicyGroups(names []string, stdout, stderr io.Writer) int {
	if len(names) == 0 {
		tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
		for _, g := range groups.All() {
			fmt.Fprintf(tw, "%s\t%d\t%s\n", g.Name, len(g.Syscalls), g.Description)
		}
		tw.Flush()
		return 0
	}
	code := 0
	for _, name := range names {
		g, ok := groups.Lookup(name)
		if !ok {
			warnf(stderr, "policy groups: unknown group %q", name)
			code = exitUsage
			continue
		}
		fmt.Fprintf(stdout, "%s: %s\n", g.Name, g.Description)
		fmt.Fprintln(stdout, wrap(g.Syscalls, 78, "    "))
	}
	return code
}

func runPolicyClasses(stdout io.Writer) int {
	for _, c := range policy.Classes() {
		fmt.Fprintf(stdout, "%s: %s\n%s\n", c.Name, c.Description, wrap(c.Syscalls, 78, "    "))
	}
	return 0
}

func runPolicyPacks(stdout, stderr io.Writer) int {
	for _, name := range packs.Names() {
		pol, err := policy.Parse("pack "+name, []byte("apiVersion: "+policy.APIVersion+"\ninclude: ["+name+"]\n"))
		if err != nil {
			warnf(stderr, "policy packs: the built-in pack %s is broken: %v", name, err)
			return exitUsage
		}
		fmt.Fprintln(stdout, name)
		if len(pol.Packs) > 1 {
			fmt.Fprintf(stdout, "  includes %s\n", strings.Join(pol.Packs[:len(pol.Packs)-1], ", "))
		}
		for _, r := range pol.Rules {
			if r.Pack == name {
				fmt.Fprintf(stdout, "  %s  %-8s %s\n", r.ID, r.Severity, r.Description)
			}
		}
	}
	return 0
}

// wrap joins words into indented lines of at most width columns.
func wrap(words []string, width int, indent string) string {
	var b strings.Builder
	line := indent
	for _, w := range words {
		if len(line)+len(w)+1 > width && line != indent {
			b.WriteString(strings.TrimRight(line, " ") + "\n")
			line = indent
		}
		line += w + " "
	}
	b.WriteString(strings.TrimRight(line, " "))
	return b.String()
}

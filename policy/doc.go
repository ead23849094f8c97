// Package policy is sysgate's policy language: it parses a YAML policy with
// the position of every node, validates it (every problem at once, with file,
// line and column), and evaluates an observation against it into findings.
// Findings are data; a Go error means the work could not be done.
//
// A policy has an allow-list of syscalls (by name and by group) with a
// severity for anything observed that it does not list, and rules that match
// calls on their name, group or semantic class, ABI, calling program, paths,
// program executed and argv, socket family and address, flags and
// operation. The two are independent: an allowed syscall can still match a
// rule on its arguments. Exceptions exempt calls from the rules they name,
// scoped to a program, a path, a program executed or an address. Built-in
// rule packs (package packs) are included by name. docs/policy.md is the
// reference.
package policy

//go:generate go run ./gen -o zsymbols.go

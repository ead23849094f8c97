// Package docs holds the tests that keep the documentation true to the code:
// README.md, docs/*.md and the examples' READMEs. Every sysgate command line
// they show must use a subcommand and flags the built binary accepts, every
// relative link and every repository path they name must exist, and every
// script they tell the reader to run must be executable. The package has no
// code of its own; see docs_test.go.
package docs

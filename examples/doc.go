// Package examples holds the tests of sysgate's runnable examples and of its
// GitHub Action: every example (service, batch, compromised) is built into
// an image and scanned, its findings compared with its expected-findings.json;
// the action's metadata is checked against GitHub's rules, its scripts are
// run with stand-ins for Podman and sysgate, and actionlint checks every
// workflow. The package has no code of its own. See docs/action.md.
package examples

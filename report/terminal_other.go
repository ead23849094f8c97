//go:build !linux

package report

import "os"

// isTerminal is false where sysgate does not run (it traces Linux only).
func isTerminal(*os.File) bool { return false }

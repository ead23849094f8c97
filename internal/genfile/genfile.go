// Package genfile is the tail every generator in this repository shares:
// write the generated file, or check that the committed one is fresh.
package genfile

import (
	"bytes"
	"errors"
	"fmt"
	"os"
)

// ErrStale means the committed file differs from what the generator makes.
var ErrStale = errors.New("stale")

// WriteOrCheck writes data to path, or with check only compares them; regen
// is the command that refreshes the file, for the message.
func WriteOrCheck(path string, data []byte, check bool, regen string) error {
	if !check {
		return os.WriteFile(path, data, 0o644)
	}
	old, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if !bytes.Equal(old, data) {
		return fmt.Errorf("%s is %w: run %s", path, ErrStale, regen)
	}
	return nil
}

// Main ends a generator: exit 1 for a stale file, 2 for any other error.
func Main(err error) {
	if err == nil {
		return
	}
	fmt.Fprintln(os.Stderr, "gen:", err)
	if errors.Is(err, ErrStale) {
		os.Exit(1)
	}
	os.Exit(2)
}

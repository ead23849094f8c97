//go:build !amd64 && !arm64

package tracer

import (
	"errors"

	"github.com/sysgate/sysgate/tracer/systab"
)

func setArg0(int, systab.ABI, uint64) error {
	return errors.New("rewriting syscall arguments is not implemented on this architecture")
}

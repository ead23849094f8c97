package tracer

import (
	"errors"
	"testing"
)

func TestCheckRelease(t *testing.T) {
	for release, ok := range map[string]bool{
		"6.18.44-fc-v782": true,
		"5.3.0":           true,
		"5.10.0-rc1":      true,
		"5.2.21":          false,
		"4.19.0-18-amd64": false,
		"2.6.78-fc":       false, // what setarch --uname-2.6 shows
		"garbage":         false,
	} {
		err := checkRelease(release)
		if (err == nil) != ok {
			t.Errorf("checkRelease(%q) = %v, want ok=%v", release, err, ok)
		}
		if err != nil && !errors.Is(err, ErrKernelTooOld) {
			t.Errorf("checkRelease(%q) = %v, want ErrKernelTooOld", release, err)
		}
	}
}

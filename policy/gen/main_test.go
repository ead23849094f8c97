package main

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

// TestGeneratedSymbolsFresh fails when ../zsymbols.go is not what gen writes
// from the decoders of tracer/decode: run go generate ./policy.
func TestGeneratedSymbolsFresh(t *testing.T) {
	want, err := generate("../../tracer/decode")
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("../zsymbols.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("policy/zsymbols.go is stale: run go generate ./policy")
	}
}

func TestCollectFindsDecoderNames(t *testing.T) {
	syms, err := collect("../../tracer/decode")
	if err != nil {
		t.Fatal(err)
	}
	joined := " " + strings.Join(syms, " ") + " "
	for _, want := range []string{"O_WRONLY", "O_CREAT", "CLONE_NEWUSER", "CLONE_UNTRACED", "AF_INET", "PTRACE_ATTACH", "KEYCTL_JOIN_SESSION_KEYRING", "MFD_CLOEXEC", "AT_EMPTY_PATH"} {
		if !strings.Contains(joined, " "+want+" ") {
			t.Errorf("symbol %s not collected", want)
		}
	}
	if strings.Contains(joined, " NULL ") {
		t.Error("NULL (an error text) was collected")
	}
}

package sandbox

import (
	"os/exec"
	"strings"
	"testing"
)

// TestOnlySandboxImportsPodman keeps the Podman bindings (and the
// containers/* and docker modules they bring) behind this package.
func TestOnlySandboxImportsPodman(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", "github.com/sysgate/sysgate/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, imports, _ := strings.Cut(line, " ")
		if pkg == "github.com/sysgate/sysgate/sandbox" {
			continue
		}
		for _, imp := range strings.Fields(imports) {
			if strings.HasPrefix(imp, "github.com/containers/") || strings.HasPrefix(imp, "github.com/docker/") {
				t.Errorf("%s imports %s: only package sandbox may talk to Podman", pkg, imp)
			}
		}
	}
}

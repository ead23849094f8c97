package sandbox

import (
	"errors"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/sysgate/sysgate/internal/testimage"
)

func TestInspectImage(t *testing.T) {
	t.Parallel()
	img := busyboxImage(t, testimage.Image{
		Entrypoint: []string{"/bin/busybox", "sh", "-c"},
		Cmd:        []string{"echo hello"},
		User:       "65534:65534",
		Env:        []string{"A=1", "B=two words"},
		WorkDir:    "/bin",
		Labels:     map[string]string{"org.example": "x"},
	})
	ic, err := client.Inspect(testContext(t), img)
	if err != nil {
		t.Fatal(err)
	}
	want := podmanInspect(t, img)
	if ic.ID != want.ID || ic.Digest != want.Digest {
		t.Errorf("ID %s digest %s, podman says %s %s", ic.ID, ic.Digest, want.ID, want.Digest)
	}
	if !strings.HasPrefix(ic.Digest, "sha256:") || len(ic.ID) != 64 {
		t.Errorf("ID %q digest %q: want 64 hex digits and sha256:...", ic.ID, ic.Digest)
	}
	check := []struct {
		name      string
		got, want any
	}{
		{"Entrypoint", ic.Entrypoint, []string{"/bin/busybox", "sh", "-c"}},
		{"Cmd", ic.Cmd, []string{"echo hello"}},
		{"User", ic.User, "65534:65534"},
		{"WorkDir", ic.WorkDir, "/bin"},
		{"Arch", ic.Arch, runtime.GOARCH},
		{"OS", ic.OS, "linux"},
		{"Names", ic.Names, []string{img}},
		{"Label", ic.Labels["org.example"], "x"},
	}
	for _, c := range check {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s = %#v, want %#v", c.name, c.got, c.want)
		}
	}
	if !containsAll(ic.Env, "A=1", "B=two words") {
		t.Errorf("Env = %q, want A=1 and B=two words in it", ic.Env)
	}
}

type inspected struct{ ID, Digest string }

func podmanInspect(t *testing.T, ref string) inspected {
	out := testimage.Podman(t, "image", "inspect", "--format", "{{.ID}} {{.Digest}}", ref)
	id, digest, _ := strings.Cut(out, " ")
	return inspected{id, digest}
}

func containsAll(list []string, want ...string) bool {
	for _, w := range want {
		found := false
		for _, l := range list {
			found = found || l == w
		}
		if !found {
			return false
		}
	}
	return true
}

func TestEnsureLocalImage(t *testing.T) {
	t.Parallel()
	img := busyboxImage(t, testimage.Image{Cmd: []string{"true"}})
	for _, p := range []PullPolicy{PullMissing, PullNever} {
		var progress []string
		ic, err := client.EnsureImage(testContext(t), img, ImageOptions{Pull: p, Progress: func(l string) { progress = append(progress, l) }})
		if err != nil {
			t.Fatalf("pull=%s: %v", p, err)
		}
		if ic.ID != podmanInspect(t, img).ID || len(progress) != 0 {
			t.Errorf("pull=%s: ID %s, progress %q; want the local image, no pull", p, ic.ID, progress)
		}
	}
}

func TestMissingImage(t *testing.T) {
	t.Parallel()
	c := needPodman(t)
	ref := testimage.Tag("never-built")
	for _, p := range []PullPolicy{PullNever, PullMissing} {
		// With pull=missing the pull goes to the "localhost" registry, where none listens.
		_, err := c.EnsureImage(testContext(t), ref, ImageOptions{Pull: p})
		var nf *ImageNotFoundError
		if !errors.Is(err, ErrImageNotFound) || !errors.As(err, &nf) {
			t.Fatalf("pull=%s: got %v, want ErrImageNotFound", p, err)
		}
		msg := err.Error()
		t.Logf("pull=%s: %s", p, msg)
		if nf.Ref != ref || !strings.Contains(msg, ref) || !strings.Contains(msg, "podman build") {
			t.Errorf("pull=%s: message %q should name %s and say what to do", p, msg, ref)
		}
		if p == PullNever && !strings.Contains(msg, "--pull=never") {
			t.Errorf("pull=never: message %q should name the policy", msg)
		}
	}
}

func TestArchiveImages(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ transport, format string }{
		{OCIArchive, "oci-archive"},
		{DockerArchive, "docker-archive"},
	} {
		t.Run(tc.format, func(t *testing.T) {
			img := busyboxImage(t, testimage.Image{Cmd: []string{"sh", "-c", "echo from archive"}, User: "65534"})
			orig := podmanInspect(t, img)
			file := filepath.Join(t.TempDir(), "image.tar")
			testimage.Podman(t, "save", "--format", tc.format, "--output", file, img)
			// Only the archive has it now: the load is what brings it back.
			testimage.Podman(t, "rmi", img)
			ic, err := client.EnsureImage(testContext(t), tc.transport+file, ImageOptions{Pull: PullNever})
			if err != nil {
				t.Fatal(err)
			}
			if ic.ID != orig.ID || ic.User != "65534" || !reflect.DeepEqual(ic.Cmd, []string{"sh", "-c", "echo from archive"}) {
				t.Errorf("loaded %+v, want ID %s and the image's config", ic, orig.ID)
			}
			j := runJob(t, testContext(t), Spec{Image: ic.ID, ScanID: newScan(t)}, nil)
			if j.stdout != "from archive\n" {
				t.Errorf("stdout %q (stderr %q)", j.stdout, j.stderr)
			}
		})
	}
}

func TestArchiveMissingFile(t *testing.T) {
	c := needPodman(t)
	_, err := c.EnsureImage(testContext(t), OCIArchive+"/no/such/archive.tar", ImageOptions{})
	if !errors.Is(err, ErrImageNotFound) || !strings.Contains(err.Error(), "/no/such/archive.tar") {
		t.Errorf("got %v, want ErrImageNotFound naming the file", err)
	}
}

func TestUnsupportedTransport(t *testing.T) {
	c := needPodman(t)
	_, err := c.EnsureImage(testContext(t), "dir:/tmp/x", ImageOptions{})
	if err == nil || !strings.Contains(err.Error(), "transport dir is not supported") {
		t.Errorf("got %v, want a clear refusal", err)
	}
}

package sandbox

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/containers/podman/v5/pkg/bindings/images"
	"github.com/containers/podman/v5/pkg/domain/entities/types"
)

// PullPolicy says when EnsureImage pulls.
type PullPolicy int

const (
	PullMissing PullPolicy = iota // pull when the image is not local (the default)
	PullAlways                    // pull even when it is local
	PullNever                     // use the local image or fail
)

var pullPolicyNames = []string{PullMissing: "missing", PullAlways: "always", PullNever: "never"}

func (p PullPolicy) String() string {
	if p < 0 || int(p) >= len(pullPolicyNames) {
		return fmt.Sprintf("PullPolicy(%d)", int(p))
	}
	return pullPolicyNames[p]
}

// MarshalText gives the policy's name.
func (p PullPolicy) MarshalText() ([]byte, error) {
	if p < 0 || int(p) >= len(pullPolicyNames) {
		return nil, fmt.Errorf("unknown pull policy %d", int(p))
	}
	return []byte(p.String()), nil
}

// UnmarshalText takes "missing", "always" or "never".
func (p *PullPolicy) UnmarshalText(b []byte) error {
	i := slices.Index(pullPolicyNames, string(b))
	if i < 0 {
		return fmt.Errorf("unknown pull policy %q (want %s)", b, strings.Join(pullPolicyNames, ", "))
	}
	*p = PullPolicy(i)
	return nil
}

// ErrImageNotFound is matched (errors.Is) by an *ImageNotFoundError.
var ErrImageNotFound = errors.New("image not found")

// ImageNotFoundError says that an image is not local and could not be
// pulled (or was not to be).
type ImageNotFoundError struct {
	Ref    string
	Policy PullPolicy
	Err    error // why the pull failed; nil with PullNever
}

func (e *ImageNotFoundError) Error() string {
	const what = "build or load it locally (podman build, podman load), give it as oci-archive:FILE or docker-archive:FILE, or check the name and the registry"
	if e.Err == nil {
		return fmt.Sprintf("image %s is not present locally and --pull=never forbids pulling it: %s", e.Ref, what)
	}
	return fmt.Sprintf("image %s is not present locally and could not be pulled (%v): %s", e.Ref, e.Err, what)
}

func (e *ImageNotFoundError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrImageNotFound) true.
func (e *ImageNotFoundError) Is(target error) bool { return target == ErrImageNotFound }

// ImageOptions say how EnsureImage gets an image.
type ImageOptions struct {
	Pull PullPolicy
	// Progress receives the pull's progress, a line at a time; nil drops it.
	Progress func(line string)
}

// ImageConfig is what a scan needs to know about an image.
type ImageConfig struct {
	ID     string   // the image ID (hex, no algorithm prefix), as Podman gives it
	Digest string   // manifest digest, "sha256:..."
	Names  []string // repository tags
	// Entrypoint, Cmd, User, Env and WorkDir are the image's config, unchanged.
	Entrypoint, Cmd []string
	User            string
	Env             []string
	WorkDir         string
	OS              string
	Arch            string // GOARCH naming: amd64, arm64, 386, arm, ...
	ExposedPorts    []string
	StopSignal      string
	Labels          map[string]string
}

// Archive transports EnsureImage loads from a file.
const (
	OCIArchive    = "oci-archive:"
	DockerArchive = "docker-archive:"
)

// EnsureImage makes ref available to the service and describes it. ref is
// what Podman takes: a name or ID (docker:// and containers-storage:
// prefixes allowed), or oci-archive:PATH[:NAME] or docker-archive:PATH[:NAME]
// for an archive on this machine, which is loaded whatever the policy.
func (c *Client) EnsureImage(ctx context.Context, ref string, o ImageOptions) (ImageConfig, error) {
	for _, t := range []string{OCIArchive, DockerArchive} {
		if path, ok := strings.CutPrefix(ref, t); ok {
			return c.loadArchive(ctx, t, path)
		}
	}
	ref, pull, err := imageRef(ref, o.Pull)
	if err != nil {
		return ImageConfig{}, err
	}
	o.Pull = pull
	local, err := images.Exists(c.bind(ctx), ref, nil)
	if err != nil {
		return ImageConfig{}, fmt.Errorf("look up image %s: %w", ref, err)
	}
	if local && o.Pull != PullAlways {
		return c.Inspect(ctx, ref)
	}
	if !local && o.Pull == PullNever {
		return ImageConfig{}, &ImageNotFoundError{Ref: ref, Policy: o.Pull}
	}
	return c.pull(ctx, ref, o)
}

// imageRef strips the transports that name a local or registry image, and
// refuses the others.
func imageRef(ref string, pull PullPolicy) (string, PullPolicy, error) {
	if rest, ok := strings.CutPrefix(ref, "containers-storage:"); ok {
		return rest, PullNever, nil
	}
	ref = strings.TrimPrefix(ref, "docker://")
	if t := unsupportedTransport(ref); t != "" {
		return "", pull, fmt.Errorf("image %s: transport %s is not supported (use a name, %sFILE or %sFILE)", ref, t, OCIArchive, DockerArchive)
	}
	return ref, pull, nil
}

// unsupportedTransport gives the transport ref starts with when it is one
// of containers/image's that EnsureImage does not take.
func unsupportedTransport(ref string) string {
	for _, t := range []string{"dir:", "oci:", "docker-daemon:", "ostree:", "sif:", "tarball:"} {
		if strings.HasPrefix(ref, t) {
			return strings.TrimSuffix(t, ":")
		}
	}
	return ""
}

// pull pulls ref with Podman's credentials and describes it.
func (c *Client) pull(ctx context.Context, ref string, o ImageOptions) (ImageConfig, error) {
	w := &LineWriter{Emit: o.Progress}
	opts := new(images.PullOptions).WithPolicy("always").WithProgressWriter(w)
	ids, err := images.Pull(c.bind(ctx), ref, opts)
	w.Flush()
	if ctx.Err() != nil {
		return ImageConfig{}, fmt.Errorf("pull %s: %w", ref, ctx.Err())
	}
	if err != nil {
		return ImageConfig{}, &ImageNotFoundError{Ref: ref, Policy: o.Pull, Err: err}
	}
	if len(ids) == 0 {
		return ImageConfig{}, &ImageNotFoundError{Ref: ref, Policy: o.Pull, Err: errors.New("the service pulled nothing")}
	}
	return c.Inspect(ctx, ids[len(ids)-1])
}

// loadArchive loads the archive at spec (PATH[:NAME]) and describes the
// image it holds, or the one NAME names.
func (c *Client) loadArchive(ctx context.Context, transport, spec string) (ImageConfig, error) {
	path, name, _ := strings.Cut(spec, ":")
	f, err := os.Open(path)
	if err != nil {
		return ImageConfig{}, &ImageNotFoundError{Ref: transport + spec, Err: err}
	}
	defer f.Close()
	report, err := images.Load(c.bind(ctx), f)
	if err != nil {
		return ImageConfig{}, fmt.Errorf("load %s%s: %w", transport, path, err)
	}
	switch {
	case name != "":
		return c.Inspect(ctx, name)
	case len(report.Names) == 1:
		return c.Inspect(ctx, report.Names[0])
	}
	return ImageConfig{}, fmt.Errorf("load %s%s: the archive holds %d images (%s): name one as %s%s:NAME",
		transport, path, len(report.Names), strings.Join(report.Names, ", "), transport, path)
}

// Inspect describes a local image.
func (c *Client) Inspect(ctx context.Context, nameOrID string) (ImageConfig, error) {
	r, err := images.GetImage(c.bind(ctx), nameOrID, nil)
	for try := 1; err != nil && servicePanicked(err) && try < 3 && ctx.Err() == nil; try++ {
		// Podman 4.3's service sometimes panics inspecting an image while
		// another is being removed (seen under the parallel tests); the
		// handler recovers and answers 500. A second look succeeds.
		time.Sleep(100 * time.Millisecond)
		r, err = images.GetImage(c.bind(ctx), nameOrID, nil)
	}
	if err != nil {
		return ImageConfig{}, fmt.Errorf("inspect image %s: %w", nameOrID, err)
	}
	return imageConfig(r), nil
}

// servicePanicked: the service answered with a Go runtime panic it recovered.
func servicePanicked(err error) bool {
	return strings.Contains(err.Error(), "runtime error: invalid memory address or nil pointer dereference")
}

func imageConfig(r *types.ImageInspectReport) ImageConfig {
	ic := ImageConfig{
		ID:     r.ID,
		Digest: r.Digest.String(),
		Names:  r.RepoTags,
		OS:     r.Os,
		Arch:   GoArch(r.Architecture),
	}
	if cfg := r.Config; cfg != nil {
		ic.Entrypoint, ic.Cmd = cfg.Entrypoint, cfg.Cmd
		ic.User, ic.Env, ic.WorkDir = cfg.User, cfg.Env, cfg.WorkingDir
		ic.StopSignal, ic.Labels = cfg.StopSignal, cfg.Labels
		ic.ExposedPorts = slices.Sorted(maps.Keys(cfg.ExposedPorts))
	}
	return ic
}

// GoArch gives an architecture in Go's (and OCI's) naming.
func GoArch(arch string) string {
	switch arch {
	case "x86_64", "x86-64":
		return "amd64"
	case "aarch64":
		return "arm64"
	case "i386", "i486", "i586", "i686":
		return "386"
	case "armhf", "armel", "armv7l", "armv6l":
		return "arm"
	}
	return arch
}

// LineWriter hands what is written to Emit a line at a time, without the
// newline (and a trailing CR); empty lines are dropped, and a nil Emit drops
// everything.
type LineWriter struct {
	Emit func(string)
	buf  []byte
}

// maxLine bounds a line LineWriter keeps: a longer one is sent in pieces.
const maxLine = 64 << 10

func (w *LineWriter) Write(p []byte) (int, error) {
	w.buf = append(w.buf, p...)
	for {
		i := slices.Index(w.buf, '\n')
		if i < 0 {
			if len(w.buf) > maxLine {
				w.send(string(w.buf[:maxLine]))
				w.buf = w.buf[maxLine:]
				continue
			}
			return len(p), nil
		}
		w.send(string(w.buf[:i]))
		w.buf = w.buf[i+1:]
	}
}

// Flush sends what is left without a newline.
func (w *LineWriter) Flush() {
	if len(w.buf) > 0 {
		w.send(string(w.buf))
		w.buf = nil
	}
}

func (w *LineWriter) send(line string) {
	line = strings.TrimRight(line, "\r")
	if w.Emit != nil && line != "" {
		w.Emit(line)
	}
}

package sandbox

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/containers/podman/v5/pkg/specgen"
	spec "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// Labels every container sysgate creates carries.
const (
	LabelManaged = "dev.sysgate.managed" // always "true"
	LabelScan    = "dev.sysgate.scan"    // the scan's id
)

// Defaults for the limits a Spec leaves at zero.
const (
	DefaultPidsLimit   = 4096    // as many tasks as the tracer's default budget
	DefaultMemoryLimit = 2 << 30 // bytes
	maxDefaultNoFile   = 1 << 16 // cap on the nofile default, below the host's hard limit
	maxDefaultNProc    = DefaultPidsLimit
)

// Spec is a container to create. The zero value of every field but Image
// is a hardened default: the image's own command, user, environment and
// working directory, no network, pids and memory limits, rlimits within this
// host's hard limits, no new privileges, Podman's default seccomp profile.
type Spec struct {
	// Image is a name or ID that EnsureImage returned.
	Image string
	// ScanID goes into the dev.sysgate.scan label and the container's name;
	// empty means a random one.
	ScanID string
	// Entrypoint and Cmd replace the image's when not empty, as
	// `podman run --entrypoint` does: with Entrypoint set and Cmd empty, the
	// image's CMD is not used.
	Entrypoint, Cmd []string
	// Env is added to the image's environment, replacing same-named entries.
	Env map[string]string
	// WorkDir and User replace the image's when not empty.
	WorkDir, User string
	// ReadOnlyRootfs mounts the image's root filesystem read-only.
	ReadOnlyRootfs bool
	// Tmpfs mounts a tmpfs at each path, with the given mount options
	// ("" means "rw,nosuid,nodev,size=65536k").
	Tmpfs map[string]string
	// PidsLimit caps the container's tasks (cgroup); 0 means
	// DefaultPidsLimit, negative means none.
	PidsLimit int64
	// MemoryLimit caps the container's memory in bytes (cgroup); 0 means
	// DefaultMemoryLimit, negative means none.
	MemoryLimit int64
	// NoFile and NProc are the RLIMIT_NOFILE and RLIMIT_NPROC of the
	// container's first process (soft = hard); 0 means DefaultRlimits'.
	NoFile, NProc uint64
	// AllowNewPrivileges lets setuid binaries and file capabilities raise
	// privileges (no_new_privs is set otherwise).
	AllowNewPrivileges bool
	// SeccompProfile is a profile path on the service's host; empty means
	// Podman's default profile.
	SeccompProfile string
	// CapDrop drops capabilities from Podman's default set ("ALL" for all).
	CapDrop []string
	// Labels are added to sysgate's own.
	Labels map[string]string
}

// Rlimits are the two rlimits the spec always sets.
type Rlimits struct {
	NoFile, NProc uint64
}

// DefaultRlimits are the rlimits a Spec without its own gets: this
// process's hard limits, capped. Podman's own defaults (1048576) exceed
// what these hosts allow, and runc then fails with "error setting rlimit".
// The caps also keep them below what Podman 4.3 itself runs with (it lowers
// its RLIMIT_NPROC to 32768), which the runtime cannot raise without
// CAP_SYS_RESOURCE.
func DefaultRlimits() (Rlimits, error) {
	nofile, err := hardLimit(unix.RLIMIT_NOFILE)
	if err != nil {
		return Rlimits{}, err
	}
	nproc, err := hardLimit(unix.RLIMIT_NPROC)
	if err != nil {
		return Rlimits{}, err
	}
	return Rlimits{NoFile: min(nofile, maxDefaultNoFile), NProc: min(nproc, maxDefaultNProc)}, nil
}

func hardLimit(resource int) (uint64, error) {
	var l unix.Rlimit
	if err := unix.Getrlimit(resource, &l); err != nil {
		return 0, fmt.Errorf("getrlimit %d: %w", resource, err)
	}
	return l.Max, nil
}

// specGen turns s into Podman's spec, given the host's limits. It returns
// the warnings to record when a limit cannot be applied.
func specGen(s Spec, name string, rl Rlimits, host hostInfo) (*specgen.SpecGenerator, []string) {
	g := specgen.NewSpecGenerator(s.Image, false)
	g.Name = name
	g.Labels = labels(s)
	g.Entrypoint = s.Entrypoint
	g.Command = s.Cmd
	g.Env = s.Env
	g.WorkDir = s.WorkDir
	g.User = s.User
	g.Terminal = ptr(false)
	g.Stdin = ptr(false)
	g.NetNS = specgen.Namespace{NSMode: specgen.NoNetwork}
	g.ReadOnlyFilesystem = ptr(s.ReadOnlyRootfs)
	g.ReadWriteTmpfs = ptr(false)
	g.Mounts = tmpfsMounts(s.Tmpfs)
	g.NoNewPrivileges = ptr(!s.AllowNewPrivileges)
	g.SeccompProfilePath = s.SeccompProfile
	g.CapDrop = s.CapDrop
	g.Rlimits = rlimits(s, rl)
	var warnings []string
	g.ResourceLimits, warnings = resources(s, host)
	return g, warnings
}

func labels(s Spec) map[string]string {
	l := maps.Clone(s.Labels)
	if l == nil {
		l = map[string]string{}
	}
	l[LabelManaged] = "true"
	l[LabelScan] = s.ScanID
	return l
}

func tmpfsMounts(paths map[string]string) []spec.Mount {
	var ms []spec.Mount
	for _, p := range slices.Sorted(maps.Keys(paths)) {
		opts := paths[p]
		if opts == "" {
			opts = "rw,nosuid,nodev,size=65536k"
		}
		ms = append(ms, spec.Mount{Type: "tmpfs", Source: "tmpfs", Destination: p, Options: strings.FieldsFunc(opts, isComma)})
	}
	return ms
}

func rlimits(s Spec, rl Rlimits) []spec.POSIXRlimit {
	nofile, nproc := s.NoFile, s.NProc
	if nofile == 0 {
		nofile = rl.NoFile
	}
	if nproc == 0 {
		nproc = rl.NProc
	}
	return []spec.POSIXRlimit{
		{Type: "nofile", Hard: nofile, Soft: nofile},
		{Type: "nproc", Hard: nproc, Soft: nproc},
	}
}

// resources sets the pids and memory limits the host applies, and says
// which it does not.
func resources(s Spec, host hostInfo) (*spec.LinuxResources, []string) {
	pidsOK, memOK, warning := host.cgroupLimits()
	var warnings []string
	if warning != "" && (s.PidsLimit >= 0 || s.MemoryLimit >= 0) {
		warnings = append(warnings, warning)
	}
	r := &spec.LinuxResources{}
	if n := orDefault(s.PidsLimit, DefaultPidsLimit); n > 0 && pidsOK {
		r.Pids = &spec.LinuxPids{Limit: n}
	}
	if n := orDefault(s.MemoryLimit, DefaultMemoryLimit); n > 0 && memOK {
		r.Memory = &spec.LinuxMemory{Limit: &n}
	}
	if r.Pids == nil && r.Memory == nil {
		return nil, warnings
	}
	return r, warnings
}

func orDefault(n, def int64) int64 {
	if n == 0 {
		return def
	}
	return n
}

// containerName is a unique, recognisable name for a container of scanID.
func containerName(scanID string) string {
	return "sysgate-" + scanID + "-" + randomHex(3)
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func isComma(r rune) bool { return r == ',' }

func ptr[T any](v T) *T { return &v }

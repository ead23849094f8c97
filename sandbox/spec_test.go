package sandbox

import (
	"archive/tar"
	"bytes"
	"errors"
	"io"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/containers/podman/v5/pkg/specgen"
	spec "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

var rootful = hostInfo{CgroupVersion: "v1"}

func TestSpecGenHardenedDefaults(t *testing.T) {
	g, warnings := specGen(Spec{Image: "img", ScanID: "s1"}, "sysgate-s1-abc", Rlimits{NoFile: 100, NProc: 200}, rootful)
	if len(warnings) != 0 {
		t.Errorf("warnings %q on a rootful host", warnings)
	}
	check := []struct {
		name      string
		got, want any
	}{
		{"Image", g.Image, "img"},
		{"Name", g.Name, "sysgate-s1-abc"},
		{"Labels", g.Labels, map[string]string{LabelManaged: "true", LabelScan: "s1"}},
		{"NetNS", g.NetNS, specgen.Namespace{NSMode: specgen.NoNetwork}},
		{"NoNewPrivileges", *g.NoNewPrivileges, true},
		{"ReadOnlyFilesystem", *g.ReadOnlyFilesystem, false},
		{"ReadWriteTmpfs", *g.ReadWriteTmpfs, false},
		{"Terminal", *g.Terminal, false},
		{"Rlimits", g.Rlimits, []spec.POSIXRlimit{{Type: "nofile", Hard: 100, Soft: 100}, {Type: "nproc", Hard: 200, Soft: 200}}},
		{"Pids", g.ResourceLimits.Pids.Limit, int64(DefaultPidsLimit)},
		{"Memory", *g.ResourceLimits.Memory.Limit, int64(DefaultMemoryLimit)},
		{"Entrypoint", g.Entrypoint, []string(nil)},
		{"Command", g.Command, []string(nil)},
		{"SeccompProfilePath", g.SeccompProfilePath, ""},
		{"Mounts", g.Mounts, []spec.Mount(nil)},
	}
	for _, c := range check {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s = %#v, want %#v", c.name, c.got, c.want)
		}
	}
}

func TestSpecGenOverrides(t *testing.T) {
	s := Spec{Image: "img", ScanID: "s2", Entrypoint: []string{"/e"}, Cmd: []string{"c"},
		Env: map[string]string{"A": "1"}, WorkDir: "/w", User: "7:8", ReadOnlyRootfs: true,
		Tmpfs:     map[string]string{"/tmp": "", "/run": "rw,size=1m"},
		PidsLimit: -1, MemoryLimit: 1 << 20, NoFile: 10, NProc: 20,
		AllowNewPrivileges: true, SeccompProfile: "/p.json", CapDrop: []string{"ALL"},
		Labels: map[string]string{"x": "y", LabelManaged: "false", LabelScan: "forged"}}
	g, _ := specGen(s, "n", Rlimits{NoFile: 100, NProc: 200}, rootful)
	check := []struct {
		name      string
		got, want any
	}{
		{"Labels", g.Labels, map[string]string{"x": "y", LabelManaged: "true", LabelScan: "s2"}},
		{"Entrypoint", g.Entrypoint, []string{"/e"}},
		{"Command", g.Command, []string{"c"}},
		{"Env", g.Env, map[string]string{"A": "1"}},
		{"WorkDir", g.WorkDir, "/w"},
		{"User", g.User, "7:8"},
		{"ReadOnlyFilesystem", *g.ReadOnlyFilesystem, true},
		{"Mounts", g.Mounts, []spec.Mount{
			{Type: "tmpfs", Source: "tmpfs", Destination: "/run", Options: []string{"rw", "size=1m"}},
			{Type: "tmpfs", Source: "tmpfs", Destination: "/tmp", Options: []string{"rw", "nosuid", "nodev", "size=65536k"}},
		}},
		{"Pids", g.ResourceLimits.Pids, (*spec.LinuxPids)(nil)},
		{"Memory", *g.ResourceLimits.Memory.Limit, int64(1 << 20)},
		{"Rlimits", g.Rlimits, []spec.POSIXRlimit{{Type: "nofile", Hard: 10, Soft: 10}, {Type: "nproc", Hard: 20, Soft: 20}}},
		{"NoNewPrivileges", *g.NoNewPrivileges, false},
		{"SeccompProfilePath", g.SeccompProfilePath, "/p.json"},
		{"CapDrop", g.CapDrop, []string{"ALL"}},
	}
	for _, c := range check {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s = %#v, want %#v", c.name, c.got, c.want)
		}
	}
	if _, ok := s.Labels[LabelScan]; !ok || s.Labels[LabelScan] != "forged" {
		t.Error("specGen changed the caller's Labels map")
	}
}

func TestCgroupLimitWarnings(t *testing.T) {
	for _, tc := range []struct {
		name        string
		host        hostInfo
		pids, mem   bool
		wantWarning string
	}{
		{"rootful v1", hostInfo{CgroupVersion: "v1"}, true, true, ""},
		{"rootful v2", hostInfo{CgroupVersion: "v2"}, true, true, ""},
		{"rootless v1", hostInfo{Rootless: true, CgroupVersion: "v1"}, false, false,
			"cgroup limits not applied: rootless on cgroup v1; rlimits used instead"},
		{"rootless v2 delegated", hostInfo{Rootless: true, CgroupVersion: "v2", Controllers: []string{"memory", "pids"}}, true, true, ""},
		{"rootless v2 no pids", hostInfo{Rootless: true, CgroupVersion: "v2", Controllers: []string{"memory"}}, false, true,
			"pids limit not applied: the pids controller is not delegated to this user; rlimits used instead"},
	} {
		g, warnings := specGen(Spec{Image: "i"}, "n", Rlimits{1, 1}, tc.host)
		r := g.ResourceLimits
		gotPids, gotMem := r != nil && r.Pids != nil, r != nil && r.Memory != nil
		var gotWarning string
		if len(warnings) > 0 {
			gotWarning = warnings[0]
		}
		if gotPids != tc.pids || gotMem != tc.mem || gotWarning != tc.wantWarning || len(warnings) > 1 {
			t.Errorf("%s: pids %v memory %v warnings %q; want %v %v %q", tc.name, gotPids, gotMem, warnings, tc.pids, tc.mem, tc.wantWarning)
		}
	}
	// No limit asked, nothing to warn about.
	_, warnings := specGen(Spec{Image: "i", PidsLimit: -1, MemoryLimit: -1}, "n", Rlimits{1, 1}, hostInfo{Rootless: true, CgroupVersion: "v1"})
	if len(warnings) != 0 {
		t.Errorf("warnings %q with no cgroup limit asked", warnings)
	}
}

func TestDefaultRlimitsWithinHardLimits(t *testing.T) {
	rl, err := DefaultRlimits()
	if err != nil {
		t.Fatal(err)
	}
	nofile, _ := hardLimit(unix.RLIMIT_NOFILE)
	nproc, _ := hardLimit(unix.RLIMIT_NPROC)
	if rl.NoFile == 0 || rl.NoFile > nofile || rl.NoFile > maxDefaultNoFile ||
		rl.NProc == 0 || rl.NProc > nproc || rl.NProc > maxDefaultNProc {
		t.Errorf("DefaultRlimits = %+v; hard limits nofile %d nproc %d", rl, nofile, nproc)
	}
}

func TestPullPolicyText(t *testing.T) {
	for _, p := range []PullPolicy{PullMissing, PullAlways, PullNever} {
		b, err := p.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		var back PullPolicy
		if err := back.UnmarshalText(b); err != nil || back != p {
			t.Errorf("%s: round trip gave %v, %v", b, back, err)
		}
	}
	var p PullPolicy
	if err := p.UnmarshalText([]byte("sometimes")); err == nil || !strings.Contains(err.Error(), "missing, always, never") {
		t.Errorf("UnmarshalText(sometimes) = %v, want an error listing the choices", err)
	}
	if _, err := PullPolicy(7).MarshalText(); err == nil {
		t.Error("MarshalText(7) succeeded")
	}
}

func TestGoArch(t *testing.T) {
	for in, want := range map[string]string{"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "i686": "386", "armv7l": "arm", "s390x": "s390x"} {
		if got := GoArch(in); got != want {
			t.Errorf("GoArch(%s) = %s, want %s", in, got, want)
		}
	}
}

func TestLineWriter(t *testing.T) {
	var lines []string
	w := &LineWriter{Emit: func(l string) { lines = append(lines, l) }}
	io.WriteString(w, "Trying to pull x...\nGetting image source signatures\r\nCopying bl")
	io.WriteString(w, "ob 1\n\nWriting manifest")
	w.Flush()
	want := []string{"Trying to pull x...", "Getting image source signatures", "Copying blob 1", "Writing manifest"}
	if !reflect.DeepEqual(lines, want) {
		t.Errorf("lines %q, want %q", lines, want)
	}
	(&LineWriter{}).Write([]byte("no emitter\n")) // must not panic
}

func TestWriteTar(t *testing.T) {
	var buf bytes.Buffer
	files := []File{BytesFile("/.sysgate/bin/tool", 0o755, []byte("binary\x00")), {Path: "/etc/x", Size: 1, Content: strings.NewReader("y"), UID: 5, GID: 6}}
	if err := writeTar(&buf, files); err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(&buf)
	var got []string
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(tr)
		got = append(got, h.Name+" "+h.FileInfo().Mode().String()+" "+string(b)+" "+strconv.Itoa(h.Uid)+":"+strconv.Itoa(h.Gid))
	}
	want := []string{".sysgate/bin/tool -rwxr-xr-x binary\x00 0:0", "etc/x -rw-r--r-- y 5:6"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("tar holds %q, want %q", got, want)
	}
	if err := writeTar(io.Discard, []File{{Path: "/x", Size: 5, Content: strings.NewReader("ab")}}); err == nil {
		t.Error("a short Content was not an error")
	}
}

func TestTailBuffer(t *testing.T) {
	b := &tailBuffer{max: 5}
	if b.String() != "(nothing)" {
		t.Errorf("empty: %q", b.String())
	}
	io.WriteString(b, "abc")
	io.WriteString(b, "defg\n")
	if b.String() != "defg" {
		t.Errorf("got %q, want the last 5 bytes, trimmed", b.String())
	}
}

func TestImageRef(t *testing.T) {
	for _, tc := range []struct {
		in       string
		pull     PullPolicy
		want     string
		wantPull PullPolicy
		err      string
	}{
		{"alpine", PullMissing, "alpine", PullMissing, ""},
		{"docker://quay.io/x/y:1", PullAlways, "quay.io/x/y:1", PullAlways, ""},
		{"containers-storage:localhost/x", PullAlways, "localhost/x", PullNever, ""},
		{"localhost:5000/x", PullMissing, "localhost:5000/x", PullMissing, ""},
		{"oci:/tmp/layout", PullMissing, "", PullMissing, "transport oci is not supported"},
	} {
		got, pull, err := imageRef(tc.in, tc.pull)
		if got != tc.want || pull != tc.wantPull || (err == nil) != (tc.err == "") || (err != nil && !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("imageRef(%q, %s) = %q, %s, %v; want %q, %s, %q", tc.in, tc.pull, got, pull, err, tc.want, tc.wantPull, tc.err)
		}
	}
}

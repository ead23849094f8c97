package sandbox

import (
	"context"
	"fmt"
	"slices"

	"github.com/containers/podman/v5/pkg/bindings/system"
)

// hostInfo is what the spec depends on about the service's host.
type hostInfo struct {
	Rootless      bool
	CgroupVersion string   // "v1" or "v2"
	Controllers   []string // cgroup v2 controllers available to the service
	Version       string   // Podman's version
	Runtime       string   // OCI runtime name
}

// HostInfo describes the Podman service, as docs and observations quote it.
type HostInfo struct {
	Version       string // Podman version of the service, e.g. "4.3.1"
	Runtime       string // OCI runtime, e.g. "runc"
	Rootless      bool
	CgroupVersion string // "v1" or "v2"
}

// Host describes the service this client talks to.
func (c *Client) Host(ctx context.Context) (HostInfo, error) {
	h, err := c.hostInfo(ctx)
	if err != nil {
		return HostInfo{}, err
	}
	return HostInfo{Version: h.Version, Runtime: h.Runtime, Rootless: h.Rootless, CgroupVersion: h.CgroupVersion}, nil
}

// hostInfo asks the service, the first time it answers, and remembers.
func (c *Client) hostInfo(ctx context.Context) (hostInfo, error) {
	c.hostMu.Lock()
	defer c.hostMu.Unlock()
	if c.host != nil {
		return *c.host, nil
	}
	info, err := system.Info(c.bind(ctx), nil)
	if err != nil {
		return hostInfo{}, fmt.Errorf("podman info: %w", err)
	}
	h := hostInfo{
		Rootless:      info.Host.Security.Rootless,
		CgroupVersion: info.Host.CgroupsVersion,
		Controllers:   info.Host.CgroupControllers,
		Version:       info.Version.Version,
	}
	if info.Host.OCIRuntime != nil {
		h.Runtime = info.Host.OCIRuntime.Name
	}
	c.host = &h
	return h, nil
}

// cgroupLimits tells whether the host applies pids and memory limits, and
// if not, the warning to record instead.
func (h hostInfo) cgroupLimits() (pids, memory bool, warning string) {
	if !h.Rootless {
		return true, true, ""
	}
	if h.CgroupVersion != "v2" {
		return false, false, "cgroup limits not applied: rootless on cgroup v1; rlimits used instead"
	}
	pids = slices.Contains(h.Controllers, "pids")
	memory = slices.Contains(h.Controllers, "memory")
	switch {
	case !pids && !memory:
		warning = "cgroup limits not applied: the pids and memory controllers are not delegated to this user; rlimits used instead"
	case !pids:
		warning = "pids limit not applied: the pids controller is not delegated to this user; rlimits used instead"
	case !memory:
		warning = "memory limit not applied: the memory controller is not delegated to this user"
	}
	return pids, memory, warning
}

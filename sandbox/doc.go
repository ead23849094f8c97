// Package sandbox runs container images in throwaway, hardened Podman
// containers: it is the only package that talks to Podman (through the v5 API
// bindings, which need the build tags in scripts/goenv).
//
// # Connection
//
// Connect tries an explicit URI alone; without one, $CONTAINER_HOST (which
// the caller reads and passes in) and then the default socket (rootful when
// running as root, else the rootless one under the runtime directory). When
// none of those answers it starts a private `podman system service` on a
// socket in a new temporary directory and stops it on Close, so a machine
// with only the podman package installed works as it is.
//
// # Containers
//
// Create turns a plain Spec into a hardened container: no network, pids and
// memory limits (or, where the host ignores cgroup limits, a warning saying
// so), explicit nofile and nproc rlimits, no new privileges, and sysgate's
// labels. The caller copies files in (CopyIn, also into a read-only root
// filesystem, as long as the container has not started), starts it attached
// to its output (StartAttached), drives it (Exec, Kill), waits for it, and
// removes it (Teardown, with a fresh context, so that it also runs after a
// cancel or a timeout). WithContainer does the create and the removal around
// a function. Everything created carries the label dev.sysgate.managed=true,
// so that GC finds what a killed scan left behind.
package sandbox

// Package agent is the part of sysgate that runs inside the sandbox.
//
// The container's entrypoint is this same static binary (see package
// sandbox for how it gets there) in agent mode, wrapping the image's own
// entrypoint and command. The agent is the container's PID 1 and the tracer:
//
//   - It starts the tracer with a spawner as its root (tracer.Options.Spawner):
//     a traced copy of this binary that starts commands on request, so the
//     image's entrypoint and every exec step of the workload are descendants of
//     the tracer, and traced, although Podman starts exec sessions outside it.
//   - It listens on an abstract unix socket in the container's network
//     namespace for sysgate's own helpers, started with `podman exec`: the exec
//     client (an exec step, run through the spawner with the client's
//     descriptors), the step marker, the signal and stop requests, and the HTTP
//     probe. A peer is trusted only when the kernel says that nothing traces
//     it (TracerPid 0 in /proc/PID/status): every process of the workload is
//     traced, so none of them can pose as sysgate; their attempts are refused
//     and recorded in the observation.
//   - It writes one framed stream on its stdout (the container's stdout, which
//     the host attaches to): the entrypoint's stdout and stderr, observation
//     snapshots, and an end frame. No process of the workload holds that
//     descriptor, and the agent is not dumpable, so none can open it through
//     /proc or write into it; a stream that ends without its end frame makes
//     the observation incomplete on the host.
//
// See docs/scan.md.
package agent

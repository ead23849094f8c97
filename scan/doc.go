// Package scan runs one sandbox scan: it puts sysgate's agent into a
// hardened throwaway container as its entrypoint (wrapping the image's own),
// replays the workload through sysgate's helpers in the container, reads the
// agent's framed stream into an observation, and removes everything it
// created, whatever happens. See docs/scan.md.
//
// It sits between package sandbox (Podman), package agent (the in-container
// side and the stream format) and package workload (the steps); it does no
// ptrace and knows no policy.
package scan

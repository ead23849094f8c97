// Package observation is the pure record of one traced run: the processes, the
// distinct calls with their decoded security-relevant arguments, and the
// per-syscall summary. It is a versioned JSON file format of its own, so that
// later commands can work on saved runs offline. It knows nothing of ptrace or
// containers.
package observation

// Schema is the version string every observation file carries.
const Schema = "sysgate.observation/v1"

// Observation is one run, as written to the --observation file.
type Observation struct {
	Schema     string   `json:"schema"`
	Complete   bool     `json:"complete"`
	Incomplete []string `json:"incomplete"`
	// Tampering lists what the traced processes tried against the tracer
	// or its channel (refused, but recorded: a sandbox scan's agent sees it).
	Tampering []string `json:"tampering,omitempty"`
	// Notes are facts about how the run was made that a reader should know
	// (limits the host did not apply, the tracing mode).
	Notes     []string  `json:"notes,omitempty"`
	Subject   Subject   `json:"subject"`
	Processes []Process `json:"processes"`
	Calls     []Call    `json:"calls"`
	Syscalls  []Syscall `json:"syscalls"`
}

// Subject says what was traced.
type Subject struct {
	Command []string `json:"command,omitempty"`
	Image   *Image   `json:"image,omitempty"`
}

// Image identifies a container image.
type Image struct {
	Ref    string `json:"ref"`
	Digest string `json:"digest,omitempty"`
	Arch   string `json:"arch,omitempty"`
}

// Process is one traced process (thread group).
type Process struct {
	PID  int      `json:"pid"`
	PPID int      `json:"ppid"`
	Exe  string   `json:"exe,omitempty"`
	Argv []string `json:"argv,omitempty"`
	Exit *Exit    `json:"exit,omitempty"`
}

// Exit is how a process ended: a code, or the signal that killed it.
type Exit struct {
	Code   *int   `json:"code,omitempty"`
	Signal string `json:"signal,omitempty"`
}

// Call is one distinct (calling program, ABI, syscall, decoded arguments).
type Call struct {
	Exe  string `json:"exe"`
	ABI  string `json:"abi"`
	Nr   uint32 `json:"nr"`
	Name string `json:"name,omitempty"`
	Args Args   `json:"args,omitempty"`
	// Count is how many times the call was made (attempts, denied ones included).
	Count uint64 `json:"count"`
	// Outcomes is how many of those calls were seen returning; Errors counts
	// the failed ones among them by errno name.
	Outcomes  uint64            `json:"outcomes,omitempty"`
	Errors    map[string]uint64 `json:"errors,omitempty"`
	FirstStep string            `json:"firstStep,omitempty"`
}

// Syscall is the summary of one syscall over all processes.
type Syscall struct {
	ABI   string `json:"abi"`
	Nr    uint32 `json:"nr"`
	Name  string `json:"name,omitempty"`
	Count uint64 `json:"count"`
}

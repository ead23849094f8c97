package policy

// The checks every policy has, whatever it includes: what the observation
// could not see or the policy could not judge is a finding too. Their ids
// are fixed; exceptions may name all but SG0001.
const (
	CoreIncomplete     = "SG0001" // the observation is not complete
	CoreUnreadable     = "SG0002" // an argument could not be read
	CoreTruncated      = "SG0003" // an argument was cut short
	CoreUnknownSyscall = "SG0004" // a syscall number no table knows
	CoreTampering      = "SG0005" // a traced process went for the tracer or its channel
	CoreUnlisted       = "SG0010" // a syscall the allow-list does not allow
)

var corePos = Position{File: "core"}

var coreRules = map[string]*Rule{
	CoreIncomplete: {ID: CoreIncomplete, Severity: High, Pos: corePos,
		Description: "The observation is incomplete: some behaviour was not seen",
		Remediation: "Find why in the reason (an untraced child, a bound reached, an interruption) and run again; a verdict on an incomplete run is never trusted (exit 3)."},
	CoreUnreadable: {ID: CoreUnreadable, Severity: High, Pos: corePos,
		Description: "A call's arguments could not be read, so no rule could judge them",
		Remediation: "A bad pointer or an unreadable process memory hides what the call did; find out why the program passes it, or except the program explicitly."},
	CoreTruncated: {ID: CoreTruncated, Severity: Medium, Pos: corePos,
		Description: "A call's argument was cut short, so rules saw only its beginning",
		Remediation: "Paths beyond 4096 bytes and argv beyond 256 strings or 64 KiB are cut; check the call, or except it explicitly."},
	CoreUnknownSyscall: {ID: CoreUnknownSyscall, Severity: Medium, Pos: corePos,
		Description: "A syscall number that sysgate's tables do not know",
		Remediation: "A call newer than sysgate's tables, or a program probing the kernel: update sysgate, or find what makes the call."},
	CoreTampering: {ID: CoreTampering, Severity: High, Pos: corePos,
		Description: "A traced process went for the tracer or its channel",
		Remediation: "A signal, ptrace or /proc access aimed at sysgate's tracer, or a connection to its agent's socket, is refused, but no legitimate program does it: find out why the image tries, as you would for any attempt to hide from monitoring."},
	CoreUnlisted: {ID: CoreUnlisted, Severity: High, Pos: corePos,
		Description: "A syscall the policy's allow-list does not allow",
		Remediation: "If the program needs the call, add it to syscalls.allow (or to its syscalls.programs entry); otherwise find out why it makes it."},
}

// CoreRuleIDs lists the ids of the checks every policy has.
func CoreRuleIDs() []string {
	return []string{CoreIncomplete, CoreUnreadable, CoreTruncated, CoreUnknownSyscall, CoreTampering, CoreUnlisted}
}

// CoreRule returns the description of a core check, or nil.
func CoreRule(id string) *Rule { return coreRules[id] }

package report

import (
	"os"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/sysgate/sysgate/observation"
	"github.com/sysgate/sysgate/policy"
)

// terminalCase is a small check: a high finding, an info one with every
// kind of evidence, and three syscalls, one of them found twice.
func terminalCase() (*observation.Observation, []policy.Finding) {
	obs := &observation.Observation{Schema: observation.Schema, Complete: true, Incomplete: []string{},
		Subject: observation.Subject{Image: &observation.Image{Ref: "ghcr.io/acme/web:1.2"}},
		Syscalls: []observation.Syscall{{ABI: "x86_64", Nr: 250, Name: "keyctl", Count: 2},
			{ABI: "x86_64", Nr: 0, Name: "read", Count: 40}, {ABI: "x86_64", Nr: 42, Name: "connect", Count: 3},
			{ABI: "i386", Nr: 999, Count: 1}}}
	fs := []policy.Finding{
		{RuleID: "web.egress", Severity: policy.High, Title: "Connection to something other than the database",
			Message:     "/usr/bin/app called connect(family=AF_INET, addr=93.184.216.34:443) [x86_64], 3 times",
			Remediation: "Only the database\nis expected.", Policy: policy.Position{File: "deploy/sysgate.yaml", Line: 9, Column: 5},
			Evidence: policy.Evidence{Exe: "/usr/bin/app", Argv: []string{"app", "--api-token", plantedToken}, Processes: 3,
				Syscall: "connect", ABI: "x86_64", FirstStep: "serve"}},
		{RuleID: "SG1601", Severity: policy.Medium, Title: "Outbound connection beyond loopback",
			Message:  "/usr/bin/app called connect(family=AF_INET, addr=93.184.216.34:443) [x86_64], 3 times",
			Policy:   policy.Position{File: "pack:network", Line: 5, Column: 5},
			Evidence: policy.Evidence{Exe: "/usr/bin/app", Syscall: "connect", ABI: "x86_64"}},
		{RuleID: "SG1010", Severity: policy.Info, Title: "Kernel keyring used",
			Message: "/usr/bin/app called keyctl(op=KEYCTL_JOIN_SESSION_KEYRING) [x86_64], 2 times",
			Policy:  policy.Position{File: "pack:escape", Line: 89, Column: 5}, References: []string{"CVE-2016-0728", "T1611"},
			Evidence: policy.Evidence{Exe: "/usr/bin/app", Argv: []string{"app", "\x1b[2Jevil"}, Processes: 1, Syscall: "keyctl", ABI: "x86_64",
				Errors: map[string]uint64{"EPERM": 2, "EACCES": 1}}},
	}
	return obs, fs
}

const terminalPlain = `sysgate check: obs.json against deploy/sysgate.yaml
3 findings: 1 high, 1 medium, 1 info; fail-on low: FAIL

HIGH     web.egress  Connection to something other than the database
         /usr/bin/app called connect(family=AF_INET, addr=93.184.216.34:443) [x86_64], 3 times
         process: app --api-token [REDACTED] (and 2 more running /usr/bin/app)
         first seen in step: serve
         rule: deploy/sysgate.yaml:9:5
         fix: Only the database is expected.

MEDIUM   SG1601  Outbound connection beyond loopback
         /usr/bin/app called connect(family=AF_INET, addr=93.184.216.34:443) [x86_64], 3 times
         rule: pack:network:5:5

INFO     SG1010  Kernel keyring used
         /usr/bin/app called keyctl(op=KEYCTL_JOIN_SESSION_KEYRING) [x86_64], 2 times
         process: app \x1b[2Jevil
         failed: EACCES ×1, EPERM ×2
         rule: pack:escape:89:5
         see: CVE-2016-0728, T1611

Top syscalls (3 of 4):
  calls  abi     syscall  finding
     40  x86_64  read
      3  x86_64  connect  high
      2  x86_64  keyctl   info
`

func TestWriteTerminal(t *testing.T) {
	obs, fs := terminalCase()
	term := Terminal{Title: "sysgate check: obs.json against deploy/sysgate.yaml", Verdict: "fail", FailOn: "low", TopSyscalls: 3}
	for _, tc := range []struct {
		name  string
		color bool
		want  string
	}{
		{"plain", false, terminalPlain},
		{"color", true, terminalColor},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b strings.Builder
			if err := WriteTerminal(&b, tc.color, obs, fs, term, nil); err != nil {
				t.Fatal(err)
			}
			if b.String() != tc.want {
				t.Errorf("got:\n%s\nwant:\n%s\ngot %q", b.String(), tc.want, b.String())
			}
		})
	}
}

// terminalColor is terminalPlain coloured: {N} is the ANSI code ESC[Nm.
var terminalColor = strings.NewReplacer("{1;31}", "\x1b[1;31m", "{31}", "\x1b[31m", "{33}", "\x1b[33m",
	"{90}", "\x1b[90m", "{1}", "\x1b[1m", "{0}", "\x1b[0m").Replace(`sysgate check: obs.json against deploy/sysgate.yaml
3 findings: 1 high, 1 medium, 1 info; fail-on low: {1;31}FAIL{0}

{31}HIGH{0}     {1}web.egress{0}  Connection to something other than the database
         /usr/bin/app called connect(family=AF_INET, addr=93.184.216.34:443) [x86_64], 3 times
         process: app --api-token [REDACTED] (and 2 more running /usr/bin/app)
         first seen in step: serve
         rule: deploy/sysgate.yaml:9:5
         fix: Only the database is expected.

{33}MEDIUM{0}   {1}SG1601{0}  Outbound connection beyond loopback
         /usr/bin/app called connect(family=AF_INET, addr=93.184.216.34:443) [x86_64], 3 times
         rule: pack:network:5:5

{90}INFO{0}     {1}SG1010{0}  Kernel keyring used
         /usr/bin/app called keyctl(op=KEYCTL_JOIN_SESSION_KEYRING) [x86_64], 2 times
         process: app \x1b[2Jevil
         failed: EACCES ×1, EPERM ×2
         rule: pack:escape:89:5
         see: CVE-2016-0728, T1611

Top syscalls (3 of 4):
  calls  abi     syscall  finding
     40  x86_64  read
      3  x86_64  connect  {31}high{0}
      2  x86_64  keyctl   {90}info{0}
`)

func TestColorFor(t *testing.T) {
	t.Setenv("TERM", "xterm-256color")
	t.Setenv("NO_COLOR", "")
	file, err := os.Create(t.TempDir() + "/out")
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	if ColorFor(file) {
		t.Error("a regular file is coloured")
	}
	if ColorFor(nil) {
		t.Error("nil is coloured")
	}
	tty, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal to test with: %v", err)
	}
	defer tty.Close()
	if !ColorFor(tty) {
		t.Error("a terminal with NO_COLOR empty is not coloured")
	}
	t.Setenv("NO_COLOR", "1")
	if ColorFor(tty) {
		t.Error("NO_COLOR=1 is coloured")
	}
	t.Setenv("NO_COLOR", "")
	t.Setenv("TERM", "dumb")
	if ColorFor(tty) {
		t.Error("TERM=dumb is coloured")
	}
}

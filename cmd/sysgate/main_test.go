package main

import (
	"os"
	"testing"

	"github.com/sysgate/sysgate/agent"
	"github.com/sysgate/sysgate/tracer"
)

// The test binary stands in for sysgate where a test scans an image: it is
// the binary put into the container, so it must play the agent, its helper
// and the tracer's stub, as main does.
func TestMain(m *testing.M) {
	if os.Getenv("SYSGATE_TEST_CLI") == "1" { // the CLI itself, for a test run as another user
		os.Exit(cli())
	}
	if len(os.Args) > 1 {
		switch os.Args[1] {
		case tracer.StubArg:
			os.Exit(tracer.RunStub(os.Args[2:], agent.Serve))
		case agent.AgentArg:
			os.Exit(agent.Main(os.Args[2:]))
		case agent.ExecArg:
			os.Exit(agent.Client(os.Args[2:]))
		}
	}
	os.Exit(m.Run())
}

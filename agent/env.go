package agent

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"syscall"
)

// runtimeVars are the environment variables the Go runtime reads at start.
// The container's environment is the image's: an image must not tune, slow
// or crash sysgate's own agent and spawner (GOGC=1, GODEBUG=...), so the
// agent re-executes itself without them and gives them back to the image's
// commands only.
var runtimeVars = []string{"GOGC", "GODEBUG", "GOMEMLIMIT", "GOTRACEBACK", "GOMAXPROCS"}

// imageEnvVar carries, across that re-exec, what was taken out.
const imageEnvVar = "SYSGATE_AGENT_IMAGE_ENV"

// agentEnv returns the agent's own environment and the image's. When the
// image's sets a runtime variable it re-executes the agent first (and does
// not return, unless that fails).
func agentEnv() (own, image []string, err error) {
	var kept, taken []string
	var carried string
	for _, kv := range os.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		switch {
		case k == imageEnvVar:
			carried = v
		case isRuntimeVar(k):
			taken = append(taken, kv)
		default:
			kept = append(kept, kv)
		}
	}
	if len(taken) > 0 {
		data, _ := json.Marshal(taken)
		env := append(append([]string(nil), kept...), imageEnvVar+"="+string(data))
		err := syscall.Exec("/proc/self/exe", os.Args, env)
		return nil, nil, fmt.Errorf("re-execute without the image's Go runtime settings: %w", err)
	}
	image = append([]string(nil), kept...)
	if carried != "" {
		var back []string
		json.Unmarshal([]byte(carried), &back)
		image = append(image, back...)
	}
	return kept, image, nil
}

func isRuntimeVar(k string) bool {
	for _, r := range runtimeVars {
		if k == r {
			return true
		}
	}
	return false
}

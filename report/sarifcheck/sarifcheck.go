// Package sarifcheck validates SARIF files for tests: with Microsoft's SARIF
// multitool (installed by scripts/deps into .cache/sarif-multitool) and with
// our own checks of the GitHub points it does not cover (docs/report.md).
package sarifcheck

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// multitoolRel is the self-contained Linux binary inside the npm package.
const multitoolRel = ".cache/sarif-multitool/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool"

// ErrNoMultitool is returned when the multitool is not installed.
var ErrNoMultitool = errors.New("the SARIF multitool is not installed (run scripts/deps: npm package @microsoft/sarif-multitool into .cache/sarif-multitool)")

// Multitool finds the multitool binary above dir (the module root).
func Multitool(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for {
		p := filepath.Join(dir, multitoolRel)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return "", ErrNoMultitool
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", ErrNoMultitool
		}
		dir = parent
	}
}

// Validate runs `Sarif.Multitool validate --rule-kind "Sarif;Gh"` on file
// and returns one line per result of level error or warning. The tool exits 0
// even when it finds errors, so its output log is read instead.
func Validate(tool, file string) ([]string, error) {
	out, err := os.MkdirTemp("", "sarifcheck-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(out)
	log := filepath.Join(out, "result.sarif")
	cmd := exec.Command(tool, "validate", file, "-o", log, "--rule-kind", "Sarif;Gh")
	// The .NET runtime inside the binary needs no ICU when told so.
	cmd.Env = append(os.Environ(), "DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1", "DOTNET_CLI_TELEMETRY_OPTOUT=1")
	msg, err := cmd.CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("run %s: %v\n%s", tool, err, msg)
	}
	data, err := os.ReadFile(log)
	if err != nil {
		return nil, fmt.Errorf("multitool wrote no result log (%v); its output:\n%s", err, msg)
	}
	return problems(data)
}

// problems reads the multitool's result log.
func problems(data []byte) ([]string, error) {
	var log struct {
		Runs []struct {
			Results []struct {
				RuleID  string `json:"ruleId"`
				Level   string `json:"level"`
				Message struct {
					Text      string   `json:"text"`
					ID        string   `json:"id"`
					Arguments []string `json:"arguments"`
				} `json:"message"`
			} `json:"results"`
			Invocations []struct {
				Successful    bool `json:"executionSuccessful"`
				Notifications []struct {
					Level   string `json:"level"`
					Message struct {
						Text string `json:"text"`
					} `json:"message"`
				} `json:"toolExecutionNotifications"`
			} `json:"invocations"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(data, &log); err != nil {
		return nil, fmt.Errorf("read multitool log: %w", err)
	}
	var out []string
	for _, run := range log.Runs {
		for _, r := range run.Results {
			lvl := r.Level
			if lvl == "" {
				lvl = "warning" // SARIF's default level
			}
			if lvl == "error" || lvl == "warning" {
				out = append(out, fmt.Sprintf("%s %s: %s %s %v", lvl, r.RuleID, r.Message.Text, r.Message.ID, r.Message.Arguments))
			}
		}
		for _, inv := range run.Invocations {
			for _, n := range inv.Notifications {
				if n.Level == "error" {
					out = append(out, "multitool: "+n.Message.Text)
				}
			}
		}
	}
	return out, nil
}

// Own checks the GitHub requirements the multitool does not: string
// security-severity in (0, 10], ruleIndex matching ruleId, arrays never
// null, one repo-relative location per result with startLine >= 1, partial
// fingerprints, an automationDetails.id, at most 20 runs and 25,000 results.
func Own(data []byte) []string {
	var log map[string]any
	if err := json.Unmarshal(data, &log); err != nil {
		return []string{"not JSON: " + err.Error()}
	}
	var bad []string
	fail := func(format string, a ...any) { bad = append(bad, fmt.Sprintf(format, a...)) }
	if log["version"] != "2.1.0" || log["$schema"] == nil {
		fail("version/$schema missing")
	}
	runs, _ := log["runs"].([]any)
	if len(runs) == 0 || len(runs) > 20 {
		fail("%d runs", len(runs))
	}
	for i, r := range runs {
		checkRun(i, r.(map[string]any), fail)
	}
	return bad
}

func checkRun(i int, run map[string]any, fail func(string, ...any)) {
	drv := dig(run, "tool", "driver")
	if drv["name"] == nil || drv["informationUri"] == nil || (drv["semanticVersion"] == nil && drv["version"] == nil) {
		fail("run %d: driver name/informationUri/version missing", i)
	}
	rules, ok := drv["rules"].([]any)
	if !ok {
		fail("run %d: rules is not an array", i)
	}
	ids := map[string]int{}
	for j, r := range rules {
		checkRule(i, j, r.(map[string]any), fail)
		ids[r.(map[string]any)["id"].(string)] = j
	}
	results, ok := run["results"].([]any)
	if !ok || len(results) > 25000 {
		fail("run %d: results not an array or too many", i)
	}
	for j, r := range results {
		checkResult(i, j, r.(map[string]any), ids, fail)
	}
	if id, _ := dig(run, "automationDetails")["id"].(string); id == "" {
		fail("run %d: no automationDetails.id", i)
	}
}

func checkRule(i, j int, r map[string]any, fail func(string, ...any)) {
	where := fmt.Sprintf("run %d rule %d (%v)", i, j, r["id"])
	for _, k := range []string{"id", "name"} {
		if s, _ := r[k].(string); s == "" {
			fail("%s: no %s", where, k)
		}
	}
	for _, k := range []string{"shortDescription", "fullDescription"} {
		if s, _ := dig(r, k)["text"].(string); s == "" || len(s) > 1024 {
			fail("%s: %s empty or over 1024", where, k)
		}
	}
	if h := dig(r, "help"); h["text"] == nil || h["markdown"] == nil {
		fail("%s: help text or markdown missing", where)
	}
	if dig(r, "defaultConfiguration")["level"] == nil {
		fail("%s: no defaultConfiguration.level", where)
	}
	props := dig(r, "properties")
	sev, ok := props["security-severity"].(string)
	if v, err := strconv.ParseFloat(sev, 64); !ok || err != nil || v <= 0 || v > 10 {
		fail("%s: security-severity %#v is not a string number in (0, 10]", where, props["security-severity"])
	}
	tags, _ := props["tags"].([]any)
	if len(tags) == 0 || len(tags) > 10 || !contains(tags, "security") {
		fail("%s: tags %v", where, tags)
	}
	if props["precision"] == nil {
		fail("%s: no precision", where)
	}
}

func checkResult(i, j int, r map[string]any, ids map[string]int, fail func(string, ...any)) {
	where := fmt.Sprintf("run %d result %d", i, j)
	id, _ := r["ruleId"].(string)
	idx, known := ids[id]
	if !known {
		fail("%s: ruleId %q not in the rules", where, id)
	}
	if ri, ok := r["ruleIndex"].(float64); ok && int(ri) != idx {
		fail("%s: ruleIndex %v does not match %q", where, ri, id)
	}
	if r["level"] == nil {
		fail("%s: no level", where)
	}
	if s, _ := dig(r, "message")["text"].(string); s == "" {
		fail("%s: no message", where)
	}
	locs, _ := r["locations"].([]any)
	if len(locs) != 1 {
		fail("%s: %d locations", where, len(locs))
		return
	}
	pl := dig(locs[0].(map[string]any), "physicalLocation")
	uri, _ := dig(pl, "artifactLocation")["uri"].(string)
	if uri == "" || strings.Contains(uri, ":") || strings.HasPrefix(uri, "/") || strings.Contains(uri, "..") || strings.Contains(uri, "@sha256") {
		fail("%s: uri %q is not repo-relative", where, uri)
	}
	if line, _ := dig(pl, "region")["startLine"].(float64); line < 1 {
		fail("%s: startLine %v", where, line)
	}
	if len(dig(r, "partialFingerprints")) == 0 {
		fail("%s: no partialFingerprints", where)
	}
}

func dig(m map[string]any, keys ...string) map[string]any {
	for _, k := range keys {
		next, _ := m[k].(map[string]any)
		m = next
	}
	return m
}

func contains(xs []any, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// Package report renders what sysgate found for the places people look:
// SARIF for GitHub code scanning, a markdown summary for the job summary and
// pull-request comments. It is the only package that imports go-sarif. See
// docs/report.md.
package report

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/owenrumney/go-sarif/v2/sarif"
	"github.com/sysgate/sysgate/observation"
	"github.com/sysgate/sysgate/policy"
)

// InformationURI is where the tool is described.
const InformationURI = "https://github.com/sysgate/sysgate"

// FingerprintKey names our partial fingerprint; bump its version if the
// derivation ever changes.
const FingerprintKey = "sysgate/v1"

// MaxResults is the most results GitHub takes in one run.
const MaxResults = 25000

// Options tune the reports.
type Options struct {
	// RepoRoot is the repository root that locations are relative to; ""
	// finds it from the policy's path (.git above it), else ".".
	RepoRoot string
	// Containerfile, when set, locates findings that no policy line explains.
	Containerfile string
	// Fallback is the path of last resort (DefaultFallback when "").
	Fallback string
	// Category overrides automationDetails.id ("sysgate/<image>/").
	Category string
	// Version is sysgate's version, for tool.driver.
	Version string
	// Redactor removes secrets; nil means the built-in patterns only.
	Redactor *Redactor
	// Workload, when its Path is set, locates findings at the workload step
	// they were first seen in.
	Workload Workload
}

// Workload is the workload file a scan ran, as plain data: its path
// (resolved like the policy's: relative to the working directory, or
// absolute, and used only inside the repository) and the line of each
// step, by step name.
type Workload struct {
	Path      string
	StepLines map[string]int
}

func (o *Options) redactor() *Redactor {
	if o.Redactor != nil {
		return o.Redactor
	}
	r, _ := NewRedactor()
	return r
}

// SARIF renders the findings of one observation under one policy as a SARIF
// 2.1.0 log with one run. The same inputs give the same bytes.
func SARIF(obs *observation.Observation, pol *policy.Policy, findings []policy.Finding, opts Options) ([]byte, error) {
	loc, err := newLocator(pol, &opts)
	if err != nil {
		return nil, fmt.Errorf("sarif: repository root: %w", err)
	}
	rep, err := sarif.New(sarif.Version210)
	if err != nil {
		return nil, fmt.Errorf("sarif: %w", err)
	}
	cat := newCatalogue(pol, loc.name)
	run := sarif.NewRun(*sarif.NewTool(driver(opts.Version, cat)))
	run.Results = []*sarif.Result{}
	run.AutomationDetails = &sarif.RunAutomationDetails{ID: ptr(Category(obs, opts.Category))}
	red := opts.redactor()
	dropped := 0
	for _, f := range red.Findings(findings) {
		if f.RuleID == policy.CoreIncomplete {
			continue // not a result: it has no location (see invocation)
		}
		if len(run.Results) == MaxResults {
			dropped++ // findings come most severe first: the least are left out
			continue
		}
		run.Results = append(run.Results, result(&f, cat, loc))
	}
	inv := invocation(obs, red)
	if dropped > 0 {
		n := sarif.NewNotification().WithMessage(sarif.NewTextMessage(fmt.Sprintf(
			"%d findings were left out: GitHub takes at most %d results per run; the JSON report has them all.", dropped, MaxResults)))
		n.Level = "warning"
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, n)
	}
	run.Invocations = []*sarif.Invocation{inv}
	rep.AddRun(run)
	return encode(rep)
}

func encode(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("sarif: encode: %w", err)
	}
	return buf.Bytes(), nil
}

var semverRE = regexp.MustCompile(`^v?(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?)$`)

func driver(version string, cat *catalogue) *sarif.ToolComponent {
	d := sarif.NewDriver("sysgate").WithInformationURI(InformationURI)
	if version == "" {
		version = "dev"
	}
	// The multitool wants a numeric version: a development build is 0.0.0-dev.
	if m := semverRE.FindStringSubmatch(version); m != nil {
		d.WithSemanticVersion(m[1])
	} else {
		d.WithSemanticVersion("0.0.0-" + safeVersion(version))
	}
	d.Rules = cat.descriptors()
	return d
}

// result renders one finding.
func result(f *policy.Finding, cat *catalogue, loc *locator) *sarif.Result {
	id := RuleID(f.RuleID)
	w := loc.locate(f)
	r := sarif.NewRuleResult(id).
		WithLevel(level(f.Severity)).
		WithMessage(sarif.NewTextMessage(resultMessage(f))).
		WithLocations([]*sarif.Location{location(w)})
	if step, ok := loc.step(f.Evidence.FirstStep); ok {
		r.RelatedLocations = []*sarif.Location{location(step).WithId(1).
			WithMessage(sarif.NewTextMessage("first seen in workload step " + oneLine(f.Evidence.FirstStep)))}
	}
	if i, ok := cat.index[id]; ok {
		r.WithRuleIndex(i)
	}
	r.PartialFingerprints = map[string]interface{}{FingerprintKey: Fingerprint(id, f, w.uri)}
	r.Properties = evidenceProperties(f, loc)
	return r
}

func location(w where) *sarif.Location {
	return sarif.NewLocationWithPhysicalLocation(sarif.NewPhysicalLocation().
		WithArtifactLocation(sarif.NewSimpleArtifactLocation(w.uri)).
		WithRegion(sarif.NewSimpleRegion(w.line, w.line)))
}

// resultMessage's first sentence stands alone: it is the alert's title.
func resultMessage(f *policy.Finding) string {
	msg := sentence(upperFirst(oneLine(f.Message)))
	if f.Title != "" {
		msg += " " + sentence(f.Title)
	}
	if f.Evidence.FirstStep != "" {
		msg += " First seen in step " + f.Evidence.FirstStep + "."
	}
	return limit(msg, 4000)
}

func evidenceProperties(f *policy.Finding, loc *locator) sarif.Properties {
	p := sarif.Properties{"severity": f.Severity.String()}
	e := &f.Evidence
	if e.Exe != "" {
		p["exe"] = e.Exe
	}
	if len(e.Argv) > 0 {
		p["argv"] = e.Argv
	}
	if e.Syscall != "" {
		p["syscall"] = e.Syscall
	}
	if e.ABI != "" {
		p["abi"] = e.ABI
	}
	if len(e.Args) > 0 {
		p["args"] = e.Args
	}
	if f.Policy.File != "" {
		pos := f.Policy
		pos.File = loc.name(pos.File)
		p["rule"] = pos.String()
	}
	return p
}

// Fingerprint identifies a finding across runs: rule, program, syscall,
// ABI, decoded arguments and the location's path, never counts, pids,
// image tags or digests.
func Fingerprint(ruleID string, f *policy.Finding, uri string) string {
	e := &f.Evidence
	nr := ""
	if e.Syscall == "" && e.Nr != nil {
		nr = fmt.Sprint(*e.Nr)
	}
	h := sha256.New()
	for _, s := range []string{ruleID, e.Exe, e.Syscall, nr, e.ABI, e.Args.Key(), uri} {
		fmt.Fprintf(h, "%d:%s\x00", len(s), s)
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}

// invocation says whether the trace was complete; each reason it was not is
// an error notification.
func invocation(obs *observation.Observation, red *Redactor) *sarif.Invocation {
	complete := obs == nil || obs.Complete
	inv := sarif.NewInvocation().WithExecutionSuccess(complete)
	if complete {
		return inv
	}
	reasons := obs.Incomplete
	if len(reasons) == 0 {
		reasons = []string{"the observation is marked incomplete, without a reason"}
	}
	for _, r := range reasons {
		n := sarif.NewNotification().WithMessage(sarif.NewTextMessage(
			sentence("The trace is incomplete, so the verdict cannot be trusted: " + oneLine(red.String(r)))))
		n.Level = "error"
		n.Descriptor = sarif.NewReportingDescriptorReference().WithId(policy.CoreIncomplete)
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, n)
	}
	return inv
}

// Category is the automationDetails.id: "sysgate/<image name>/" without tag
// or digest, or "sysgate/cmd/<program>/" for a local command.
func Category(obs *observation.Observation, override string) string {
	if override != "" {
		return strings.TrimSuffix(override, "/") + "/"
	}
	name := "unknown"
	if obs != nil && obs.Subject.Image != nil && obs.Subject.Image.Ref != "" {
		name = imageName(obs.Subject.Image.Ref)
	} else if obs != nil && len(obs.Subject.Command) > 0 {
		name = "cmd/" + path.Base(obs.Subject.Command[0])
	}
	return "sysgate/" + safeCategory(name) + "/"
}

// imageName drops the digest and the tag of an image reference.
func imageName(ref string) string {
	if i := strings.Index(ref, "@"); i >= 0 {
		ref = ref[:i]
	}
	if i := strings.LastIndex(ref, ":"); i > strings.LastIndex(ref, "/") {
		ref = ref[:i]
	}
	return ref
}

func safeCategory(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("._-/", r)) {
			return r
		}
		return '_'
	}, s)
	s = strings.Trim(s, "/")
	if s == "" {
		return "unknown"
	}
	return s
}

func upperFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func ptr[T any](v T) *T { return &v }

// safeVersion keeps a version usable as a semver pre-release.
func safeVersion(v string) string {
	return strings.Map(func(r rune) rune {
		if r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '.' || r == '-') {
			return r
		}
		return '-'
	}, v)
}

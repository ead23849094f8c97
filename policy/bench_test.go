package policy

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sysgate/sysgate/observation"
)

// benchObservation is an observation of a million calls: records distinct
// records, whose counts sum to 1,000,000, from 20 programs doing file,
// exec, network and plain calls.
func benchObservation(records int) *observation.Observation {
	obs := obsOf()
	per := uint64(1_000_000 / records)
	for i := 0; i < records; i++ {
		exe := fmt.Sprintf("/usr/bin/prog%d", i%20)
		var c observation.Call
		switch i % 10 {
		case 0, 1, 2:
			c = call(exe, "x86_64", "openat", "path", fmt.Sprintf("/var/lib/app%d/data/file%d", i%7, i), "flags", "O_RDONLY|O_CLOEXEC")
		case 3:
			c = call(exe, "x86_64", "openat", "path", fmt.Sprintf("/tmp/work/%d/out", i), "flags", "O_WRONLY|O_CREAT|O_TRUNC", "mode", "0644")
		case 4:
			c = call(exe, "x86_64", "newfstatat", "path", fmt.Sprintf("/usr/share/doc/pkg%d/README", i))
		case 5:
			c = call(exe, "x86_64", "execve", "path", fmt.Sprintf("/usr/bin/tool%d", i%50), "argv", fmt.Sprintf("[tool%d --run %d]", i%50, i))
		case 6:
			c = call(exe, "x86_64", "connect", "addr", fmt.Sprintf("10.%d.%d.%d:%d", i%256, (i/256)%256, i%200, 1000+i%3000))
		case 7:
			c = call(exe, "x86_64", "unlinkat", "path", fmt.Sprintf("/tmp/work/%d/tmp", i))
		default:
			c = call(exe, "x86_64", []string{"read", "write", "mmap", "futex", "close"}[i%5])
			c.Args = observation.Args{{Key: "fd", Value: fmt.Sprint(i)}} // keeps records distinct
		}
		c.Count = per
		c.Nr = uint32(i % 400)
		obs.Calls = append(obs.Calls, c)
	}
	return obs
}

// benchPolicy is the default pack (35 rules) and 165 rules of every kind,
// with an allow-list per program.
func benchPolicy(tb testing.TB) *Policy {
	var b strings.Builder
	b.WriteString(header + "include: [default]\nsyscalls:\n  severity: medium\n  allow: [\"@system-service\"]\n  programs:\n")
	for i := 0; i < 20; i++ {
		fmt.Fprintf(&b, "    - {exe: /usr/bin/prog%d, allow: [\"@network-io\"]}\n", i)
	}
	b.WriteString("rules:\n")
	for i := 0; i < 165; i++ {
		fmt.Fprintf(&b, "  - id: B%d\n    description: bench rule %d\n    severity: %s\n    match: ", i, i, SeverityNames()[i%5])
		switch i % 5 {
		case 0:
			fmt.Fprintf(&b, "{class: file-write, exe: /usr/bin/prog%d, path: [\"!/tmp/work/**\", \"!/var/log/*\"]}\n", i%20)
		case 1:
			fmt.Fprintf(&b, "{class: exec, exe: /usr/bin/prog%d, exec: [\"!/usr/bin/tool%d\", \"!/usr/bin/tool%d\"]}\n", i%20, i%50, (i+1)%50)
		case 2:
			fmt.Fprintf(&b, "{class: connect, exe: /usr/bin/prog%d, addr: [\"!10.%d.0.0/16:1000-4000\"]}\n", i%20, i%256)
		case 3:
			fmt.Fprintf(&b, "{syscall: [openat, newfstatat], path: [\"/var/lib/app%d/**/secret*\", \"/usr/share/doc/pkg%d/**\"]}\n", i%7, i)
		default:
			fmt.Fprintf(&b, "{class: exec, argv: [\"*--debug %d*\"]}\n", i)
		}
	}
	pol := mustParse(tb, b.String())
	if len(pol.Rules) != 200 {
		tb.Fatalf("%d rules, want 200", len(pol.Rules))
	}
	return pol
}

// BenchmarkEvaluate evaluates a million calls in 100,000 distinct records
// against 200 rules; see docs/benchmarks.md.
func BenchmarkEvaluate(b *testing.B) {
	for _, records := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("records=%d", records), func(b *testing.B) {
			obs := benchObservation(records)
			pol := benchPolicy(b)
			b.ReportAllocs()
			b.ResetTimer()
			var n int
			for i := 0; i < b.N; i++ {
				fs, err := Evaluate(obs, pol)
				if err != nil {
					b.Fatal(err)
				}
				n = len(fs)
			}
			b.ReportMetric(float64(n), "findings")
		})
	}
}

// TestEvaluateBudget guards against a change of complexity: a million calls
// in 100,000 records against 200 rules take about a quarter of a second on
// a 2-core VM; more than 5 seconds is a regression.
func TestEvaluateBudget(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the budget test builds a million-call observation")
	}
	obs := benchObservation(100_000)
	pol := benchPolicy(t)
	start := time.Now()
	fs, err := Evaluate(obs, pol)
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("evaluation took %v, budget 5s", d)
	}
	if len(fs) != 10_000 {
		t.Errorf("%d findings, want 10000", len(fs))
	}
}

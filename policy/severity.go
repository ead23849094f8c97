package policy

import (
	"fmt"
	"strings"

	"github.com/sysgate/sysgate/internal/yamlstrict"
)

// Severity ranks findings. The zero value is Info.
type Severity uint8

// The severities, lowest first.
const (
	Info Severity = iota
	Low
	Medium
	High
	Critical
)

var severityNames = [...]string{Info: "info", Low: "low", Medium: "medium", High: "high", Critical: "critical"}

// SeverityNames lists the severities, lowest first.
func SeverityNames() []string { return append([]string(nil), severityNames[:]...) }

// String returns the severity's name: info, low, medium, high, critical.
func (s Severity) String() string {
	if int(s) < len(severityNames) {
		return severityNames[s]
	}
	return fmt.Sprintf("severity(%d)", s)
}

// ParseSeverity reads a severity name, case-insensitively.
func ParseSeverity(s string) (Severity, error) {
	for i, n := range severityNames {
		if strings.EqualFold(s, n) {
			return Severity(i), nil
		}
	}
	return 0, fmt.Errorf("unknown severity %q (want one of %s)%s", s, strings.Join(severityNames[:], ", "), yamlstrict.DidYouMean(strings.ToLower(s), severityNames[:]))
}

// MarshalText writes the severity's name.
func (s Severity) MarshalText() ([]byte, error) {
	if int(s) >= len(severityNames) {
		return nil, fmt.Errorf("marshal %v: no such severity", s)
	}
	return []byte(s.String()), nil
}

// UnmarshalText reads a severity name.
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

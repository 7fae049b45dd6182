package courtesy

import (
	"fmt"
	"strings"
)

// Severity ranks a diagnostic. An error stops a command (or holds a
// message); a warning is logged; a suggestion is shown by lint only.
type Severity string

const (
	SeverityError      Severity = "error"
	SeverityWarning    Severity = "warning"
	SeveritySuggestion Severity = "suggestion"
)

// Diagnostic is a problem found in a file a person wrote: a config, a
// campaign, a template, a CSV row. It names where, so it can be fixed.
type Diagnostic struct {
	File     string   `json:"file"`
	Line     int      `json:"line,omitempty"`
	Col      int      `json:"col,omitempty"`
	Severity Severity `json:"severity"`
	Rule     string   `json:"rule,omitempty"`  // tone rule id or check name
	Field    string   `json:"field,omitempty"` // dotted path such as send.at
	Message  string   `json:"message"`
}

// String renders the diagnostic for people. With a rule it is the lint form
// "file:line:col: severity: rule: message"; otherwise "file:line: field: message".
func (d Diagnostic) String() string {
	var b strings.Builder
	b.WriteString(d.File)
	if d.Line > 0 {
		fmt.Fprintf(&b, ":%d", d.Line)
		if d.Col > 0 && d.Rule != "" {
			fmt.Fprintf(&b, ":%d", d.Col)
		}
	}
	if d.Rule != "" {
		fmt.Fprintf(&b, ": %s: %s: %s", d.Severity, d.Rule, d.Message)
		return b.String()
	}
	if d.Field != "" {
		fmt.Fprintf(&b, ": %s", d.Field)
	}
	fmt.Fprintf(&b, ": %s", d.Message)
	return b.String()
}

func (d Diagnostic) Error() string { return d.String() }

// Diagnostics is a list of problems; as an error it reads one per line.
type Diagnostics []Diagnostic

func (ds Diagnostics) Error() string { return strings.Join(ds.Strings(), "\n") }

// Strings renders each diagnostic as String does, one per element; nil for
// none.
func (ds Diagnostics) Strings() []string {
	if len(ds) == 0 {
		return nil
	}
	lines := make([]string, len(ds))
	for i, d := range ds {
		lines[i] = d.String()
	}
	return lines
}

// HasErrors reports whether any diagnostic is an error.
func (ds Diagnostics) HasErrors() bool {
	for _, d := range ds {
		if d.Severity == SeverityError {
			return true
		}
	}
	return false
}

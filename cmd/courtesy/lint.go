package main

import (
	"encoding/json"
	"fmt"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/lint"
)

func cmdLint(inv *invocation, args []string) error {
	fs := inv.flags("lint")
	format := fs.String("format", "text", "text, or json for tools")
	pos, err := parsePositional(fs, args, 0, 1)
	if err != nil {
		return err
	}
	if !oneOf(*format, "text", "json") {
		return usagef("--format %q: want text or json", *format)
	}
	path := inv.config
	if len(pos) == 1 {
		path = lint.Path(pos[0])
	}
	r := lint.Run(path)
	out := inv.stdio.out
	if *format == "json" {
		ds := r.Diagnostics
		if ds == nil {
			ds = courtesy.Diagnostics{}
		}
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(ds); err != nil {
			return err
		}
	} else {
		for _, d := range r.Diagnostics {
			fmt.Fprintln(out, lintLine(d))
		}
	}
	if r.Diagnostics.HasErrors() {
		if *format == "text" {
			fmt.Fprintf(inv.stdio.err, "%s\n", countProblems(r.Diagnostics))
		}
		return exitError{exitFailure}
	}
	if *format == "text" {
		fmt.Fprintf(inv.stdio.err, "%s: %d campaigns checked, %s\n", path, len(r.Campaigns), countProblems(r.Diagnostics))
	}
	return nil
}

// lintLine is the lint form of a diagnostic:
// file:line:col: severity: rule: message.
func lintLine(d courtesy.Diagnostic) string {
	if d.Rule != "" {
		return d.String()
	}
	rule := "config"
	if d.Field != "" {
		rule = d.Field
	}
	loc := d.File
	if d.Line > 0 {
		loc = fmt.Sprintf("%s:%d:%d", d.File, d.Line, max(d.Col, 1))
	}
	return fmt.Sprintf("%s: %s: %s: %s", loc, d.Severity, rule, d.Message)
}

func countProblems(ds courtesy.Diagnostics) string {
	var errs, warns int
	for _, d := range ds {
		if d.Severity == courtesy.SeverityError {
			errs++
		} else {
			warns++
		}
	}
	return fmt.Sprintf("%d errors, %d warnings and suggestions", errs, warns)
}

package report

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"strings"
	"time"
)

//go:embed report.html
var htmlSource string

// Stylesheet styles the report's HTML, in the customer pages' colours. The
// standalone page inlines it; the dashboard serves it as a file.
//
//go:embed report.css
var Stylesheet string

var htmlTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"rate":    RateText,
	"signups": SignupText,
	"signupDays": func(days []Day) []Day {
		var out []Day
		for _, d := range days {
			if d.SignupsStarted > 0 || d.SignupsConfirmed > 0 {
				out = append(out, d)
			}
		}
		return out
	},
	"nps":       NPSText,
	"bought":    BoughtText,
	"diff":      DiffText,
	"revenue":   RevenueText,
	"churn":     ChurnText,
	"guardrail": GuardrailText,
	"counts":    counts,
	"sum":       sum,
	"pct":       func(f float64) string { return fmt.Sprintf("%.1f%%", 100*f) },
	"z":         func(f float64) string { return fmt.Sprintf("%+.1f", f) },
	"date":      func(t time.Time) string { return t.Format(time.DateOnly) },
	"dash":      orDash,
	"decisions": ChartDecisions,
	"optouts":   ChartOptOutRate,
	"npschart":  ChartNPS,
	"css":       func() template.CSS { return template.CSS(Stylesheet) },
	"variant": func(i int, v string) string {
		switch {
		case i == 0:
			return "all"
		case v == "":
			return "(before draw)"
		}
		return v
	},
	"rows":  func(c Campaign) []Figures { return append([]Figures{c.Total}, c.Variants...) },
	"upper": strings.ToUpper,
}).Parse(htmlSource))

// Fragment renders the report as a section of HTML, for a page that links
// Stylesheet itself (the dashboard).
func Fragment(r *Report) (template.HTML, error) {
	var b bytes.Buffer
	if err := htmlTemplate.ExecuteTemplate(&b, "body", r); err != nil {
		return "", fmt.Errorf("render report: %w", err)
	}
	return template.HTML(b.String()), nil
}

// WriteHTML writes the report as one self-contained page: styles inline,
// charts as inline SVG, nothing fetched from anywhere.
func WriteHTML(w io.Writer, r *Report) error {
	var b bytes.Buffer
	if err := htmlTemplate.ExecuteTemplate(&b, "page", r); err != nil {
		return fmt.Errorf("render report: %w", err)
	}
	_, err := w.Write(b.Bytes())
	return err
}

package report

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"
)

// WriteJSON writes the report for tools.
func WriteJSON(w io.Writer, r *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteText writes the report as aligned tables for people.
func WriteText(w io.Writer, r *Report) error {
	ew := &errWriter{w: w}
	ew.printf("Owner's report, %s to %s\n", r.Since.Format(time.DateOnly), r.LastDay())
	ew.printf("Purchases count within %s after a message; rates are judged from %d sends; groups under %d are a %s.\n",
		r.Attributed, r.MinSample, MinGroup, SmallSample)
	for _, c := range r.Campaigns {
		ew.printf("\n== %s (%s, purpose %s): %s\n", c.Name, c.ID, c.Purpose, GuardrailText(c.Guardrail))
		tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "variant\teligible\tcontrol\tsent\tsuppressed\theld\texpired\tfailed\tbounced\topt-outs\topt-out rate\tcomplaints\tNPS\tbought sent/control\tdifference [95%]\t")
		rows := append([]Figures{c.Total}, c.Variants...)
		for i, f := range rows {
			name := f.Variant
			switch {
			case i == 0:
				name = "all"
			case name == "":
				name = "(before draw)"
			}
			fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%s\t%d\t%s\t%s\t%s\t\n", name, f.Eligible, f.Control,
				f.Sent, sum(f.Suppressed), sum(f.Held), f.Expired, sum(f.Failed), f.Bounced, f.OptOuts,
				RateText(f.OptOutRate), f.Complaints, NPSText(f.NPS), BoughtText(f.Purchases), DiffText(f.Purchases))
		}
		_ = tw.Flush()
		f := c.Total
		if len(f.Suppressed) > 0 {
			ew.printf("  suppressed: %s\n", counts(f.Suppressed))
		}
		if len(f.Held) > 0 {
			ew.printf("  held: %s\n", counts(f.Held))
		}
		if len(f.Failed) > 0 {
			ew.printf("  failed: %s\n", counts(f.Failed))
		}
		ew.printf("  complaint rate: %s; control share %.1f%%\n", RateText(f.ComplaintRate), 100*f.ControlShare)
		ew.printf("  revenue per message: %s\n", RevenueText(f.Revenue))
		ew.printf("  churn: %s\n", ChurnText(c.Churn))
		for _, v := range c.Versions {
			ew.printf("  version %s (%s to %s): %s\n", orDash(v.Version), v.First.UTC().Format(time.DateOnly),
				v.Last.UTC().Format(time.DateOnly), counts(v.Decisions))
		}
		t := c.Feedback
		ew.printf("  feedback: too many %d, not relevant %d, intrusive %d, other %d\n", t.TooMany, t.NotRelevant, t.Intrusive, t.Other)
		for _, cm := range c.Comments {
			what := "left"
			if cm.Kind == "nps" {
				what = fmt.Sprintf("scored %d", cm.Score)
			}
			ew.printf("    %s %s [%s]: %q\n", cm.At.UTC().Format(time.DateOnly), what, cm.Theme, oneLine(cm.Text))
		}
	}
	if len(r.Purposes) > 0 {
		ew.printf("\n== Opt-outs by purpose\n")
		tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "purpose\tsent\topt-outs\topt-out rate\t")
		for _, p := range r.Purposes {
			fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t\n", p.Purpose, p.Sent, p.OptOuts, RateText(p.OptOutRate))
		}
		_ = tw.Flush()
	}
	ew.printf("\n== Sign-ups\n  %s\n", SignupText(r.Signups))
	ew.printf("\n== Segment audit (two-proportion z-test against the rest of the campaign; flagged when |z| > %.0f, %d+ messages each side)\n", SegmentZ, SegmentMin)
	flagged := 0
	for _, s := range r.Segments {
		if !s.Flagged {
			continue
		}
		flagged++
		ew.printf("  FLAG %s %s=%s: %s %.1f%% (%d/%d) vs %.1f%% for the rest, z = %+.1f\n", s.Campaign, s.Dimension,
			s.Value, s.Metric, 100*s.Rate, s.Count, s.Of, 100*s.RestRate, s.Z)
	}
	if flagged == 0 {
		ew.printf("  no segment stands out\n")
	}
	return ew.err
}

// GuardrailText says whether a campaign runs.
func GuardrailText(g Guardrail) string {
	if g.Paused {
		return "PAUSED (" + g.Reason + ")"
	}
	return "running"
}

// RateText is a rate with its interval, or the small-sample label.
func RateText(r Rate) string {
	if r.Of == 0 {
		return "–"
	}
	if r.SmallSample {
		return fmt.Sprintf("%d/%d, %s", r.Count, r.Of, SmallSample)
	}
	return fmt.Sprintf("%.2f%% [%.2f–%.2f]", 100*r.Value, 100*r.Interval.Low, 100*r.Interval.High)
}

// NPSText is a score with its number of answers.
func NPSText(n NPSFigure) string {
	if n.Answers == 0 {
		return "–"
	}
	if n.Answers < MinGroup {
		return fmt.Sprintf("%+.0f (%d answers, %s)", n.Score, n.Answers, SmallSample)
	}
	return fmt.Sprintf("%+.0f (%d answers)", n.Score, n.Answers)
}

// BoughtText is the purchase rates of the two groups.
func BoughtText(u Uplift) string {
	if u.Sent == 0 && u.Control == 0 {
		return "–"
	}
	return fmt.Sprintf("%.1f%% / %.1f%%", 100*u.SentRate, 100*u.ControlRate)
}

// DiffText is the difference in points with its interval, or the label.
func DiffText(u Uplift) string {
	if u.SmallSample {
		return SmallSample
	}
	return fmt.Sprintf("%+.1f pts [%+.1f, %+.1f]", 100*u.Diff, 100*u.Interval.Low, 100*u.Interval.High)
}

// RevenueText compares revenue per message.
func RevenueText(r Revenue) string {
	if r.SmallSample {
		return fmt.Sprintf("%.2f sent vs %.2f control, %s", r.SentPerMessage, r.ControlPerMessage, SmallSample)
	}
	return fmt.Sprintf("%.2f sent vs %.2f control, difference %+.2f [%+.2f, %+.2f]", r.SentPerMessage,
		r.ControlPerMessage, r.Diff, r.Interval.Low, r.Interval.High)
}

// ChurnText compares the churn of the two groups.
func ChurnText(c Churn) string {
	if c.Sent == 0 && c.Control == 0 {
		return "–"
	}
	s := fmt.Sprintf("%.1f%% of %d sent vs %.1f%% of %d control", 100*c.SentRate, c.Sent, 100*c.ControlRate, c.Control)
	if c.SmallSample {
		return s + ", " + SmallSample
	}
	return s + fmt.Sprintf(", difference %+.1f pts [%+.1f, %+.1f]", 100*c.Diff, 100*c.Interval.Low, 100*c.Interval.High)
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// counts writes a map of counts as "a 3, b 2", largest first.
func counts(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if m[keys[i]] != m[keys[j]] {
			return m[keys[i]] > m[keys[j]]
		}
		return keys[i] < keys[j]
	})
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %d", orDash(k), m[k])
	}
	return strings.Join(parts, ", ")
}

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 120 {
		s = string(r[:119]) + "…"
	}
	return s
}

// errWriter keeps the first write error, so the writing code stays flat.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}

func (e *errWriter) printf(format string, args ...any) { fmt.Fprintf(e, format, args...) }

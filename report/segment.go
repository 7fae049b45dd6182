package report

import (
	"math"
	"sort"

	"github.com/courtesyhq/courtesy"
)

// Segment audit thresholds: a segment is flagged when its rate differs from
// the rest of its campaign's by more than SegmentZ standard errors (pooled
// two-proportion z-test) and both sides have SegmentMin messages or more.
// |z| > 3 keeps false alarms rare across the many segments compared.
const (
	SegmentZ   = 3.0
	SegmentMin = 30
)

// segments audits one campaign's messages by locale and by time zone.
func (d *data) segments(campaignID string, msgs []*courtesy.ReportMessage) []Segment {
	var out []Segment
	for _, dim := range []struct {
		name string
		of   func(m *courtesy.ReportMessage) string
	}{
		{"locale", func(m *courtesy.ReportMessage) string { return m.Locale }},
		{"timezone", func(m *courtesy.ReportMessage) string { return m.Timezone }},
	} {
		type tally struct{ eligible, sent, suppressed, optOuts int }
		by := map[string]*tally{}
		var all tally
		for _, m := range msgs {
			if m.Decision.Outcome == courtesy.Control {
				continue // held back on purpose: not the segment's experience
			}
			v := dim.of(m)
			if v == "" {
				v = "(unset)"
			}
			t := by[v]
			if t == nil {
				t = &tally{}
				by[v] = t
			}
			for _, x := range []*tally{t, &all} {
				x.eligible++
				switch m.Decision.Outcome {
				case courtesy.Sent:
					x.sent++
					if r := d.reactions[m.Key]; r != nil && r.optOut {
						x.optOuts++
					}
				case courtesy.Suppressed:
					x.suppressed++
				}
			}
		}
		if len(by) < 2 {
			continue
		}
		values := make([]string, 0, len(by))
		for v := range by {
			values = append(values, v)
		}
		sort.Strings(values)
		for _, v := range values {
			t := by[v]
			for _, mt := range []struct {
				name   string
				x, n   int
				rx, n2 int
			}{
				{"send-rate", t.sent, t.eligible, all.sent - t.sent, all.eligible - t.eligible},
				{"suppression-rate", t.suppressed, t.eligible, all.suppressed - t.suppressed, all.eligible - t.eligible},
				{"optout-rate", t.optOuts, t.sent, all.optOuts - t.optOuts, all.sent - t.sent},
			} {
				if mt.n < SegmentMin || mt.n2 < SegmentMin {
					continue
				}
				z := TwoProportionZ(mt.x, mt.n, mt.rx, mt.n2)
				out = append(out, Segment{
					Campaign: campaignID, Dimension: dim.name, Value: v, Metric: mt.name,
					Count: mt.x, Of: mt.n, Rate: float64(mt.x) / float64(mt.n),
					RestCount: mt.rx, RestOf: mt.n2, RestRate: float64(mt.rx) / float64(mt.n2),
					Z: z, Flagged: math.Abs(z) > SegmentZ,
				})
			}
		}
	}
	return out
}

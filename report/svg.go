package report

import (
	"fmt"
	"html/template"
	"math"
	"strings"
)

// The charts are drawn on the server as inline SVG: no script, no external
// file, and only presentation attributes, so they pass a strict Content
// Security Policy (no inline styles) and print as they look.

const (
	chartW, chartH = 720, 220
	padL, padR     = 48, 12
	padT, padB     = 12, 40
)

// Series colours, chosen to stay apart for the common colour-vision
// deficiencies and against the page's paper colour.
var decisionColours = []struct{ name, colour string }{
	{"sent", "#2f6f3e"}, {"control", "#4c72b0"}, {"suppressed", "#b8a88a"}, {"held", "#c77c02"}, {"expired/failed", "#a1231b"},
}

// ChartDecisions draws the messages decided each day, stacked by decision.
func ChartDecisions(days []Day) template.HTML {
	var b strings.Builder
	maxTotal := 0
	for _, d := range days {
		maxTotal = max(maxTotal, d.Sent+d.Control+d.Suppressed+d.Held+d.Other)
	}
	open(&b, "Messages decided per day, by decision")
	top := niceCeil(float64(maxTotal))
	axisY(&b, top, func(v float64) string { return fmt.Sprintf("%.0f", v) })
	if n := len(days); n > 0 {
		plotW := float64(chartW - padL - padR)
		bw := plotW / float64(n)
		gap := math.Min(2, bw/5)
		for i, d := range days {
			x := float64(padL) + float64(i)*bw
			y := float64(chartH - padB)
			for j, v := range []int{d.Sent, d.Control, d.Suppressed, d.Held, d.Other} {
				if v == 0 || top == 0 {
					continue
				}
				h := float64(v) / top * float64(chartH-padT-padB)
				y -= h
				fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s %s: %d</title></rect>`,
					x+gap/2, y, bw-gap, h, decisionColours[j].colour, d.Date, decisionColours[j].name, v)
			}
		}
		axisX(&b, days)
	}
	legend(&b, decisionColours)
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// ChartOptOutRate draws the share of each day's sends that drew an opt-out.
func ChartOptOutRate(days []Day) template.HTML {
	vals := make([]float64, len(days))
	ok := make([]bool, len(days))
	for i, d := range days {
		if d.Sent > 0 {
			vals[i], ok[i] = 100*float64(d.OptOuts)/float64(d.Sent), true
		}
	}
	return lineChart("Opt-out rate of each day's sends (%)", days, vals, ok, 0, "#a1231b",
		func(v float64) string { return fmt.Sprintf("%.1f%%", v) })
}

// ChartNPS draws the NPS of the answers given each day.
func ChartNPS(days []Day) template.HTML {
	vals := make([]float64, len(days))
	ok := make([]bool, len(days))
	for i, d := range days {
		if d.NPS.Answers > 0 {
			vals[i], ok[i] = d.NPS.Score, true
		}
	}
	return lineChart("NPS of the answers given each day (points)", days, vals, ok, -100, "#4c72b0",
		func(v float64) string { return fmt.Sprintf("%+.0f", v) })
}

func lineChart(title string, days []Day, vals []float64, ok []bool, floor float64, colour string, label func(float64) string) template.HTML {
	var b strings.Builder
	open(&b, title)
	top := 0.0
	for i, v := range vals {
		if ok[i] {
			top = math.Max(top, v)
		}
	}
	if floor < 0 {
		top = 100 // NPS lives on −100…+100
	} else {
		top = niceCeil(top)
	}
	span := top - floor
	if span <= 0 {
		span = 1
	}
	plotH := float64(chartH - padT - padB)
	yOf := func(v float64) float64 { return float64(chartH-padB) - (v-floor)/span*plotH }
	for _, v := range []float64{floor, floor + span/2, top} {
		y := yOf(v)
		fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#ddd5c6"/>`, padL, y, chartW-padR, y)
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" text-anchor="end" font-size="11" fill="#57524a">%s</text>`, padL-6, y+4, label(v))
	}
	if n := len(days); n > 0 {
		step := float64(chartW-padL-padR) / float64(n)
		var pts []string
		for i := range days {
			x := float64(padL) + (float64(i)+0.5)*step
			if !ok[i] {
				if len(pts) > 1 {
					fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="%s" stroke-width="2"/>`, strings.Join(pts, " "), colour)
				}
				pts = nil
				continue
			}
			y := yOf(vals[i])
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", x, y))
			fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="2.5" fill="%s"><title>%s: %s</title></circle>`, x, y, colour, days[i].Date, label(vals[i]))
		}
		if len(pts) > 1 {
			fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="%s" stroke-width="2"/>`, strings.Join(pts, " "), colour)
		}
		axisX(&b, days)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

func open(b *strings.Builder, title string) {
	fmt.Fprintf(b, `<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="100%%" role="img" aria-label="%s"><title>%s</title>`,
		chartW, chartH, template.HTMLEscapeString(title), template.HTMLEscapeString(title))
	fmt.Fprintf(b, `<rect x="0" y="0" width="%d" height="%d" fill="#fffdf8"/>`, chartW, chartH)
}

func axisY(b *strings.Builder, top float64, label func(float64) string) {
	plotH := float64(chartH - padT - padB)
	for _, f := range []float64{0, 0.5, 1} {
		y := float64(chartH-padB) - f*plotH
		fmt.Fprintf(b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#ddd5c6"/>`, padL, y, chartW-padR, y)
		fmt.Fprintf(b, `<text x="%d" y="%.1f" text-anchor="end" font-size="11" fill="#57524a">%s</text>`, padL-6, y+4, label(f*top))
	}
}

// axisX labels about six days along the bottom.
func axisX(b *strings.Builder, days []Day) {
	n := len(days)
	step := float64(chartW-padL-padR) / float64(n)
	every := max(1, (n+5)/6)
	for i := 0; i < n; i += every {
		x := float64(padL) + (float64(i)+0.5)*step
		fmt.Fprintf(b, `<text x="%.1f" y="%d" text-anchor="middle" font-size="11" fill="#57524a">%s</text>`,
			x, chartH-padB+14, days[i].Date[5:])
	}
}

func legend(b *strings.Builder, items []struct{ name, colour string }) {
	x := padL
	for _, it := range items {
		fmt.Fprintf(b, `<rect x="%d" y="%d" width="10" height="10" fill="%s"/><text x="%d" y="%d" font-size="11" fill="#1f1d1a">%s</text>`,
			x, chartH-14, it.colour, x+14, chartH-5, it.name)
		x += 24 + 7*len(it.name)
	}
}

// niceCeil rounds up to 1, 2 or 5 times a power of ten, for axis tops.
func niceCeil(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= v {
			return m * p
		}
	}
	return 10 * p
}

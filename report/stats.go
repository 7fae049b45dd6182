package report

import "math"

// z95 is the standard normal quantile of a two-sided 95% interval.
const z95 = 1.959963984540054

// Interval is a two-sided 95% confidence interval.
type Interval struct {
	Low  float64 `json:"low"`
	High float64 `json:"high"`
}

// Wilson is the Wilson score interval for the proportion x/n, without
// continuity correction: unlike the textbook p ± 1.96·SE it stays inside
// [0, 1] and keeps its coverage for small n and proportions near 0 or 1. It
// is [0, 1] when n is 0.
func Wilson(x, n int) Interval {
	if n <= 0 {
		return Interval{0, 1}
	}
	p := float64(x) / float64(n)
	nn := float64(n)
	z2 := z95 * z95
	denom := 1 + z2/nn
	centre := (p + z2/(2*nn)) / denom
	half := z95 / denom * math.Sqrt(p*(1-p)/nn+z2/(4*nn*nn))
	return Interval{Low: math.Max(0, centre-half), High: math.Min(1, centre+half)}
}

// Newcombe is the interval for the difference of proportions x1/n1 − x2/n2
// by Newcombe's hybrid score method (method 10 of Newcombe 1998, "Interval
// estimation for the difference between independent proportions"), built
// from the Wilson intervals of each proportion. It behaves where the Wald
// interval does not: small groups, and rates near 0 such as opt-outs.
func Newcombe(x1, n1, x2, n2 int) Interval {
	if n1 <= 0 || n2 <= 0 {
		return Interval{-1, 1}
	}
	p1, p2 := float64(x1)/float64(n1), float64(x2)/float64(n2)
	w1, w2 := Wilson(x1, n1), Wilson(x2, n2)
	d := p1 - p2
	delta := math.Sqrt((p1-w1.Low)*(p1-w1.Low) + (w2.High-p2)*(w2.High-p2))
	eps := math.Sqrt((w1.High-p1)*(w1.High-p1) + (p2-w2.Low)*(p2-w2.Low))
	return Interval{Low: d - delta, High: d + eps}
}

// MeanDiff is the interval for the difference of two means by Welch's
// normal approximation, from each group's count, sum and sum of squares.
// It is for revenue per customer, where groups are large or flagged as
// small samples.
func MeanDiff(n1 int, sum1, sumSq1 float64, n2 int, sum2, sumSq2 float64) (diff float64, iv Interval) {
	if n1 < 2 || n2 < 2 {
		return 0, Interval{math.Inf(-1), math.Inf(1)}
	}
	m1, m2 := sum1/float64(n1), sum2/float64(n2)
	v1 := (sumSq1 - float64(n1)*m1*m1) / float64(n1-1)
	v2 := (sumSq2 - float64(n2)*m2*m2) / float64(n2-1)
	se := math.Sqrt(math.Max(0, v1)/float64(n1) + math.Max(0, v2)/float64(n2))
	diff = m1 - m2
	return diff, Interval{Low: diff - z95*se, High: diff + z95*se}
}

// NPS is the Net Promoter Score of a set of 0–10 answers in points: the
// percentage of promoters (9–10) minus the percentage of detractors (0–6).
// It is 0 for no answers.
func NPS(promoters, detractors, answers int) float64 {
	if answers == 0 {
		return 0
	}
	return 100 * float64(promoters-detractors) / float64(answers)
}

// TwoProportionZ is the pooled two-proportion z statistic of x1/n1 against
// x2/n2; 0 when either group is empty or the pooled rate is 0 or 1.
func TwoProportionZ(x1, n1, x2, n2 int) float64 {
	if n1 <= 0 || n2 <= 0 {
		return 0
	}
	p := float64(x1+x2) / float64(n1+n2)
	if p <= 0 || p >= 1 {
		return 0
	}
	se := math.Sqrt(p * (1 - p) * (1/float64(n1) + 1/float64(n2)))
	return (float64(x1)/float64(n1) - float64(x2)/float64(n2)) / se
}

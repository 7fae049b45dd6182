package report

import (
	"fmt"
	"math"
	"testing"
)

// Worked examples of the single-proportion intervals in Newcombe (1998),
// "Two-sided confidence intervals for the single proportion: comparison of
// seven methods", Statistics in Medicine 17:857–872, table I, method 3
// (score, no continuity correction).
func TestWilsonPublishedExamples(t *testing.T) {
	for _, tc := range []struct {
		x, n      int
		low, high float64
	}{
		{81, 263, 0.2553, 0.3662},
		{15, 148, 0.0624, 0.1605},
		{0, 20, 0.0000, 0.1611},
		{1, 29, 0.0061, 0.1718},
	} {
		t.Run(fmt.Sprintf("%d/%d", tc.x, tc.n), func(t *testing.T) {
			got := Wilson(tc.x, tc.n)
			if !near(got.Low, tc.low) || !near(got.High, tc.high) {
				t.Errorf("Wilson(%d, %d) = %.4f to %.4f, want %.4f to %.4f", tc.x, tc.n, got.Low, got.High, tc.low, tc.high)
			}
		})
	}
}

// Worked examples of Newcombe (1998), "Interval estimation for the
// difference between independent proportions: comparison of eleven
// methods", Statistics in Medicine 17:873–890, table II, method 10.
func TestNewcombePublishedExamples(t *testing.T) {
	for _, tc := range []struct {
		x1, n1, x2, n2 int
		low, high      float64
	}{
		{56, 70, 48, 80, 0.0524, 0.3339},
		{9, 10, 3, 10, 0.1705, 0.8090},
		{6, 7, 2, 7, 0.0582, 0.8062},
		{5, 56, 0, 29, -0.0381, 0.1926},
		{0, 10, 0, 20, -0.1611, 0.2775},
		{0, 10, 0, 10, -0.2775, 0.2775},
		{10, 10, 0, 20, 0.6791, 1.0000},
		{10, 10, 0, 10, 0.6075, 1.0000},
	} {
		t.Run(fmt.Sprintf("%d/%d-%d/%d", tc.x1, tc.n1, tc.x2, tc.n2), func(t *testing.T) {
			got := Newcombe(tc.x1, tc.n1, tc.x2, tc.n2)
			if !near(got.Low, tc.low) || !near(got.High, tc.high) {
				t.Errorf("Newcombe = %.4f to %.4f, want %.4f to %.4f", got.Low, got.High, tc.low, tc.high)
			}
		})
	}
}

// near compares to the four decimals the paper prints.
func near(got, want float64) bool { return math.Abs(got-want) <= 0.00005+1e-12 }

func TestNPSHandComputed(t *testing.T) {
	// 20 answers: 6 promoters (30%), 10 passives, 4 detractors (20%): +10.
	scores := []int{10, 9, 9, 10, 9, 10, 7, 8, 7, 8, 7, 8, 7, 8, 7, 8, 6, 0, 3, 5}
	var p, d int
	for _, s := range scores {
		switch {
		case s >= 9:
			p++
		case s <= 6:
			d++
		}
	}
	if got := NPS(p, d, len(scores)); math.Abs(got-10) > 1e-9 {
		t.Errorf("NPS = %v, want +10", got)
	}
	var got NPSFigure
	for _, s := range scores {
		got.add(s)
	}
	if got.Answers != 20 || got.Promoters != 6 || got.Detractors != 4 || math.Abs(got.Score-10) > 1e-9 {
		t.Errorf("NPSFigure after add = %+v, want 20 answers, 6 promoters, 4 detractors, +10", got)
	}
}

func TestTwoProportionZ(t *testing.T) {
	// 60/100 vs 40/100: pooled 0.5, se = sqrt(0.25·0.02) = 0.0707…, z = 2.828…
	if got := TwoProportionZ(60, 100, 40, 100); math.Abs(got-2*math.Sqrt2) > 1e-9 {
		t.Errorf("z = %v, want %v", got, 2*math.Sqrt2)
	}
	if got := TwoProportionZ(0, 100, 0, 100); got != 0 {
		t.Errorf("z of two zero rates = %v, want 0", got)
	}
}

func TestMeanDiff(t *testing.T) {
	// Group 1: 1,2,3 (mean 2, var 1); group 2: 0,0,0,0 (mean 0, var 0).
	diff, iv := MeanDiff(3, 6, 14, 4, 0, 0)
	se := math.Sqrt(1.0 / 3)
	if math.Abs(diff-2) > 1e-9 || math.Abs(iv.Low-(2-z95*se)) > 1e-9 || math.Abs(iv.High-(2+z95*se)) > 1e-9 {
		t.Errorf("MeanDiff = %v %+v", diff, iv)
	}
}

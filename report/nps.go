package report

// NPSFigure is the Net Promoter Score of a set of answers.
type NPSFigure struct {
	Answers    int     `json:"answers"`
	Promoters  int     `json:"promoters"`  // 9–10
	Detractors int     `json:"detractors"` // 0–6
	Score      float64 `json:"score"`      // promoters% − detractors%, in points
}

func (f *NPSFigure) add(score int) {
	f.Answers++
	switch {
	case score >= 9:
		f.Promoters++
	case score <= 6:
		f.Detractors++
	}
	f.Score = NPS(f.Promoters, f.Detractors, f.Answers)
}

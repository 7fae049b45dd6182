package tone

import (
	"bufio"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"
)

// corpusLine is one labelled line of testdata/corpus.tsv.
type corpusLine struct {
	n      int
	bad    bool
	family string
	kind   string
	text   string
}

func readCorpus(tb testing.TB) []corpusLine {
	tb.Helper()
	f, err := os.Open("testdata/corpus.tsv")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var out []corpusLine
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		cols := strings.SplitN(line, "\t", 4)
		if len(cols) != 4 || cols[0] != "good" && cols[0] != "bad" {
			tb.Fatalf("corpus.tsv:%d: want label, family, kind and text separated by tabs", n)
		}
		out = append(out, corpusLine{n: n, bad: cols[0] == "bad", family: cols[1], kind: cols[2], text: cols[3]})
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

// familyScore counts, for one family, the bad lines it should catch and the
// lines it fired on.
type familyScore struct {
	bad, caught  int // bad lines of the family, and those it caught
	fired, right int // lines the family fired on, and those that were its bad lines
}

// TestCorpus measures the warm profile against the labelled corpus: every
// family must catch at least 90% of its bad lines, and no good line may
// raise any finding.
func TestCorpus(t *testing.T) {
	c := MustNew(t, "warm")
	lines := readCorpus(t)
	if len(lines) < 150 {
		t.Fatalf("corpus has %d lines, want at least 150", len(lines))
	}
	scores := map[string]*familyScore{}
	score := func(f string) *familyScore {
		if scores[f] == nil {
			scores[f] = &familyScore{}
		}
		return scores[f]
	}
	good := 0
	for _, l := range lines {
		fs := c.Check(Context{Kind: l.kind}, l.text)
		fired := map[string]bool{}
		for _, f := range fs {
			fired[f.Family] = true
		}
		if !l.bad {
			good++
			for _, f := range fs {
				t.Errorf("corpus.tsv:%d: good line raised %s (%s) at %q: %s", l.n, f.Rule, f.Severity, f.Match, l.text)
			}
		} else {
			s := score(l.family)
			s.bad++
			if fired[l.family] {
				s.caught++
			} else {
				t.Logf("corpus.tsv:%d: missed %s: %s", l.n, l.family, l.text)
			}
		}
		for fam := range fired {
			s := score(fam)
			s.fired++
			if l.bad && l.family == fam {
				s.right++
			}
		}
	}
	var fams []string
	for f := range scores {
		fams = append(fams, f)
	}
	sort.Strings(fams)
	var b strings.Builder
	fmt.Fprintf(&b, "%d lines (%d bad, %d good), warm profile\n", len(lines), len(lines)-good, good)
	fmt.Fprintf(&b, "%-10s %4s %6s %9s %7s\n", "family", "bad", "caught", "precision", "recall")
	for _, f := range fams {
		s := scores[f]
		fmt.Fprintf(&b, "%-10s %4d %6d %9s %7s\n", f, s.bad, s.caught, ratio(s.right, s.fired), ratio(s.caught, s.bad))
		if s.bad > 0 && float64(s.caught)/float64(s.bad) < 0.9 {
			t.Errorf("family %s: recall %d/%d is under 0.9", f, s.caught, s.bad)
		}
	}
	t.Log("\n" + b.String())
}

func ratio(a, b int) string {
	if b == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f", float64(a)/float64(b))
}

// TestHoldout reports, without asserting, how the warm profile does on
// lines that were not used to tune the rules.
func TestHoldout(t *testing.T) {
	c := MustNew(t, "warm")
	f, err := os.Open("testdata/holdout.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	bad, caught := map[string]int{}, map[string]int{}
	var good, clean int
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		cols := strings.SplitN(sc.Text(), "\t", 4)
		if len(cols) != 4 {
			continue
		}
		fs := c.Check(Context{Kind: cols[2]}, cols[3])
		if cols[0] == "good" {
			good++
			if len(fs) == 0 {
				clean++
			} else {
				t.Logf("holdout.tsv:%d: good line raised %s at %q", n, fs[0].Rule, fs[0].Match)
			}
			continue
		}
		bad[cols[1]]++
		hit := false
		for _, f := range fs {
			hit = hit || f.Family == cols[1]
		}
		if hit {
			caught[cols[1]]++
		} else {
			t.Logf("holdout.tsv:%d: missed %s: %s", n, cols[1], cols[3])
		}
	}
	var fams []string
	nb, nc := 0, 0
	for f := range bad {
		fams = append(fams, f)
		nb, nc = nb+bad[f], nc+caught[f]
	}
	sort.Strings(fams)
	var b strings.Builder
	for _, f := range fams {
		fmt.Fprintf(&b, "%-10s %d/%d\n", f, caught[f], bad[f])
	}
	t.Logf("holdout: caught %d of %d bad lines (recall %s); %d of %d good lines clean\n%s", nc, nb, ratio(nc, nb), clean, good, b.String())
}

package tone

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/courtesyhq/courtesy"
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
	f, err := os.Open("corpus/en.tsv")
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
			tb.Fatalf("corpus/en.tsv:%d: want label, family, kind and text separated by tabs", n)
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
				t.Errorf("corpus/en.tsv:%d: good line raised %s (%s) at %q: %s", l.n, f.Rule, f.Severity, f.Match, l.text)
			}
		} else {
			s := score(l.family)
			s.bad++
			if fired[l.family] {
				s.caught++
			} else {
				t.Logf("corpus/en.tsv:%d: missed %s: %s", l.n, l.family, l.text)
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

// TestHoldout holds the checker to its targets on lines written by hand,
// apart from the corpus and never used to train or tune anything: in every
// language, each family catches at least 90% of its lines, and at most 2% of
// ordinary lines raise a warning or an error.
func TestHoldout(t *testing.T) { scoreSet(t, "testdata/holdout", holdoutShort, true) }

// holdoutShort lists the families that miss the 0.9 target on the holdout,
// with the lines they do catch: the test holds them there, so they can only
// get better, and doc.go says so.
var holdoutShort = map[string]int{
	"de/creepy": 15, "de/guilt": 13, "de/hard-sell": 12, "de/scarcity": 15, "de/sensitive": 13, "de/urgency": 17,
	"es/creepy": 16, "es/guilt": 15, "es/hard-sell": 9, "es/scarcity": 16, "es/sensitive": 10, "es/ordinary": 3,
	"fr/creepy": 15, "fr/guilt": 16, "fr/hard-sell": 10, "fr/scarcity": 16, "fr/sensitive": 10, "fr/urgency": 15, "fr/ordinary": 4,
	"it/creepy": 16, "it/guilt": 17, "it/hard-sell": 10, "it/scarcity": 14, "it/sensitive": 10, "it/urgency": 14, "it/ordinary": 2,
	"nl/creepy": 15, "nl/guilt": 14, "nl/hard-sell": 11, "nl/scarcity": 14, "nl/sensitive": 13, "nl/urgency": 16,
	"pt/creepy": 15, "pt/guilt": 14, "pt/hard-sell": 10, "pt/scarcity": 12, "pt/sensitive": 13, "pt/urgency": 14,
	"sv/creepy": 13, "sv/guilt": 14, "sv/hard-sell": 9, "sv/sensitive": 8, "sv/ordinary": 3,
}

// TestParaphrases holds the same targets on a second set, written after the
// model and rules were frozen, in words and shapes unlike both the corpus
// and the holdout.
func TestParaphrases(t *testing.T) { scoreSet(t, "testdata/paraphrase", paraphraseShort, true) }

// paraphraseShort is holdoutShort for the paraphrases, which miss the
// targets widely (doc.go): "lang/family" holds the lines caught when they
// were first measured, "lang/ordinary" the ordinary lines flagged.
var paraphraseShort = map[string]int{
	"de/creepy": 2, "de/guilt": 4, "de/urgency": 4, "de/ordinary": 4,
	"en/creepy": 4, "en/guilt": 4, "en/scarcity": 3, "en/sensitive": 3, "en/urgency": 4,
	"es/creepy": 2, "es/guilt": 1, "es/scarcity": 3, "es/urgency": 3, "es/ordinary": 1,
	"fr/creepy": 2, "fr/guilt": 3, "fr/scarcity": 3, "fr/urgency": 2, "fr/ordinary": 1,
	"it/guilt": 3, "it/scarcity": 4, "it/urgency": 3, "it/ordinary": 1,
	"nl/creepy": 4, "nl/guilt": 3, "nl/scarcity": 2, "nl/urgency": 3, "nl/ordinary": 2,
	"pt/creepy": 4, "pt/guilt": 1, "pt/scarcity": 2, "pt/shouting": 4, "pt/urgency": 3,
	"sv/creepy": 4, "sv/guilt": 2, "sv/scarcity": 3, "sv/urgency": 2,
}

// TestFresh scores the paraphrases written after the structural rules and
// the word classes were frozen (testdata/fresh, same columns as the
// holdout), and holds the targets where they were met and every other
// family at the figure it reached when first scored (freshShort), so that
// it can only get better; doc.go carries the figures.
func TestFresh(t *testing.T) { scoreSet(t, "testdata/fresh", freshShort, true) }

// freshShort is holdoutShort for the fresh paraphrases: what each family
// caught, and the ordinary lines flagged, when the set was scored once
// after the rules and models were frozen. The test holds them there.
var freshShort = map[string]int{
	"de/urgency": 10, "de/scarcity": 7, "de/guilt": 11, "de/creepy": 9, "de/sensitive": 6, "de/hard-sell": 8, "de/ordinary": 4,
	"en/urgency": 5, "en/scarcity": 11, "en/guilt": 9, "en/sensitive": 10, "en/hard-sell": 10, "en/ordinary": 4,
	"es/urgency": 11, "es/scarcity": 10, "es/guilt": 11, "es/creepy": 10, "es/sensitive": 5, "es/hard-sell": 9, "es/ordinary": 1,
	"fr/urgency": 11, "fr/scarcity": 11, "fr/guilt": 12, "fr/creepy": 8, "fr/sensitive": 8, "fr/hard-sell": 7, "fr/ordinary": 5,
	"it/urgency": 9, "it/scarcity": 10, "it/guilt": 10, "it/creepy": 11, "it/sensitive": 8, "it/hard-sell": 9, "it/ordinary": 3,
	"nl/urgency": 11, "nl/scarcity": 11, "nl/guilt": 8, "nl/creepy": 12, "nl/sensitive": 9, "nl/hard-sell": 8, "nl/ordinary": 3,
	"pt/urgency": 10, "pt/scarcity": 7, "pt/guilt": 8, "pt/creepy": 10, "pt/sensitive": 9, "pt/hard-sell": 8, "pt/ordinary": 2,
	"sv/urgency": 10, "sv/scarcity": 10, "sv/guilt": 10, "sv/creepy": 10, "sv/sensitive": 8, "sv/hard-sell": 7, "sv/ordinary": 1,
}

// TestDev scores the ordinary lines the thresholds were tuned on; its
// figures are not a measure of anything unseen.
func TestDev(t *testing.T) { scoreSet(t, "testdata/dev", nil, true) }

// scoreSet scores every <lang>.tsv of dir and, when assert is set, holds
// each family to recall 0.9 and ordinary lines to 2% flagged, or to the
// figure short records for it.
func scoreSet(t *testing.T, dir string, short map[string]int, assert bool) {
	c := MustNew(t, "warm")
	files, err := filepath.Glob(filepath.Join(dir, "*.tsv"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no labelled lines in %s: %v", dir, err)
	}
	var b strings.Builder
	for _, file := range files {
		lang := strings.TrimSuffix(filepath.Base(file), ".tsv")
		if !c.Covers(lang) {
			t.Errorf("%s: the checker has no rules for %q", file, lang)
		}
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		bad, caught := map[string]int{}, map[string]int{}
		good, flagged := 0, 0
		sc := bufio.NewScanner(strings.NewReader(string(data)))
		for n := 1; sc.Scan(); n++ {
			line := sc.Text()
			if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
				continue
			}
			cols := strings.SplitN(line, "\t", 4)
			if len(cols) != 4 || cols[0] != "good" && cols[0] != "bad" {
				t.Errorf("%s:%d: want label (good or bad), family, kind and text separated by tabs", file, n)
				continue
			}
			fs := c.Check(Context{Kind: cols[2], Lang: lang}, cols[3])
			if cols[0] == "good" {
				good++
				for _, f := range fs {
					if f.Severity != courtesy.SeveritySuggestion {
						flagged++
						t.Logf("%s:%d: ordinary line raised %s at %q: %s", file, n, f.Rule, f.Match, cols[3])
						break
					}
				}
				continue
			}
			bad[cols[1]]++
			hit := false
			for _, f := range fs {
				hit = hit || f.Family == cols[1] && f.Severity != courtesy.SeveritySuggestion
			}
			if hit {
				caught[cols[1]]++
			} else {
				t.Logf("%s:%d: missed %s: %s", file, n, cols[1], cols[3])
			}
		}
		var fams []string
		for f := range bad {
			fams = append(fams, f)
		}
		sort.Strings(fams)
		fmt.Fprintf(&b, "%s:", lang)
		for _, f := range fams {
			fmt.Fprintf(&b, " %s %d/%d", f, caught[f], bad[f])
			floor, known := short[lang+"/"+f]
			switch {
			case !assert:
			case known && caught[f] < floor:
				t.Errorf("%s: %s caught %d of %d lines, fewer than the %d it caught when measured", file, f, caught[f], bad[f], floor)
			case !known && float64(caught[f]) < 0.9*float64(bad[f]):
				t.Errorf("%s: %s caught %d of %d lines, under 0.9", file, f, caught[f], bad[f])
			}
		}
		fmt.Fprintf(&b, "; ordinary flagged %d/%d\n", flagged, good)
		ceiling, known := short[lang+"/ordinary"]
		switch {
		case !assert:
		case known && flagged > ceiling:
			t.Errorf("%s: %d of %d ordinary lines flagged, more than the %d flagged when measured", file, flagged, good, ceiling)
		case !known && float64(flagged) > 0.02*float64(good):
			t.Errorf("%s: %d of %d ordinary lines flagged, over 2%%", file, flagged, good)
		}
	}
	t.Log("\n" + b.String())
}

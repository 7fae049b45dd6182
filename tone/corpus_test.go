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
	"github.com/courtesyhq/courtesy/tone/internal/corpus"
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
	"de/guilt": 17, "de/hard-sell": 15, "de/sensitive": 14, "de/urgency": 17, "de/ordinary": 2,
	"es/guilt": 17, "es/hard-sell": 12, "es/scarcity": 16, "es/sensitive": 16,
	"fr/hard-sell": 12, "fr/scarcity": 17, "fr/sensitive": 17, "fr/urgency": 17, "fr/ordinary": 2,
	"it/creepy": 17, "it/guilt": 15, "it/hard-sell": 12, "it/scarcity": 15, "it/sensitive": 13, "it/ordinary": 2,
	"nl/creepy": 16, "nl/guilt": 17, "nl/hard-sell": 11, "nl/scarcity": 16, "nl/sensitive": 15, "nl/urgency": 17,
	"pt/creepy": 16, "pt/guilt": 15, "pt/hard-sell": 12, "pt/sensitive": 14, "pt/urgency": 17, "pt/ordinary": 2,
	"sv/creepy": 17, "sv/guilt": 17, "sv/hard-sell": 14, "sv/scarcity": 14, "sv/sensitive": 15, "sv/urgency": 16,
}

// TestParaphrases holds the same targets on a second set, written after the
// model and rules were frozen, in words and shapes unlike both the corpus
// and the holdout.
func TestParaphrases(t *testing.T) { scoreSet(t, "testdata/paraphrase", paraphraseShort, true) }

// paraphraseShort is holdoutShort for the paraphrases, which miss the
// targets widely (doc.go): "lang/family" holds the lines caught when they
// were first measured, "lang/ordinary" the ordinary lines flagged.
var paraphraseShort = map[string]int{
	"de/creepy": 4, "de/scarcity": 4, "de/urgency": 4,
	"en/creepy": 4, "en/guilt": 4, "en/scarcity": 4, "en/sensitive": 4, "en/urgency": 4,
	"es/guilt": 4, "es/scarcity": 3, "es/urgency": 3,
	"fr/creepy": 4, "fr/guilt": 4, "fr/scarcity": 3, "fr/urgency": 2, "fr/ordinary": 1,
	"it/guilt": 4, "it/scarcity": 2, "it/urgency": 3,
	"nl/guilt": 4, "nl/scarcity": 3, "nl/urgency": 2, "nl/ordinary": 1,
	"pt/creepy": 4, "pt/scarcity": 3, "pt/shouting": 4, "pt/urgency": 4,
	"sv/guilt": 4, "sv/scarcity": 4, "sv/urgency": 3,
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
	"de/creepy": 11, "de/guilt": 12, "de/hard-sell": 9, "de/scarcity": 10, "de/sensitive": 12, "de/urgency": 12, "de/ordinary": 2,
	"en/guilt": 12, "en/scarcity": 13, "en/sensitive": 12, "en/urgency": 8, "en/ordinary": 4,
	"es/creepy": 11, "es/hard-sell": 12, "es/scarcity": 11, "es/sensitive": 10, "es/urgency": 12, "es/ordinary": 2,
	"fr/creepy": 11, "fr/hard-sell": 10, "fr/scarcity": 10, "fr/sensitive": 11, "fr/ordinary": 5,
	"it/creepy": 12, "it/guilt": 13, "it/hard-sell": 12, "it/scarcity": 11, "it/ordinary": 1,
	"nl/creepy": 11, "nl/guilt": 7, "nl/hard-sell": 12, "nl/scarcity": 13, "nl/urgency": 11, "nl/ordinary": 4,
	"pt/creepy": 12, "pt/guilt": 12, "pt/hard-sell": 12, "pt/scarcity": 12, "pt/sensitive": 13, "pt/urgency": 10, "pt/ordinary": 4,
	"sv/creepy": 11, "sv/guilt": 13, "sv/hard-sell": 13, "sv/scarcity": 10, "sv/sensitive": 13, "sv/urgency": 9, "sv/ordinary": 1,
}

// TestVoicesHeldOut scores the lines of corpus/voices that `go generate`
// keeps out of training (one in ten, by a hash of the text): the same
// voices as the lines the model learnt from, but never seen by it.
func TestVoicesHeldOut(t *testing.T) {
	scoreLines(t, "corpus/voices", voicesShort, true, corpus.HeldOut)
}

// voicesShort is holdoutShort for the held-out voices.
var voicesShort = map[string]int{
	"de/creepy": 40, "de/guilt": 25, "de/hard-sell": 21, "de/scarcity": 19, "de/sensitive": 35, "de/urgency": 25, "de/ordinary": 11,
	"en/creepy": 39, "en/guilt": 22, "en/hard-sell": 28, "en/scarcity": 31, "en/sensitive": 24, "en/urgency": 22, "en/ordinary": 9,
	"es/guilt": 35, "es/hard-sell": 21, "es/scarcity": 23, "es/sensitive": 24, "es/urgency": 23, "es/ordinary": 19,
	"fr/creepy": 32, "fr/guilt": 27, "fr/hard-sell": 22, "fr/scarcity": 35, "fr/sensitive": 30, "fr/urgency": 29, "fr/ordinary": 12,
	"it/creepy": 21, "it/guilt": 23, "it/hard-sell": 18, "it/scarcity": 31, "it/sensitive": 23, "it/urgency": 29, "it/ordinary": 13,
	"nl/creepy": 29, "nl/guilt": 23, "nl/hard-sell": 19, "nl/scarcity": 32, "nl/sensitive": 27, "nl/urgency": 34, "nl/ordinary": 15,
	"pt/creepy": 43, "pt/guilt": 30, "pt/hard-sell": 25, "pt/scarcity": 26, "pt/sensitive": 30, "pt/urgency": 30, "pt/ordinary": 18,
	"sv/creepy": 34, "sv/guilt": 27, "sv/hard-sell": 23, "sv/scarcity": 19, "sv/sensitive": 25, "sv/urgency": 22, "sv/ordinary": 9,
}

// TestDev scores the ordinary lines the thresholds were tuned on; its
// figures are not a measure of anything unseen.
func TestDev(t *testing.T) { scoreSet(t, "testdata/dev", nil, true) }

// scoreSet scores every <lang>.tsv of dir and, when assert is set, holds
// each family to recall 0.9 and ordinary lines to 2% flagged, or to the
// figure short records for it.
func scoreSet(t *testing.T, dir string, short map[string]int, assert bool) {
	scoreLines(t, dir, short, assert, nil)
}

// scoreLines is scoreSet on the lines whose text passes keep (all when
// keep is nil).
func scoreLines(t *testing.T, dir string, short map[string]int, assert bool, keep func(text string) bool) {
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
			if keep != nil && !keep(cols[3]) {
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

// TestBlind scores lines written by someone who saw neither the rules, the
// models nor the corpora (testdata/blind), and holds each family at what
// the models of the second round of corpus/voices catch (blindShort);
// doc.go has the figures of each model on it.
func TestBlind(t *testing.T) { scoreSet(t, "testdata/blind", blindShort, true) }

// blindShort is holdoutShort for the blind lines.
var blindShort = map[string]int{
	"de/guilt": 15, "de/hard-sell": 14, "de/sensitive": 17, "de/urgency": 13, "de/ordinary": 4,
	"en/hard-sell": 12, "en/ordinary": 5,
	"es/hard-sell": 11, "es/scarcity": 15, "es/sensitive": 16, "es/ordinary": 6,
	"fr/guilt": 15, "fr/hard-sell": 13, "fr/scarcity": 13, "fr/sensitive": 16, "fr/urgency": 14, "fr/ordinary": 2,
	"it/guilt": 17, "it/hard-sell": 13, "it/scarcity": 17, "it/sensitive": 16, "it/shouting": 15, "it/ordinary": 6,
	"nl/creepy": 17, "nl/guilt": 12, "nl/hard-sell": 15, "nl/scarcity": 16, "nl/sensitive": 14, "nl/shouting": 15, "nl/urgency": 16, "nl/ordinary": 4,
	"pt/creepy": 17, "pt/guilt": 12, "pt/hard-sell": 13, "pt/scarcity": 17, "pt/sensitive": 14, "pt/shouting": 15, "pt/ordinary": 3,
	"sv/guilt": 13, "sv/hard-sell": 13, "sv/scarcity": 14, "sv/sensitive": 14, "sv/shouting": 15, "sv/urgency": 14, "sv/ordinary": 3,
}

// TestBlind2 is TestBlind for a second blind set (testdata/blind2),
// written while the second round of corpus/voices was, and first scored
// with the models trained on it.
func TestBlind2(t *testing.T) { scoreSet(t, "testdata/blind2", blind2Short, true) }

// blind2Short is holdoutShort for the second blind set.
var blind2Short = map[string]int{
	"de/guilt": 10, "de/hard-sell": 7, "de/scarcity": 10, "de/sensitive": 7, "de/urgency": 9, "de/ordinary": 1,
	"en/creepy": 10, "en/guilt": 10, "en/hard-sell": 9, "en/scarcity": 9, "en/sensitive": 10, "en/ordinary": 3,
	"es/creepy": 9, "es/guilt": 8, "es/hard-sell": 4, "es/sensitive": 7, "es/urgency": 10, "es/ordinary": 3,
	"fr/guilt": 10, "fr/hard-sell": 7, "fr/scarcity": 10, "fr/sensitive": 7, "fr/urgency": 10,
	"it/guilt": 9, "it/hard-sell": 9, "it/scarcity": 10, "it/urgency": 8, "it/ordinary": 5,
	"nl/creepy": 10, "nl/guilt": 9, "nl/hard-sell": 4, "nl/scarcity": 7, "nl/sensitive": 10, "nl/urgency": 8, "nl/ordinary": 2,
	"pt/creepy": 9, "pt/guilt": 7, "pt/hard-sell": 8, "pt/scarcity": 9, "pt/urgency": 9, "pt/ordinary": 4,
	"sv/creepy": 9, "sv/guilt": 10, "sv/hard-sell": 5, "sv/scarcity": 8, "sv/urgency": 6, "sv/ordinary": 2,
}

// TestBlind3 is TestBlind for a third blind set (testdata/blind3), written
// beside the third round of corpus/voices and first scored with its
// models.
func TestBlind3(t *testing.T) { scoreSet(t, "testdata/blind3", blind3Short, true) }

var blind3Short = map[string]int{
	"de/guilt": 18, "de/hard-sell": 8, "de/sensitive": 19, "de/ordinary": 5,
	"en/guilt": 19, "en/hard-sell": 9, "en/ordinary": 5,
	"es/guilt": 17, "es/hard-sell": 9, "es/urgency": 21, "es/ordinary": 2,
	"fr/guilt": 20, "fr/hard-sell": 7, "fr/sensitive": 19, "fr/ordinary": 2,
	"it/guilt": 21, "it/hard-sell": 9, "it/sensitive": 14, "it/ordinary": 5,
	"nl/guilt": 17, "nl/hard-sell": 9, "nl/sensitive": 18, "nl/ordinary": 5,
	"pt/guilt": 20, "pt/hard-sell": 8, "pt/ordinary": 9,
	"sv/guilt": 20, "sv/hard-sell": 10, "sv/ordinary": 7,
}

package tone

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"slices"
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
	"de/guilt": 16, "de/hard-sell": 12, "de/scarcity": 17, "de/sensitive": 14, "de/urgency": 17,
	"en/hard-sell": 8,
	"es/guilt":     17, "es/hard-sell": 11, "es/scarcity": 16, "es/sensitive": 15,
	"fr/hard-sell": 11, "fr/scarcity": 10, "fr/sensitive": 17, "fr/urgency": 16,
	"it/guilt": 17, "it/hard-sell": 11, "it/scarcity": 14, "it/sensitive": 14, "it/ordinary": 2,
	"nl/creepy": 17, "nl/guilt": 17, "nl/hard-sell": 14, "nl/scarcity": 17, "nl/sensitive": 13, "nl/urgency": 17,
	"pt/creepy": 15, "pt/guilt": 15, "pt/hard-sell": 11, "pt/scarcity": 16, "pt/sensitive": 12, "pt/urgency": 17, "pt/ordinary": 3,
	"sv/creepy": 16, "sv/guilt": 17, "sv/hard-sell": 13, "sv/sensitive": 15, "sv/urgency": 15,
}

// TestParaphrases holds the same targets on a second set, written after the
// model and rules were frozen, in words and shapes unlike both the corpus
// and the holdout.
func TestParaphrases(t *testing.T) { scoreSet(t, "testdata/paraphrase", paraphraseShort, true) }

// paraphraseShort is holdoutShort for the paraphrases, which miss the
// targets widely (doc.go): "lang/family" holds the lines caught when they
// were first measured, "lang/ordinary" the ordinary lines flagged.
var paraphraseShort = map[string]int{
	"de/creepy": 4, "de/guilt": 4, "de/scarcity": 4, "de/urgency": 4,
	"en/creepy": 4, "en/scarcity": 4, "en/sensitive": 4,
	"es/creepy": 4, "es/guilt": 3, "es/scarcity": 3, "es/urgency": 3,
	"fr/creepy": 4, "fr/scarcity": 0, "fr/urgency": 2, "fr/ordinary": 1,
	"it/creepy": 4, "it/guilt": 3, "it/scarcity": 3, "it/urgency": 4,
	"nl/scarcity": 3, "nl/urgency": 2, "nl/ordinary": 1,
	"pt/creepy": 4, "pt/scarcity": 3, "pt/shouting": 4, "pt/urgency": 3, "pt/ordinary": 1,
	"sv/guilt": 4, "sv/scarcity": 4, "sv/urgency": 2,
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
	"de/creepy": 10, "de/hard-sell": 8, "de/scarcity": 12, "de/sensitive": 13, "de/urgency": 12, "de/ordinary": 5,
	"en/guilt": 12, "en/scarcity": 11, "en/sensitive": 13, "en/urgency": 10, "en/ordinary": 2,
	"es/creepy": 12, "es/guilt": 11, "es/hard-sell": 13, "es/scarcity": 9, "es/sensitive": 9, "es/urgency": 13, "es/ordinary": 2,
	"fr/creepy": 11, "fr/hard-sell": 12, "fr/scarcity": 8, "fr/sensitive": 12, "fr/urgency": 13, "fr/ordinary": 2,
	"it/creepy": 12, "it/guilt": 13, "it/hard-sell": 12, "it/scarcity": 12, "it/sensitive": 13, "it/urgency": 13, "it/ordinary": 2,
	"nl/creepy": 11, "nl/guilt": 7, "nl/hard-sell": 12, "nl/scarcity": 12, "nl/sensitive": 13, "nl/urgency": 10, "nl/ordinary": 3,
	"pt/creepy": 10, "pt/guilt": 11, "pt/hard-sell": 13, "pt/scarcity": 12, "pt/sensitive": 9, "pt/urgency": 11, "pt/ordinary": 1,
	"sv/creepy": 13, "sv/guilt": 12, "sv/scarcity": 11, "sv/urgency": 8, "sv/ordinary": 1,
}

// TestVoicesHeldOut scores the lines of corpus/voices that `go generate`
// keeps out of training (one in ten, by a hash of the text): the same
// voices as the lines the model learnt from, but never seen by it.
func TestVoicesHeldOut(t *testing.T) {
	scoreLines(t, "corpus/voices", voicesShort, true, corpus.HeldOut)
}

// voicesShort is holdoutShort for the held-out voices.
var voicesShort = map[string]int{
	"de/creepy": 41, "de/guilt": 27, "de/hard-sell": 24, "de/scarcity": 20, "de/sensitive": 38, "de/urgency": 24, "de/ordinary": 18,
	"en/creepy": 39, "en/guilt": 23, "en/hard-sell": 32, "en/scarcity": 32, "en/sensitive": 23, "en/urgency": 23, "en/ordinary": 15,
	"es/guilt": 29, "es/hard-sell": 23, "es/scarcity": 18, "es/sensitive": 25, "es/urgency": 23, "es/ordinary": 15,
	"fr/creepy": 34, "fr/guilt": 24, "fr/hard-sell": 31, "fr/scarcity": 20, "fr/sensitive": 30, "fr/urgency": 28, "fr/ordinary": 18,
	"it/creepy": 21, "it/guilt": 22, "it/hard-sell": 22, "it/scarcity": 34, "it/sensitive": 22, "it/urgency": 30, "it/ordinary": 14,
	"nl/creepy": 29, "nl/guilt": 21, "nl/hard-sell": 25, "nl/scarcity": 31, "nl/sensitive": 29, "nl/urgency": 34, "nl/ordinary": 15,
	"pt/creepy": 40, "pt/guilt": 29, "pt/hard-sell": 28, "pt/scarcity": 26, "pt/sensitive": 30, "pt/urgency": 27, "pt/ordinary": 17,
	"sv/creepy": 33, "sv/guilt": 27, "sv/hard-sell": 29, "sv/scarcity": 26, "sv/sensitive": 23, "sv/urgency": 21, "sv/ordinary": 12,
}

// warns reports whether a finding is a warning or an error.
func warns(fs []Finding) bool {
	return slices.ContainsFunc(fs, func(f Finding) bool { return f.Severity != courtesy.SeveritySuggestion })
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
		// judged says whether a rule of the family reads messages of the
		// kind: hard-sell reads greetings and surveys only, so a line
		// written as hard-sell for another kind of message is not counted.
		judged := func(family, kind string) bool {
			for _, r := range c.RulesFor(lang) {
				if r.Family == family && (len(r.Kinds) == 0 || slices.Contains(r.Kinds, kind)) {
					return true
				}
			}
			return false
		}
		bad, caught := map[string]int{}, map[string]int{}
		good, flagged, pushy, warned, outside := 0, 0, 0, 0, 0
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
			pushy++
			if !judged(cols[1], cols[2]) {
				outside++
				if warns(fs) {
					warned++
				}
				continue
			}
			bad[cols[1]]++
			hit := false
			for _, f := range fs {
				hit = hit || f.Family == cols[1] && f.Severity != courtesy.SeveritySuggestion
			}
			if warns(fs) {
				warned++ // the marketer is warned, if not always for this family
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
		fmt.Fprintf(&b, "; ordinary flagged %d/%d; pushy flagged for any family %d/%d", flagged, good, warned, pushy)
		if outside > 0 {
			fmt.Fprintf(&b, "; %d written for a kind of message their family does not read", outside)
		}
		b.WriteString("\n")
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
	"de/guilt": 16, "de/hard-sell": 13, "de/urgency": 13,
	"en/guilt": 16, "en/hard-sell": 14, "en/scarcity": 16, "en/ordinary": 3,
	"es/guilt": 17, "es/hard-sell": 15, "es/scarcity": 12, "es/sensitive": 16, "es/ordinary": 4,
	"fr/guilt": 14, "fr/hard-sell": 13, "fr/scarcity": 8, "fr/urgency": 14, "fr/ordinary": 2,
	"it/creepy": 17, "it/guilt": 16, "it/hard-sell": 15, "it/scarcity": 17, "it/sensitive": 12, "it/shouting": 15, "it/ordinary": 4,
	"nl/creepy": 17, "nl/guilt": 13, "nl/hard-sell": 15, "nl/scarcity": 17, "nl/sensitive": 11, "nl/shouting": 15, "nl/urgency": 17,
	"pt/creepy": 13, "pt/guilt": 9, "pt/hard-sell": 12, "pt/scarcity": 17, "pt/sensitive": 16, "pt/shouting": 15,
	"sv/guilt": 13, "sv/hard-sell": 13, "sv/scarcity": 15, "sv/sensitive": 12, "sv/shouting": 15, "sv/urgency": 13,
}

// TestBlind2 is TestBlind for a second blind set (testdata/blind2),
// written while the second round of corpus/voices was, and first scored
// with the models trained on it.
func TestBlind2(t *testing.T) { scoreSet(t, "testdata/blind2", blind2Short, true) }

// blind2Short is holdoutShort for the second blind set.
var blind2Short = map[string]int{
	"de/creepy": 10, "de/guilt": 10, "de/hard-sell": 8, "de/sensitive": 7, "de/urgency": 8,
	"en/creepy": 10, "en/guilt": 10, "en/hard-sell": 9, "en/scarcity": 8, "en/sensitive": 10, "en/ordinary": 2,
	"es/creepy": 8, "es/guilt": 6, "es/hard-sell": 8, "es/scarcity": 8, "es/sensitive": 9, "es/urgency": 9, "es/ordinary": 1,
	"fr/guilt": 9, "fr/hard-sell": 9, "fr/scarcity": 7, "fr/sensitive": 7, "fr/urgency": 6, "fr/ordinary": 1,
	"it/guilt": 8, "it/hard-sell": 10, "it/scarcity": 10, "it/sensitive": 9, "it/urgency": 9, "it/ordinary": 2,
	"nl/creepy": 9, "nl/guilt": 7, "nl/hard-sell": 6, "nl/scarcity": 7, "nl/sensitive": 10, "nl/urgency": 8, "nl/ordinary": 2,
	"pt/creepy": 9, "pt/guilt": 5, "pt/hard-sell": 7, "pt/scarcity": 8, "pt/urgency": 8, "pt/ordinary": 1,
	"sv/creepy": 10, "sv/guilt": 10, "sv/hard-sell": 8, "sv/scarcity": 10, "sv/urgency": 7,
}

// TestBlind3 is TestBlind for a third blind set (testdata/blind3), written
// beside the third round of corpus/voices and first scored with its
// models.
func TestBlind3(t *testing.T) { scoreSet(t, "testdata/blind3", blind3Short, true) }

var blind3Short = map[string]int{
	"de/creepy": 21, "de/guilt": 19, "de/ordinary": 5,
	"en/guilt": 20, "en/scarcity": 21, "en/ordinary": 4,
	"es/guilt": 14, "es/hard-sell": 9, "es/ordinary": 3,
	"fr/guilt": 21, "fr/hard-sell": 7, "fr/scarcity": 20, "fr/sensitive": 21, "fr/ordinary": 3,
	"it/guilt": 19, "it/scarcity": 21, "it/sensitive": 16, "it/ordinary": 4,
	"nl/guilt": 17, "nl/sensitive": 20, "nl/ordinary": 6,
	"pt/guilt": 19, "pt/hard-sell": 8, "pt/sensitive": 19, "pt/ordinary": 7,
	"sv/guilt": 20, "sv/sensitive": 20, "sv/urgency": 21, "sv/ordinary": 5,
}

// TestBlind4 is TestBlind for a fourth blind set, of hard-sell alone
// (testdata/blind4).
func TestBlind4(t *testing.T) { scoreSet(t, "testdata/blind4", blind4Short, true) }

var blind4Short = map[string]int{
	"de/hard-sell": 12, "de/ordinary": 4,
	"es/hard-sell": 10, "es/ordinary": 3,
	"fr/hard-sell": 11, "fr/ordinary": 4,
	"it/ordinary":  3,
	"nl/hard-sell": 11, "nl/ordinary": 3,
	"pt/hard-sell": 12, "pt/ordinary": 4,
	"sv/hard-sell": 11, "sv/ordinary": 4,
}

// TestBlind5 is TestBlind for a fifth blind set (testdata/blind5), of the
// three kinds of message courtesy sends.
func TestBlind5(t *testing.T) { scoreSet(t, "testdata/blind5", blind5Short, true) }

var blind5Short = map[string]int{
	"de/creepy": 10, "de/hard-sell": 10, "de/scarcity": 10, "de/sensitive": 7, "de/ordinary": 7,
	"en/guilt": 10, "en/scarcity": 10, "en/sensitive": 10, "en/ordinary": 6,
	"es/hard-sell": 10, "es/sensitive": 8, "es/ordinary": 3,
	"fr/hard-sell": 8, "fr/scarcity": 8, "fr/sensitive": 10, "fr/ordinary": 4,
	"it/hard-sell": 10, "it/sensitive": 9, "it/ordinary": 5,
	"nl/guilt": 10, "nl/hard-sell": 10, "nl/sensitive": 8, "nl/ordinary": 7,
	"pt/scarcity": 10, "pt/sensitive": 9, "pt/ordinary": 5,
	"sv/hard-sell": 10, "sv/scarcity": 10, "sv/sensitive": 8, "sv/urgency": 10, "sv/ordinary": 6,
}

// TestBlind6 is TestBlind for a sixth blind set (testdata/blind6), written
// as the fifth.
func TestBlind6(t *testing.T) { scoreSet(t, "testdata/blind6", blind6Short, true) }

var blind6Short = map[string]int{
	"de/sensitive": 8, "de/ordinary": 4,
	"en/hard-sell": 10, "en/scarcity": 10, "en/sensitive": 10, "en/urgency": 10, "en/ordinary": 4,
	"es/guilt": 10, "es/ordinary": 2,
	"fr/guilt": 10, "fr/ordinary": 5,
	"it/guilt": 10, "it/sensitive": 8, "it/ordinary": 6,
	"nl/creepy": 10, "nl/sensitive": 7, "nl/urgency": 7, "nl/ordinary": 7,
	"pt/guilt": 10, "pt/hard-sell": 10, "pt/sensitive": 10, "pt/urgency": 8, "pt/ordinary": 5,
	"sv/guilt": 9, "sv/sensitive": 9, "sv/urgency": 10, "sv/ordinary": 4,
}

// TestBlind7 is TestBlind for a seventh blind set (testdata/blind7),
// written as the fifth.
func TestBlind7(t *testing.T) { scoreSet(t, "testdata/blind7", blind7Short, true) }

var blind7Short = map[string]int{
	"de/guilt": 10, "de/scarcity": 9, "de/sensitive": 10, "de/ordinary": 4,
	"en/sensitive": 10, "en/ordinary": 7,
	"es/hard-sell": 10, "es/sensitive": 8, "es/ordinary": 2,
	"fr/hard-sell": 10, "fr/sensitive": 10, "fr/ordinary": 5,
	"it/ordinary": 6,
	"nl/creepy":   9, "nl/scarcity": 10, "nl/sensitive": 10, "nl/ordinary": 2,
	"pt/guilt": 10, "pt/hard-sell": 10, "pt/ordinary": 5,
	"sv/hard-sell": 10,
}

// TestBlind8 is TestBlind for an eighth blind set (testdata/blind8),
// written as the fifth.
func TestBlind8(t *testing.T) { scoreSet(t, "testdata/blind8", blind8Short, true) }

var blind8Short = map[string]int{
	"de/hard-sell": 10, "de/sensitive": 10, "de/ordinary": 8,
	"en/guilt": 10, "en/hard-sell": 9, "en/ordinary": 5,
	"es/scarcity": 10, "es/ordinary": 4,
	"fr/hard-sell": 10, "fr/sensitive": 9, "fr/ordinary": 6,
	"it/sensitive": 7, "it/ordinary": 5,
	"nl/guilt": 9, "nl/hard-sell": 10, "nl/sensitive": 10, "nl/ordinary": 8,
	"pt/guilt": 10, "pt/sensitive": 10, "pt/ordinary": 2,
	"sv/hard-sell": 10, "sv/urgency": 10, "sv/ordinary": 5,
}

// TestBlind9 is TestBlind for a ninth blind set (testdata/blind9),
// written as the eighth.
func TestBlind9(t *testing.T) { scoreSet(t, "testdata/blind9", blind9Short, true) }

var blind9Short = map[string]int{
	"de/hard-sell": 10, "de/sensitive": 8, "de/ordinary": 2,
	"en/hard-sell": 9, "en/sensitive": 8, "en/ordinary": 7,
	"es/creepy": 10, "es/hard-sell": 9, "es/scarcity": 10,
	"fr/hard-sell": 9, "fr/scarcity": 9, "fr/sensitive": 8, "fr/urgency": 10, "fr/ordinary": 4,
	"it/hard-sell": 10, "it/scarcity": 10, "it/sensitive": 9, "it/ordinary": 4,
	"nl/sensitive": 10, "nl/ordinary": 7,
	"pt/creepy": 10, "pt/guilt": 10, "pt/sensitive": 10, "pt/urgency": 10,
	"sv/sensitive": 10, "sv/urgency": 10, "sv/ordinary": 2,
}

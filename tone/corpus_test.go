package tone

import (
	"bufio"
	"fmt"
	"maps"
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
	"de/guilt": 17, "de/hard-sell": 15, "de/sensitive": 15, "de/urgency": 17,
	"en/sensitive": 8,
	"es/guilt":     17, "es/hard-sell": 14, "es/sensitive": 16,
	"fr/hard-sell": 16, "fr/sensitive": 17,
	"it/hard-sell": 17, "it/sensitive": 16, "it/ordinary": 3,
	"nl/creepy": 17, "nl/hard-sell": 13, "nl/sensitive": 17, "nl/urgency": 17,
	"pt/hard-sell": 14, "pt/sensitive": 16, "pt/ordinary": 2,
	"sv/creepy": 17, "sv/guilt": 16, "sv/hard-sell": 14, "sv/sensitive": 15,
}

// TestParaphrases holds the same targets on a second set, written after the
// model and rules were frozen, in words and shapes unlike both the corpus
// and the holdout.
func TestParaphrases(t *testing.T) { scoreSet(t, "testdata/paraphrase", paraphraseShort, true) }

// paraphraseShort is holdoutShort for the paraphrases, which miss the
// targets widely (doc.go): "lang/family" holds the lines caught when they
// were first measured, "lang/ordinary" the ordinary lines flagged.
var paraphraseShort = map[string]int{
	"de/creepy": 4, "de/scarcity": 3, "de/urgency": 4,
	"en/guilt": 4, "en/scarcity": 4, "en/sensitive": 4, "en/ordinary": 1,
	"es/creepy": 4, "es/guilt": 3, "es/scarcity": 4, "es/urgency": 4,
	"fr/creepy": 4, "fr/guilt": 3, "fr/scarcity": 3, "fr/urgency": 3, "fr/ordinary": 1,
	"it/guilt": 4, "it/scarcity": 3, "it/urgency": 4, "it/ordinary": 1,
	"nl/scarcity": 3, "nl/urgency": 4, "nl/ordinary": 1,
	"pt/creepy": 4, "pt/scarcity": 3, "pt/shouting": 4, "pt/urgency": 4,
	"sv/creepy": 3, "sv/scarcity": 4, "sv/urgency": 4, "sv/ordinary": 1,
}

// TestVoicesHeldOut scores the lines of corpus/voices that `go generate`
// keeps out of training (one in ten, by a hash of the text): the same
// voices as the lines the model learnt from, but never seen by it.
func TestVoicesHeldOut(t *testing.T) {
	scoreLines(t, "corpus/voices", voicesShort, true, corpus.HeldOut)
}

// voicesShort is holdoutShort for the held-out voices.
var voicesShort = map[string]int{
	"de/creepy": 53, "de/guilt": 39, "de/hard-sell": 31, "de/sensitive": 70, "de/ordinary": 16,
	"en/creepy": 53, "en/guilt": 27, "en/hard-sell": 43, "en/scarcity": 41, "en/sensitive": 55, "en/ordinary": 20,
	"es/creepy": 43, "es/guilt": 41, "es/hard-sell": 29, "es/scarcity": 30, "es/sensitive": 58, "es/urgency": 34, "es/ordinary": 19,
	"fr/guilt": 34, "fr/hard-sell": 36, "fr/scarcity": 45, "fr/sensitive": 65, "fr/urgency": 44, "fr/ordinary": 20,
	"it/creepy": 36, "it/guilt": 33, "it/scarcity": 41, "it/sensitive": 49, "it/urgency": 39, "it/ordinary": 21,
	"nl/creepy": 47, "nl/guilt": 37, "nl/hard-sell": 34, "nl/scarcity": 45, "nl/sensitive": 54, "nl/ordinary": 12,
	"pt/creepy": 53, "pt/guilt": 36, "pt/hard-sell": 40, "pt/scarcity": 36, "pt/sensitive": 62, "pt/urgency": 44, "pt/ordinary": 20,
	"sv/guilt": 34, "sv/scarcity": 34, "sv/sensitive": 53, "sv/urgency": 34, "sv/ordinary": 18,
}

// warns reports whether a finding is a warning or an error.
func warns(fs []Finding) bool {
	return slices.ContainsFunc(fs, func(f Finding) bool { return f.Severity != courtesy.SeveritySuggestion })
}

// TestDev scores the ordinary lines of testdata/dev: in English, the lines
// the structural rules were tuned on. The model learns nothing from them,
// so what it reads in them is a measure (doc.go); devShort holds it.
func TestDev(t *testing.T) { scoreSet(t, "testdata/dev", devShort, true) }

// devShort is holdoutShort for the dev lines.
var devShort = map[string]int{
	"en/ordinary": 1,
	"pt/ordinary": 3,
}

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

// learntSets reads the sets written as blind measures (testdata/fresh
// after the structural rules were frozen, the blind sets by writers who saw
// neither the rules, the models, the corpora nor the sets before them),
// each scored as it came, with the models of the day, and learnt from
// since, from the -seen flag of model.go's go:generate line, so that the
// sets tested as learnt are the ones the training step learns. doc.go has
// their first scores.
func learntSets(t *testing.T) []string {
	t.Helper()
	src, err := os.ReadFile("model.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(src), "\n") {
		if !strings.HasPrefix(line, "//go:generate ") {
			continue
		}
		fields := strings.Fields(line)
		if i := slices.Index(fields, "-seen"); i >= 0 && i+1 < len(fields) {
			var sets []string
			for _, dir := range strings.Split(fields[i+1], ",") {
				sets = append(sets, strings.TrimPrefix(dir, "testdata/"))
			}
			return sets
		}
	}
	t.Fatal("model.go: no go:generate line with -seen")
	return nil
}

// TestLearntSets holds what the checker does on each learnt set, which is
// no measure of unseen lines, to the targets where it meets them and at
// its figures where it does not (learntShort), so that a change to the
// rules or the corpus that undoes what was learnt shows. The sets that
// measure the checker must not be learnt.
func TestLearntSets(t *testing.T) {
	sets := learntSets(t)
	for set := range measureShort {
		if slices.Contains(sets, set) {
			t.Fatalf("model.go learns testdata/%s, a set that measures the checker", set)
		}
	}
	for set := range learntShort {
		if !slices.Contains(sets, set) {
			t.Errorf("learntShort holds %s, which model.go does not learn", set)
		}
	}
	for _, set := range sets {
		t.Run(set, func(t *testing.T) { scoreSet(t, "testdata/"+set, learntShort[set], true) })
	}
}

// learntShort is holdoutShort for each learnt set.
var learntShort = map[string]map[string]int{
	"fresh": {
		"en/ordinary": 1,
		"es/ordinary": 1,
		"nl/ordinary": 1,
		"sv/scarcity": 13, "sv/ordinary": 1,
	},
	"blind": {
		"fr/ordinary": 2,
		"it/shouting": 15,
		"nl/shouting": 15,
		"pt/shouting": 15,
		"sv/shouting": 15,
	},
	"blind2": {
		"en/ordinary":  1,
		"pt/hard-sell": 10,
	},
	"blind3": {
		"pt/ordinary": 2,
	},
	"blind4": {
		"fr/ordinary": 3,
		"it/ordinary": 1,
		"nl/ordinary": 1,
		"pt/ordinary": 2,
	},
	"blind5": {
		"en/ordinary": 4,
		"sv/ordinary": 3,
	},
	"blind6": {
		"en/ordinary": 4,
		"it/ordinary": 3,
		"nl/ordinary": 3,
	},
	"blind7": {},
	"blind8": {
		"es/ordinary": 2,
		"fr/ordinary": 2,
		"it/ordinary": 2,
		"nl/ordinary": 2,
	},
	"blind9": {
		"en/ordinary": 2,
	},
	"blind10": {
		"en/ordinary": 3,
	},
	"blind11": {
		"it/ordinary": 2,
	},
	"blind12": {},
	"blind13": {},
	"blind14": {},
	"blind15": {},
}

// TestMeasureSets scores the blind sets that are not learnt from, each
// written by writers who saw neither the rules, the models, the corpora nor
// the other sets, and scored once after the checker of its day was frozen.
// The newest, blind18, written after the models and rules as committed were
// frozen, is the honest measure of the checker (doc.go). blind16 no longer
// measures the rules: rules were written after its misses were read.
// measureShort holds each where it stands.
func TestMeasureSets(t *testing.T) {
	for _, set := range slices.Sorted(maps.Keys(measureShort)) {
		t.Run(set, func(t *testing.T) { scoreSet(t, "testdata/"+set, measureShort[set], true) })
	}
}

// measureShort is holdoutShort for each blind set that measures the
// checker.
var measureShort = map[string]map[string]int{
	"blind16": {
		"de/sensitive": 7,
		"en/sensitive": 10, "en/ordinary": 2,
		"es/guilt":     9,
		"fr/hard-sell": 10, "fr/scarcity": 9, "fr/sensitive": 10,
		"it/scarcity": 10, "it/sensitive": 10,
		"nl/guilt": 10, "nl/ordinary": 2,
		"pt/guilt":  9,
		"sv/creepy": 9, "sv/guilt": 10, "sv/ordinary": 3,
	},
	"blind17": {
		"de/creepy": 10, "de/guilt": 9, "de/sensitive": 10, "de/ordinary": 2,
		"en/creepy": 10, "en/guilt": 10,
		"es/creepy": 10,
		"fr/creepy": 9, "fr/guilt": 10, "fr/sensitive": 9,
		"it/creepy": 10, "it/guilt": 10, "it/scarcity": 10, "it/sensitive": 8, "it/ordinary": 3,
		"nl/creepy": 10, "nl/guilt": 10,
		"pt/creepy": 10, "pt/guilt": 10, "pt/scarcity": 9, "pt/sensitive": 9, "pt/urgency": 9,
		"sv/creepy": 10, "sv/guilt": 10, "sv/hard-sell": 10, "sv/sensitive": 9,
	},
	"blind18": {
		"de/guilt": 10, "de/sensitive": 8,
		"en/sensitive": 9, "en/ordinary": 5,
		"es/guilt": 10, "es/hard-sell": 10, "es/sensitive": 10, "es/ordinary": 3,
		"fr/guilt": 9, "fr/hard-sell": 10, "fr/scarcity": 10, "fr/sensitive": 9, "fr/urgency": 9, "fr/ordinary": 4,
		"it/creepy": 10, "it/sensitive": 8, "it/urgency": 8, "it/ordinary": 3,
		"nl/guilt": 8, "nl/sensitive": 8, "nl/ordinary": 2,
		"pt/creepy": 10, "pt/guilt": 9, "pt/hard-sell": 10, "pt/scarcity": 10, "pt/sensitive": 9, "pt/urgency": 9, "pt/ordinary": 3,
		"sv/guilt": 10, "sv/hard-sell": 10, "sv/scarcity": 10, "sv/sensitive": 8, "sv/urgency": 9, "sv/ordinary": 4,
	},
}

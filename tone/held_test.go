package tone

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/tone/internal/corpus"
)

// TestHeldAgreesWithCheck sends every labelled line of every set, in every
// language, as the body of a greeting to several customers in turn, and
// holds Held to what a full Check says of each: remembering the shapes it
// passed must never let through a message a full check holds, nor hold
// one it passes.
func TestHeldAgreesWithCheck(t *testing.T) {
	c := MustNew(t, "warm")
	names := [][2]string{{"Anna", "Kowalska"}, {"Jean-Luc", "O'Brien"}, {"Zoë", "Nguyen"}, {"Mehmet", "Yılmaz"}, {"Li", "Wu"}}
	var lines, held, remembered int
	for _, dir := range []string{"corpus", "testdata/holdout", "testdata/fresh", "testdata/paraphrase", "testdata/dev"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.tsv"))
		for _, file := range files {
			lang := strings.TrimSuffix(filepath.Base(file), ".tsv")
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			labelled, kinds, err := corpus.ReadTSV(file, data)
			if err != nil {
				t.Fatal(err)
			}
			for k, l := range labelled {
				lines++
				for i, n := range names {
					text := "Happy birthday, " + n[0] + "!\n\n" + l.Text + "\n\nWith love from Crumb & Co.\n" +
						"Unsubscribe: https://crumb.example/u/" + []string{"Ab3_x-9", "k2", "_-Zz0", "abc", "9_9"}[i] + "\n"
					ctx := Context{Kind: kinds[k], Lang: lang, BusinessName: "Crumb & Co.", Personal: []string{n[0], n[1]}}
					var want *Finding
					for _, f := range c.Check(ctx, text) {
						if f.Severity == courtesy.SeverityError {
							want = &f
							break
						}
					}
					key, _ := shapeKey(ctx, text)
					known := c.passed.has(key)
					got, ok := c.Held(ctx, text)
					switch {
					case ok != (want != nil):
						t.Fatalf("%s with %s: Held says held=%v, Check found %v: %s", l.Source, n[0], ok, want, l.Text)
					case ok && (got.Rule != want.Rule || got.Match != want.Match):
						t.Fatalf("%s with %s: Held found %s %q, Check %s %q", l.Source, n[0], got.Rule, got.Match, want.Rule, want.Match)
					case ok:
						held++
					case known:
						remembered++
					}
				}
			}
		}
	}
	t.Logf("%d lines × %d customers: %d held, %d passed from memory", lines, len(names), held, remembered)
	if held == 0 || remembered == 0 {
		t.Fatalf("the sets exercised nothing: %d held, %d remembered", held, remembered)
	}
}

// TestHeldTellsShapesApart: texts that differ in the shop's words, in the
// shape of a customer's value, or in the context are not taken for one
// another.
func TestHeldTellsShapesApart(t *testing.T) {
	ctx := Context{Kind: "birthday", BusinessName: "Crumb", Personal: []string{"Anna"}}
	base, _ := shapeKey(ctx, "Hi Anna, from Crumb.")
	for name, other := range map[string]struct {
		ctx  Context
		text string
	}{
		"another name of the same shape": {Context{Kind: "birthday", BusinessName: "Crumb", Personal: []string{"Bernadette"}}, "Hi Bernadette, from Crumb."},
		"two words for one":              {Context{Kind: "birthday", BusinessName: "Crumb", Personal: []string{"Ann Marie"}}, "Hi Ann Marie, from Crumb."},
		"a number for a word":            {Context{Kind: "birthday", BusinessName: "Crumb", Personal: []string{"42"}}, "Hi 42, from Crumb."},
		"the shop's own words":           {ctx, "Hi Anna, from Crumb!"},
		"another kind":                   {Context{Kind: "nps_survey", BusinessName: "Crumb", Personal: []string{"Anna"}}, "Hi Anna, from Crumb."},
		"another language":               {Context{Kind: "birthday", BusinessName: "Crumb", Personal: []string{"Anna"}, Lang: "de"}, "Hi Anna, from Crumb."},
		"stock data":                     {Context{Kind: "birthday", BusinessName: "Crumb", Personal: []string{"Anna"}, StockData: true}, "Hi Anna, from Crumb."},
		"an allowance":                   {Context{Kind: "birthday", BusinessName: "Crumb", Personal: []string{"Anna"}, Allow: []Allow{{Rule: "urgency", Reason: "a real deadline"}}}, "Hi Anna, from Crumb."},
	} {
		key, _ := shapeKey(other.ctx, other.text)
		same := name == "another name of the same shape"
		if (key == base) != same {
			t.Errorf("%s: same key = %v, want %v", name, key == base, same)
		}
	}
	if _, ok := shapeKey(Context{Personal: []string{"Anna\nBeth"}}, "Hi Anna\nBeth"); ok {
		t.Error("a value with a line break was remembered")
	}
	if _, ok := shapeKey(Context{}, "Hi there"); ok {
		t.Error("a text with nothing personal was remembered")
	}
}

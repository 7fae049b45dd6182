package tone

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// matches returns the text of every match of pattern src in text.
func matches(tb testing.TB, src, text string) []string {
	tb.Helper()
	ps, err := compilePattern(src)
	if err != nil {
		tb.Fatalf("compilePattern(%q): %v", src, err)
	}
	toks, low := tokenize(text, nil, nil, nil)
	out := []string{}
	for i := 0; i < len(toks); i++ {
		for _, p := range ps {
			if end := p.matchFrom(toks, low, i, 0); end > i {
				out = append(out, text[toks[i].start:toks[end-1].end])
				i = end - 1
				break
			}
		}
	}
	return out
}

func TestPatterns(t *testing.T) {
	tests := []struct {
		name    string
		pattern string
		text    string
		want    []string
	}{
		{"case folding", "act now", "ACT NOW. Act Now. act now", []string{"ACT NOW", "Act Now", "act now"}},
		{"whole words only", "act now", "exact nowhere; react now", []string{}},
		{"punctuation between words is ignored", "no thanks i don't like", "No thanks, I don't like it", []string{"No thanks, I don't like"}},
		{"a sentence end is not crossed", "last chance", "It was the last. Chance is fine.", []string{}},
		{"a blank line is not crossed", "last chance", "the last\n\nchance", []string{}},
		{"one line break is crossed", "last chance", "the last\nchance", []string{"last\nchance"}},
		{"curly apostrophe", "don't miss out", "Don’t miss out", []string{"Don’t miss out"}},
		{"apostrophe joins a word", "only today", "Only today's bread", []string{}},
		{"alternatives", "{act,acts,acting} now", "acting now, acts now", []string{"acting now", "acts now"}},
		{"multi-word alternatives", "{do not,don't} wait", "do not wait; don't wait", []string{"do not wait", "don't wait"}},
		{"stem", "hurr~ up", "hurry up, hurried up", []string{"hurry up", "hurried up"}},
		{"stem does not match inside a word", "pregnan~", "nonpregnant", []string{}},
		{"hyphen splits", "weight loss", "weight-loss tea", []string{"weight-loss"}},
		{"hyphen in the pattern", "mum-to-be", "a mum to be", []string{"mum to be"}},
		{"number digits", "only # left", "only 2 left, only 12 left", []string{"only 2 left", "only 12 left"}},
		{"number words", "only # left", "only two left", []string{"only two left"}},
		{"ordinals and times are numbers", "your # birthday", "your 40th birthday", []string{"your 40th birthday"}},
		{"not a number", "only # left", "only some left", []string{}},
		{"any word", "only # * left", "only 2 loaves left", []string{"only 2 loaves left"}},
		{"optional word present", "we'll be [so] sad", "we'll be so sad", []string{"we'll be so sad"}},
		{"optional word absent", "we'll be [so] sad", "we'll be sad", []string{"we'll be sad"}},
		{"leading optional word", "[just] # left", "just 2 left; 3 left", []string{"just 2 left", "3 left"}},
		{"percent sign", "# % off everything", "50% off everything", []string{"50% off everything"}},
		{"currency sign", "spend £ #", "spend £20", []string{"spend £20"}},
		{"a gap skips words", "won't wait .. forever", "Your basket won't wait for you forever.", []string{"won't wait for you forever"}},
		{"a gap may be empty", "won't wait .. forever", "It won't wait forever.", []string{"won't wait forever"}},
		{"a gap stays in its sentence", "won't wait .. forever", "It won't wait. We love you forever.", []string{}},
		{"a gap is at most eight words", "won't wait .. forever", "It won't wait one two three four five six seven eight nine forever", []string{}},
		{"decimal number is one word", "# left", "2.5 left", []string{"2.5 left"}},
		{"accented letters", "café", "Café, CAFÉ, cafés", []string{"Café", "CAFÉ"}},
		{"accent is part of the word", "caf", "café", []string{}},
		{"decomposed accent stays in the word", "cafe", "cafe\u0301", []string{}},
		{"sharp s", "straße", "STRAßE and straße", []string{"STRAßE", "straße"}},
		{"emoji is a word boundary", "last chance", "🎉last chance🎉", []string{"last chance"}},
		{"non-latin words", "привет", "Привет!", []string{"Привет"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, matches(t, tt.pattern, tt.text)); diff != "" {
				t.Errorf("%q in %q (-want +got):\n%s", tt.pattern, tt.text, diff)
			}
		})
	}
}

func TestPatternErrors(t *testing.T) {
	for _, src := range []string{"", "{act,now", "act]", "* now", "{a,}", "{a,{b}}", "now~ish", "!!!", ".. now", "act ..", "act .. .. now"} {
		if _, err := compilePattern(src); err == nil {
			t.Errorf("compilePattern(%q) succeeded, want an error", src)
		}
	}
}

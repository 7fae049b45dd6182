package corpus

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const grammar = `# a small grammar
@item = rye | (seeded|plain) bagels
== urgency
(Hurry|Be quick), the @item (goes|ends) tonight.
== ok
The @item is back(| on Saturdays).
`

func TestExpandIsTheSameEveryTimeAndDistinct(t *testing.T) {
	g, err := Parse("corpus/xx.txt", []byte(grammar))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"urgency", "ok"}, g.Sections()); diff != "" {
		t.Errorf("sections (-want +got):\n%s", diff)
	}
	a, b := g.Expand("urgency", 100), g.Expand("urgency", 100)
	if diff := cmp.Diff(a, b); diff != "" {
		t.Errorf("two expansions differ:\n%s", diff)
	}
	// 2 openings × 3 items × 2 verbs: every distinct line, and no more.
	if len(a) != 12 {
		t.Errorf("%d lines, want the 12 the grammar can make", len(a))
	}
	seen := map[string]bool{}
	for _, l := range a {
		if seen[l.Text] || l.Family != "urgency" || l.Source != "corpus/xx.txt:4" {
			t.Errorf("line %+v: repeated, or wrong family or source", l)
		}
		seen[l.Text] = true
	}
	if !seen["Hurry, the seeded bagels ends tonight."] {
		t.Errorf("a nested choice was not drawn: %v", a)
	}
	ok := g.Expand("ok", 10)
	if len(ok) != 6 || !strings.HasPrefix(ok[0].Text, "The ") || strings.Contains(ok[0].Text, "  ") {
		t.Errorf("ok lines %v: want 6, tidy", ok)
	}
}

func TestParseNamesFileAndLine(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"template before a section", "The rye.\n", "corpus/xx.txt:1: a template before any == section"},
		{"unclosed group", "== ok\n(The|A rye.\n", "corpus/xx.txt:2: ( is not closed"},
		{"undefined slot", "== ok\nThe @loaf.\n", "corpus/xx.txt: slot @loaf is used but not defined"},
		{"stray bar", "== ok\nThe | rye.\n", `corpus/xx.txt:2: unexpected "| rye."`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("corpus/xx.txt", []byte(tt.src))
			if err == nil || err.Error() != tt.want {
				t.Errorf("Parse error %v, want %q", err, tt.want)
			}
		})
	}
}

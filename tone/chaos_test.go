package tone

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Found by the crash harness (bench/chaos): about one message in fifty was
// held for shouting because the signed token in a footer link happened to
// hold a run of capitals.
func TestChaosLinksAreNotShouting(t *testing.T) {
	c, err := New("warm")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, text string
		want       []string
	}{
		{"token in a footer link", "Dear Ana,\n\nHappy birthday.\n\nUnsubscribe: https://crumb.example/u/AQJ6DNGxUSIW9E-DFAIq\nWhy? http://127.0.0.1:8080/why/ABCDEFGH\n", nil},
		{"link in an HTML attribute", `<a href="https://crumb.example/p/XYZWQRT">Preferences</a>`, nil},
		{"shouting next to a link still counts", "LAST CHANCE at https://crumb.example/u/ABCDEF", []string{"courteous.caps-word", "courteous.caps-word"}},
		{"a word merely starting with http", "httpd BOOM", []string{"courteous.caps-word"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, f := range c.Check(Context{}, tt.text) {
				if f.Rule == "courteous.caps-word" {
					got = append(got, f.Rule)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("caps-word findings (-want +got):\n%s", diff)
			}
		})
	}
}

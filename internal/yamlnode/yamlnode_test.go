package yamlnode

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSuggest(t *testing.T) {
	known := []string{"subject", "text", "html", "templates_dir", "max_per_second"}
	tests := []struct{ word, want string }{
		{"subjet", "subject"},
		{"txet", "text"},
		{"HTML", "html"},
		{"templates_directory", "templates_dir"},
		{"max_per_secnd", "max_per_second"},
		{"colour", ""},
		{"tx", ""},
	}
	for _, tt := range tests {
		if got := Suggest(tt.word, known); got != tt.want {
			t.Errorf("Suggest(%q) = %q, want %q", tt.word, got, tt.want)
		}
	}
}

func TestMapReportsDuplicatesUnknownsAndTypes(t *testing.T) {
	doc, root := Parse("f.yaml", []byte("a: 1\nb: [x]\na: 2\nc:\n  d: yes\nzz: 1\n"))
	m := doc.Map(root, "")
	var a int
	var b string
	m.Int("a", &a)
	m.String("b", &b)
	c := m.Sub("c")
	var d bool
	c.Bool("d", &d)
	c.Close()
	m.Close()
	got := doc.Diags.Strings()
	want := []string{
		`f.yaml:3: a: is written twice (first at line 1)`,
		`f.yaml:2: b: must be a single value, not a list`,
		`f.yaml:5: c.d: "yes" is not true or false`,
		`f.yaml:6: zz: unknown key (known: a, b, c)`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if a != 1 {
		t.Errorf("a = %d, want the first value", a)
	}
}

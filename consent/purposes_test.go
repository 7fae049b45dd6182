package consent

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"
)

func TestPurposesYAMLKeepsOrder(t *testing.T) {
	src := `
purposes:
  surveys:   { title: "Feedback surveys", description: "One short question." }
  birthday:  { title: "Birthday treats", description: "A greeting." }
`
	var cfg struct {
		Purposes Purposes `yaml:"purposes"`
	}
	if err := yaml.Unmarshal([]byte(src), &cfg); err != nil {
		t.Fatal(err)
	}
	want := Purposes{
		{ID: "surveys", Title: "Feedback surveys", Description: "One short question."},
		{ID: "birthday", Title: "Birthday treats", Description: "A greeting."},
	}
	if diff := cmp.Diff(want, cfg.Purposes); diff != "" {
		t.Errorf("purposes (-want +got):\n%s", diff)
	}
	if err := cfg.Purposes.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
}

func TestPurposesValidate(t *testing.T) {
	tests := []struct {
		name string
		ps   Purposes
		want string // substring of the error; "" for none
	}{
		{name: "fine", ps: Purposes{{ID: "a", Title: "A"}}},
		{name: "reserved", ps: Purposes{{ID: "*", Title: "All"}}, want: "reserved"},
		{name: "bad id", ps: Purposes{{ID: "Birth Day", Title: "B"}}, want: "not a purpose id"},
		{name: "twice", ps: Purposes{{ID: "a", Title: "A"}, {ID: "a", Title: "A"}}, want: "twice"},
		{name: "no title", ps: Purposes{{ID: "a"}}, want: "title"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.ps.Validate()
			if (err == nil) != (tt.want == "") || err != nil && !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Validate() = %v, want error containing %q", err, tt.want)
			}
		})
	}
}

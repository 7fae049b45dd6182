package config

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/courtesyhq/courtesy"
)

func TestSignupNotice(t *testing.T) {
	c := mustParse(t, "courtesy.yaml", minimal)
	if diff := cmp.Diff(DefaultNotice, c.Signup.Notice); diff != "" {
		t.Errorf("no signup section: notice (-want +got):\n%s", diff)
	}
	c = mustParse(t, "courtesy.yaml", minimal+"signup:\n  notice:\n    version: \"2026-11\"\n    text: \"  We write about what you tick.  \"\n  privacy_url: https://crumb.example/privacy\n")
	want := Signup{Notice: Notice{Version: "2026-11", Text: "We write about what you tick."}, PrivacyURL: "https://crumb.example/privacy"}
	if diff := cmp.Diff(want, c.Signup); diff != "" {
		t.Errorf("signup (-want +got):\n%s", diff)
	}
}

// TestSignupNoticePerLocale: the notice may be written per locale, as a
// purpose's title may; the business locale's is the default, and a reader
// gets the one of their language, with the locale it is written under.
func TestSignupNoticePerLocale(t *testing.T) {
	c := mustParse(t, "courtesy.yaml", minimal+"signup:\n  notice:\n    version: \"2026-11\"\n    text:\n      en: We write about what you tick.\n      de_DE: \" Wir schreiben nur über das, was Sie ankreuzen. \"\n")
	n := c.Signup.Notice
	if n.Text != "We write about what you tick." {
		t.Errorf("default text %q, want the business locale's", n.Text)
	}
	for lang, want := range map[string][2]string{
		"de":    {"Wir schreiben nur über das, was Sie ankreuzen.", "de-DE"},
		"de-AT": {"Wir schreiben nur über das, was Sie ankreuzen.", "de-DE"},
		"en-GB": {"We write about what you tick.", "en"},
		"fr":    {"We write about what you tick.", ""},
	} {
		if text, loc := n.TextIn(lang); text != want[0] || loc != want[1] {
			t.Errorf("TextIn(%s) = %q, %q; want %q, %q", lang, text, loc, want[0], want[1])
		}
	}
}

func TestSignupValidation(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       []string
	}{
		{
			name: "text without version",
			yaml: "signup:\n  notice:\n    text: We write about what you tick.\n",
			want: []string{`courtesy.yaml:11: signup.notice.version: is required with a text: each consent records which wording was shown`},
		},
		{
			name: "version without text",
			yaml: "signup:\n  notice:\n    version: \"3\"\n",
			want: []string{`courtesy.yaml:11: signup.notice.text: is required with a version: it is what a person agrees to`},
		},
		{
			name: "empty text of one locale",
			yaml: "signup:\n  notice:\n    version: \"3\"\n    text:\n      en: We write about what you tick.\n      es: \"\"\n",
			want: []string{`courtesy.yaml:15: signup.notice.text.es: is empty: a person reading es would agree to nothing`},
		},
		{
			name: "plain http privacy link",
			yaml: "signup:\n  privacy_url: http://crumb.example/privacy\n",
			want: []string{`courtesy.yaml:11: signup.privacy_url: "http://crumb.example/privacy" must be https`},
		},
		{
			name: "typo",
			yaml: "signup:\n  privacy: https://crumb.example/privacy\n",
			want: []string{`courtesy.yaml:11: signup.privacy: unknown key (did you mean "privacy_url"?)`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("courtesy.yaml", []byte(minimal+tt.yaml))
			var ds courtesy.Diagnostics
			if !errors.As(err, &ds) {
				t.Fatalf("Parse error = %v, want Diagnostics", err)
			}
			if diff := cmp.Diff(tt.want, ds.Strings()); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s", diff)
			}
		})
	}
}

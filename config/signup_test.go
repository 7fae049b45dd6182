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

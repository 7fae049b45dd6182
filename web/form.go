package web

import (
	"embed"
	"fmt"
	"html/template"
	"io"
	"slices"
	"strings"

	"github.com/courtesyhq/courtesy/consent"
)

//go:embed templates/embed/form.html
var embedFS embed.FS

var embedForm = template.Must(template.ParseFS(embedFS, "templates/embed/form.html"))

// FormOptions are what a sign-up form for another site says and where it
// posts.
type FormOptions struct {
	BaseURL  string // the form posts to BaseURL/join
	Business string
	Purposes consent.Purposes
	// Only, when set, limits the form to these purposes, in the order
	// Purposes has them.
	Only   []string
	Signup SignupConfig
}

// WriteForm writes a self-contained sign-up form, without script, for a
// shop to paste into its own site: the same fields as /join, every box
// unticked, the notice and its version, the hidden honeypot. A purpose in
// Only that Purposes lacks is an error naming it.
func WriteForm(w io.Writer, o FormOptions) error {
	for _, id := range o.Only {
		if _, ok := o.Purposes.Get(id); !ok {
			return fmt.Errorf("%q is not a purpose in the config (configured: %s)", id, strings.Join(o.Purposes.IDs(), ", "))
		}
	}
	v := struct {
		joinView
		Business string
	}{Business: o.Business}
	v.Action = strings.TrimRight(o.BaseURL, "/") + "/join"
	v.Notice, v.Version, v.PrivacyURL = o.Signup.NoticeText, o.Signup.NoticeVersion, o.Signup.PrivacyURL
	for _, p := range o.Purposes {
		if len(o.Only) == 0 || slices.Contains(o.Only, p.ID) {
			v.Purposes = append(v.Purposes, purposeRow{ID: p.ID, Title: p.Title, Description: p.Description})
		}
	}
	v.Months = monthOptions()
	return embedForm.Execute(w, v)
}

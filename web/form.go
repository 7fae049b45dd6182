package web

import (
	"cmp"
	"embed"
	"fmt"
	"html/template"
	"io"
	"slices"
	"strings"

	"github.com/courtesyhq/courtesy/consent"
	"github.com/courtesyhq/courtesy/locale"
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
	// Locale is the BCP 47 language the form is written in: its words,
	// the purposes' titles and the notice, where the shop wrote them in it.
	// The form sends it with the sign-up, so the confirmation and the
	// customer are in the language the person read. Defaults to
	// DefaultLocale, which the form does not send: the visitor's browser
	// then names the customer's language, as on /join.
	Locale string
	// DefaultLocale is the business's locale. Defaults to English.
	DefaultLocale string
}

// WriteForm writes a self-contained sign-up form, without script, for a
// shop to paste into its own site: the same fields as /join, every box
// unticked, the notice and its version, the hidden honeypot, all in the
// form's language. A purpose in Only that Purposes lacks, or a Locale that
// is not a BCP 47 tag, is an error naming it.
func WriteForm(w io.Writer, o FormOptions) error {
	for _, id := range o.Only {
		if _, ok := o.Purposes.Get(id); !ok {
			return fmt.Errorf("%q is not a purpose in the config (configured: %s)", id, strings.Join(o.Purposes.IDs(), ", "))
		}
	}
	var t tongue
	if lang := cmp.Or(o.Locale, o.DefaultLocale); lang != "" {
		tag, err := locale.Parse(lang)
		if err != nil {
			return fmt.Errorf("locale %q: %w", lang, err)
		}
		t = tongue{words: locale.For(tag), chose: true}
	}
	v := struct {
		joinView
		Business string
		Locale   string
		L        tongue
	}{Business: o.Business, L: t}
	if o.Locale != "" {
		v.Locale, _ = locale.Normalize(o.Locale)
	}
	v.Action = strings.TrimRight(o.BaseURL, "/") + "/join"
	v.Version, v.PrivacyURL = o.Signup.NoticeVersion, o.Signup.PrivacyURL
	// The notice of the language the form's words are in, as /join
	// shows it, and the locale it is written under for the sign-up to
	// record.
	v.Notice, v.NoticeLocale = o.Signup.noticeFor(t.chosen())
	for _, p := range o.Purposes {
		if len(o.Only) == 0 || slices.Contains(o.Only, p.ID) {
			v.Purposes = append(v.Purposes, purposeRow{ID: p.ID, Title: p.TitleIn(t.chosen()), Description: p.DescriptionIn(t.chosen())})
		}
	}
	v.Months = monthsIn(t)
	return embedForm.Execute(w, v)
}

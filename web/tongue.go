package web

import (
	"fmt"
	"html"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/locale"
)

// tongue is the language a page speaks to its reader in, and the time zone
// it gives times in: the token's customer's, else the browser's language
// and the business's zone.
type tongue struct {
	words locale.Words
	loc   *time.Location
	// chose is false for the zero tongue, which speaks the business's own
	// words: what records keep.
	chose bool
	// langs are the language switcher's links, on the pages that have one.
	langs []langLink
}

// tongueFor is the tongue of a page opened from a customer's link: the
// language ?lang= asks for, else their locale, in their zone when they are
// on file; else the browser's language.
func (s *Server) tongueFor(r *http.Request, customerID string) tongue {
	if customerID != "" {
		if c, err := s.deps.Store.Customer(r.Context(), customerID); err == nil {
			want := c.Locale
			if lp := langParam(r); lp != "" {
				want = lp
			}
			return tongue{words: locale.Pick(want, r.Header.Get("Accept-Language"), s.cfg.Locale), loc: c.Location(s.cfg.Location), chose: true}
		}
	}
	return s.visitorTongue(r)
}

// visitorTongue is the tongue of a page with no customer behind it: the
// language ?lang= asks for, else the best of Accept-Language, else the
// business's locale.
func (s *Server) visitorTongue(r *http.Request) tongue { return s.localeTongue(r, "") }

// localeTongue speaks the language ?lang= asks for, else the locale a
// sign-up gave, else as visitorTongue.
func (s *Server) localeTongue(r *http.Request, want string) tongue {
	if lp := langParam(r); lp != "" {
		want = lp
	}
	return tongue{words: locale.Pick(want, r.Header.Get("Accept-Language"), s.cfg.Locale), loc: s.cfg.Location, chose: true}
}

// chosen is the reader's language for the business's own words (purpose
// titles, campaign names): "" for the zero tongue, which gets the default.
func (t tongue) chosen() string {
	if !t.chose {
		return ""
	}
	return t.Lang()
}

// mailTongue is the tongue of an email to a person whose locale is want
// (none: the business's) and whose zone is zone.
func (s *Server) mailTongue(want string, zone *time.Location) tongue {
	return tongue{words: locale.Pick(want, "", s.cfg.Locale), loc: zone, chose: true}
}

// Lang is the BCP 47 tag of the page's language, for <html lang>.
func (t tongue) Lang() string { return t.words.Lang().String() }

// T is courtesy's words for key.
func (t tongue) T(key string, args ...any) string { return t.words.T(key, args...) }

// HTML is T for words with markup in their arguments: the words are
// escaped, and each argument is escaped too unless it is template.HTML
// (a link built by Link).
func (t tongue) HTML(key string, args ...any) template.HTML {
	marks := make([]any, len(args))
	for i := range args {
		marks[i] = fmt.Sprintf("\x00%d\x00", i)
	}
	s := html.EscapeString(t.words.T(key, marks...))
	for i, a := range args {
		h, ok := a.(template.HTML)
		if !ok {
			h = template.HTML(html.EscapeString(fmt.Sprint(a)))
		}
		s = strings.ReplaceAll(s, fmt.Sprintf("\x00%d\x00", i), string(h))
	}
	return template.HTML(s)
}

// Link is an <a> to href with text, escaped, for HTML's arguments.
func (t tongue) Link(href, text string) template.HTML {
	return template.HTML(`<a href="` + html.EscapeString(href) + `">` + html.EscapeString(text) + `</a>`)
}

// Strong is text in <strong>, escaped, for HTML's arguments.
func (t tongue) Strong(text string) template.HTML {
	return template.HTML(`<strong>` + html.EscapeString(text) + `</strong>`)
}

// Date is a calendar day in the reader's zone: "14. März 2027".
func (t tongue) Date(at time.Time) string {
	if at.IsZero() {
		return ""
	}
	return t.words.Date(at.In(t.zone()))
}

// When is a moment in the reader's zone: "28 November 2026, 09:00 GMT".
func (t tongue) When(at time.Time) string {
	if at.IsZero() {
		return ""
	}
	return t.words.DateTime(at, t.zone())
}

// DayMonth is a day of the year: "14 de março".
func (t tongue) DayMonth(m time.Month, day int) string { return t.words.DayMonth(m, day) }

// How says in words how a consent record came about.
func (t tongue) How(source string) string {
	switch source {
	case "one-click", "unsubscribe-page", "preferences", "form", "import", "api", "bounce", "complaint", "admin", "signup-form":
		return t.T("how." + source)
	case "":
		return t.T("how.none")
	}
	return source
}

// Rule says in words what started a message: "heute, am 1. Dezember, ist
// Ihr Geburtstag in Europe/Berlin". It is "" for what it cannot word.
func (t tongue) Rule(f *courtesy.Fired) string {
	if f == nil {
		return ""
	}
	loc, err := time.LoadLocation(f.Zone)
	if err != nil {
		loc = t.zone()
	}
	on := f.On.In(loc)
	day := t.DayMonth(on.Month(), on.Day())
	switch f.Kind {
	case "birthday":
		return t.T("rule.birthday", day, f.Zone)
	case "saved":
		return t.T("rule.saved", f.Item, day)
	case "bought":
		return t.T("rule.bought", day)
	}
	return ""
}

// Limit words a frequency limit the message passed or met: "höchstens 2
// Nachrichten pro Woche von uns". A limit an older row kept as English
// words is shown as it was written.
func (t tongue) Limit(h courtesy.LimitHit) string {
	if h.Count == 0 {
		return h.Text
	}
	return t.words.Limit(h.Scope, h.Count, h.Window)
}

// dataFields are the names the planner gives the data a message used, and
// the words that name each in every language.
var dataFields = map[string]string{
	"first name": "data.first_name", "birthday (month and day)": "data.birthday", "time zone": "data.timezone",
	"the item you saved": "data.item", "when you saved it": "data.saved_at", "the date of your purchase": "data.purchase_date",
}

// DataField names a field of the customer's data in the reader's language.
func (t tongue) DataField(name string) string {
	if key, ok := dataFields[name]; ok {
		return t.T(key)
	}
	return name
}

func (t tongue) zone() *time.Location {
	if t.loc == nil {
		return time.UTC
	}
	return t.loc
}

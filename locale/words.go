package locale

import (
	"strconv"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// Words is courtesy's own words in one shipped language. The zero value
// speaks English.
type Words struct {
	tag language.Tag
	p   *message.Printer
}

// For returns the words of the shipped language that best matches tag, or
// English when none does.
func For(tag language.Tag) Words {
	s := catalogs()
	best := language.English
	if i, ok := Match(tag, s.tags); ok {
		best = s.tags[i]
	}
	return Words{tag: best, p: message.NewPrinter(best, message.Catalog(s.cat))}
}

// Lang returns the language the words are in: one of Shipped.
func (w Words) Lang() language.Tag {
	if w.p == nil {
		return language.English
	}
	return w.tag
}

func (w Words) printer() *message.Printer {
	if w.p == nil {
		return For(language.English).p
	}
	return w.p
}

// T returns the words for key, with args put in as the catalog's format
// says. Numbers are written as the language writes them.
func (w Words) T(key string, args ...any) string {
	return w.printer().Sprintf(key, args...)
}

// Month is the name of m as it stands in a date ("März", "de março").
func (w Words) Month(m time.Month) string {
	return w.T("month." + strconv.Itoa(int(m)))
}

// DayMonth writes a day of the year without the year: "14 March",
// "14. März", "14 de março".
func (w Words) DayMonth(m time.Month, day int) string {
	return w.T("date.day_month", strconv.Itoa(day), w.Month(m))
}

// Date writes t's calendar day in t's own zone: "14 March 2027",
// "14. März 2027". The year is passed as text, so it is never grouped
// like a number ("2.027").
func (w Words) Date(t time.Time) string {
	return w.T("date.long", strconv.Itoa(t.Day()), w.Month(t.Month()), strconv.Itoa(t.Year()))
}

// DateTime writes t in loc with its zone's abbreviation: "28 November 2026,
// 09:00 GMT", "28. November 2026, 09:00 CET".
func (w Words) DateTime(t time.Time, loc *time.Location) string {
	if loc != nil {
		t = t.In(loc)
	}
	return w.T("date.time", w.Date(t), w.T("time.short", t.Hour(), t.Minute()), t.Format("MST"))
}

// Number writes n as the language does: 1,234 or 1.234.
func (w Words) Number(n int) string {
	return w.printer().Sprint(n)
}

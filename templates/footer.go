package templates

import (
	"bytes"
	"html"
	"strings"

	"github.com/courtesyhq/courtesy/locale"
)

// The footer is written by hand rather than by a template: it is the same
// for every message, must never be left out, and this is the hot path.

func textWithFooter(body *bytes.Buffer, d Data, w locale.Words) string {
	text := strings.TrimRight(body.String(), " \t\r\n")
	var b strings.Builder
	b.Grow(len(text) + 256 + len(d.Links.Unsubscribe) + len(d.Links.Preferences) + len(d.Links.Why))
	b.WriteString(text)
	b.WriteString("\n\n-- \n")
	b.WriteString(oneLine(d.Business.Name))
	b.WriteString(", ")
	b.WriteString(oneLine(d.Business.PostalAddress))
	b.WriteString("\n" + w.T("footer.why") + " ")
	b.WriteString(d.Links.Why)
	b.WriteString("\n" + w.T("footer.preferences") + ": ")
	b.WriteString(d.Links.Preferences)
	b.WriteString("\n" + w.T("footer.unsubscribe") + ": ")
	b.WriteString(d.Links.Unsubscribe)
	b.WriteString("\n")
	return b.String()
}

// htmlWithFooter puts the footer before </body> when the template has one,
// else at the end.
func htmlWithFooter(body []byte, d Data, w locale.Words) string {
	at := len(body)
	if i := lastIndexFold(body, "</body>"); i >= 0 {
		at = i
	}
	esc := html.EscapeString
	var b strings.Builder
	b.Grow(len(body) + 512)
	b.Write(body[:at])
	b.WriteString(`<div class="courtesy-footer" style="margin-top:2em;padding-top:1em;border-top:1px solid #ddd;font-size:12px;line-height:1.5;color:#555">` + "\n")
	b.WriteString(`<p>`)
	b.WriteString(esc(oneLine(d.Business.Name)))
	b.WriteString(` &middot; `)
	b.WriteString(esc(oneLine(d.Business.PostalAddress)))
	b.WriteString("</p>\n<p>")
	b.WriteString(`<a href="` + esc(d.Links.Why) + `">` + esc(w.T("footer.why")) + `</a> &middot; `)
	b.WriteString(`<a href="` + esc(d.Links.Preferences) + `">` + esc(w.T("footer.preferences")) + `</a> &middot; `)
	b.WriteString(`<a href="` + esc(d.Links.Unsubscribe) + `">` + esc(w.T("footer.unsubscribe")) + `</a>`)
	b.WriteString("</p>\n</div>\n")
	b.Write(body[at:])
	return b.String()
}

func lastIndexFold(b []byte, s string) int {
	needle := []byte(s)
	for i := len(b) - len(needle); i >= 0; i-- {
		if bytes.EqualFold(b[i:i+len(needle)], needle) {
			return i
		}
	}
	return -1
}

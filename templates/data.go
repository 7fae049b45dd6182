package templates

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/courtesyhq/courtesy"
)

// Data is everything a template may read. Its shape is part of the
// user-facing contract: templates name these fields.
type Data struct {
	Customer Customer
	Business Business
	Campaign Campaign
	Item     Item // reminders only; zero otherwise
	Links    Links
}

// Customer is the part of a customer a message may show.
type Customer struct {
	ID        string
	FirstName string
	LastName  string
	Locale    string
}

// Business is the sender.
type Business struct {
	Name          string
	PostalAddress string
}

// Campaign names the campaign the message belongs to.
type Campaign struct {
	ID   string
	Name string
}

// Item is the saved item a reminder is about.
type Item struct {
	ID   string
	Name string
	URL  string
}

// Links are the signed links of one message. Unsubscribe, Preferences and
// Why are required: Render refuses a message without its way out.
type Links struct {
	Unsubscribe string
	Preferences string
	Why         string
	Survey      [11]string // the answer links for scores 0 to 10
}

// NewCustomer takes what a template may show of c.
func NewCustomer(c courtesy.Customer) Customer {
	return Customer{ID: c.ID, FirstName: c.FirstName, LastName: c.LastName, Locale: c.Locale}
}

// SampleData is a plausible message for b's campaign c, with links on
// baseURL (https://shop.example when empty), for lint and previews.
func SampleData(baseURL string, b Business, c Campaign) Data {
	if baseURL == "" {
		baseURL = "https://shop.example"
	}
	baseURL = strings.TrimRight(baseURL, "/")
	d := Data{
		Customer: Customer{ID: "sample", FirstName: "Alex", LastName: "Morgan", Locale: "en-GB"},
		Business: b,
		Campaign: c,
		Item:     Item{ID: "sample-item", Name: "Sample item", URL: baseURL + "/items/sample-item"},
		Links: Links{
			Unsubscribe: baseURL + "/u/sample-token",
			Preferences: baseURL + "/p/sample-token",
			Why:         baseURL + "/why/sample-token",
		},
	}
	for i := range d.Links.Survey {
		d.Links.Survey[i] = fmt.Sprintf("%s/s/sample-token?score=%d", baseURL, i)
	}
	return d
}

// EdgeCaseCustomers are the customers a template must still read well for:
// no first name, a very long name, names in non-Latin scripts, a name typed
// in capitals and a name carrying a line break.
func EdgeCaseCustomers() []Customer {
	return []Customer{
		{ID: "edge-empty-name", FirstName: "", LastName: "", Locale: "en"},
		{ID: "edge-long-name", FirstName: "Maximilliana-Alexandrina", LastName: "Konstantinopoulou-Featherstonehaugh", Locale: "en-GB"},
		{ID: "edge-japanese", FirstName: "美咲", LastName: "佐藤", Locale: "ja-JP"},
		{ID: "edge-arabic", FirstName: "ليلى", LastName: "حداد", Locale: "ar"},
		{ID: "edge-capitals", FirstName: "MARIA", LastName: "GARCÍA", Locale: "es"},
		{ID: "edge-line-break", FirstName: "Sam\r\nBcc: x@example.com", LastName: "Lee", Locale: "en"},
	}
}

// DisplayName is how a name is shown: control characters (line breaks
// among them) become spaces, runs of space collapse, and a name typed all in
// capitals ("MARIA", "JEAN-LUC") is shown in title case ("Maria",
// "Jean-Luc"). Any other name is shown exactly as the customer gave it:
// "McDonald", "de la Cruz" and "Zoë" stay as they are.
func DisplayName(s string) string {
	s = oneLine(s)
	letters, upper := 0, 0
	for _, r := range s {
		if unicode.IsLetter(r) && (unicode.IsUpper(r) || unicode.IsLower(r)) {
			letters++
			if unicode.IsUpper(r) {
				upper++
			}
		}
	}
	if letters < 2 || upper != letters {
		return s
	}
	var b strings.Builder
	start := true
	for _, r := range s {
		if start {
			b.WriteRune(unicode.ToTitle(r))
		} else {
			b.WriteRune(unicode.ToLower(r))
		}
		start = !unicode.IsLetter(r)
	}
	return b.String()
}

// oneLine replaces control and line-separator characters with spaces,
// collapses runs of space and trims: what a header or a name needs.
func oneLine(s string) string {
	clean := true
	for _, r := range s {
		if r < ' ' || r == 0x7f || r == '\u2028' || r == '\u2029' || r == '\u0085' {
			clean = false
			break
		}
	}
	if clean && !strings.Contains(s, "  ") && strings.TrimSpace(s) == s {
		return s
	}
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r) || r == '\u2028' || r == '\u2029'
	}), " ")
}

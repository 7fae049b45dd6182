package signup

import (
	"fmt"
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/courtesyhq/courtesy"
)

// Request is what a person asked for on a sign-up form.
type Request struct {
	Email     string
	FirstName string            // optional
	Birthday  courtesy.MonthDay // optional; month and day only
	Locale    string            // BCP 47; empty means the business's default
	Purposes  []string          // the purposes ticked, in the business's order
}

// Form is a sign-up as it arrives, every field a string.
type Form struct {
	Email     string
	FirstName string
	Birthday  string // MM-DD, or YYYY-MM-DD of which only the month and day are kept
	Locale    string
	Purposes  []string
}

// FieldError names the field a person must correct and says how: Code for
// a page that words it in the visitor's language, Message for an API.
type FieldError struct {
	Field   string // email, first_name, birthday, locale, purposes
	Code    string // required, invalid, too-long, none, unknown
	Message string
}

func (e FieldError) Error() string { return e.Field + ": " + e.Message }

// Limits on what a form may carry, so a token stays a short link.
const (
	MaxEmail     = 254 // RFC 5321's longest path
	MaxFirstName = 100
	maxLocale    = 35
)

var localeTag = regexp.MustCompile(`^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$`)

// Check reads a form against the purposes the business offers (known, in
// its order). It returns the request, or one error per field that is wrong.
// Purposes are kept in the business's order whatever the form's, each once.
func Check(f Form, known []string) (Request, []FieldError) {
	var errs []FieldError
	r := Request{
		Email:     strings.TrimSpace(f.Email),
		FirstName: strings.TrimSpace(f.FirstName),
		Locale:    strings.TrimSpace(f.Locale),
	}
	if code, msg := checkEmail(r.Email); code != "" {
		errs = append(errs, FieldError{Field: "email", Code: code, Message: msg})
	}
	switch {
	case !utf8.ValidString(r.FirstName) || strings.ContainsFunc(r.FirstName, unicode.IsControl):
		errs = append(errs, FieldError{Field: "first_name", Code: "invalid", Message: "contains characters a name does not have"})
	case utf8.RuneCountInString(r.FirstName) > MaxFirstName:
		errs = append(errs, FieldError{Field: "first_name", Code: "too-long", Message: fmt.Sprintf("is longer than %d characters", MaxFirstName)})
	}
	if md, err := courtesy.ParseMonthDay(f.Birthday); err != nil {
		errs = append(errs, FieldError{Field: "birthday", Code: "invalid", Message: "is not a day of the year (month and day)"})
	} else {
		r.Birthday = md
	}
	if r.Locale != "" && !ValidLocale(r.Locale) {
		errs = append(errs, FieldError{Field: "locale", Code: "invalid", Message: "is not a language tag such as en or pt-BR"})
	}
	for _, p := range known {
		if slices.Contains(f.Purposes, p) {
			r.Purposes = append(r.Purposes, p)
		}
	}
	for _, p := range f.Purposes {
		if !slices.Contains(known, p) {
			errs = append(errs, FieldError{Field: "purposes", Code: "unknown", Message: "names a topic we do not offer"})
			break
		}
	}
	if len(f.Purposes) == 0 {
		errs = append(errs, FieldError{Field: "purposes", Code: "none", Message: "tick at least one topic"})
	}
	if errs != nil {
		return Request{}, errs
	}
	return r, nil
}

// checkEmail says what is wrong with an address, as a code and in words,
// or "" when nothing is.
func checkEmail(s string) (code, msg string) {
	if s == "" {
		return "required", "is required"
	}
	if len(s) > MaxEmail {
		return "too-long", fmt.Sprintf("is longer than %d characters", MaxEmail)
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return "invalid", "is not an email address"
	}
	at := strings.LastIndexByte(s, '@')
	domain := s[at+1:]
	if at < 1 || !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") ||
		strings.ContainsAny(s, " \t\"()<>[]\\,;:") {
		return "invalid", "is not an email address"
	}
	return "", ""
}

// ValidLocale reports whether s is a language tag a request may carry.
func ValidLocale(s string) bool { return len(s) <= maxLocale && localeTag.MatchString(s) }

// NormalAddress is the form of an address that limits and look-ups key on:
// trimmed and lower-cased, as mail providers treat addresses.
func NormalAddress(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

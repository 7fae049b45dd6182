package locale

import (
	"fmt"
	"strings"

	"golang.org/x/text/language"
)

// Parse reads a BCP 47 locale such as "de", "pt-BR" or "en_GB" (the
// underscore form CSV exports often carry).
func Parse(s string) (language.Tag, error) {
	s = strings.ReplaceAll(strings.TrimSpace(s), "_", "-")
	if s == "" {
		return language.Und, fmt.Errorf("no locale")
	}
	t, err := language.Parse(s)
	if err != nil {
		return language.Und, fmt.Errorf("%q is not a BCP 47 locale such as de or pt-BR", s)
	}
	return t, nil
}

// Match returns the index in have of the best match for want, by the
// standard rules: pt-BR matches pt-BR, then pt; de-AT matches de. It
// reports false when nothing in have is a good match, so that the caller
// falls back to its default rather than to a neighbouring language.
func Match(want language.Tag, have []language.Tag) (int, bool) {
	if len(have) == 0 || want == language.Und {
		return 0, false
	}
	// A locale written out, or its parent, is what its author meant: the
	// matcher alone would send "pt" and "pt-PT" to a pt-BR template, as
	// CLDR takes pt to be Brazilian.
	for t := want; t != language.Und; t = t.Parent() {
		for i, h := range have {
			if h == t {
				return i, true
			}
		}
	}
	_, i, conf := language.NewMatcher(have).Match(want)
	return i, conf >= language.High
}

// Pick returns the shipped words for the first of the given locales that a
// shipped language matches: a customer's own locale, then the languages a
// browser accepts (an Accept-Language header), then the business's default.
// Empty or unreadable candidates are skipped.
func Pick(customer, acceptLanguage, fallback string) Words {
	shipped := catalogs().tags
	if t, err := Parse(customer); err == nil {
		if _, ok := Match(t, shipped); ok {
			return For(t)
		}
	}
	if wants, _, err := language.ParseAcceptLanguage(acceptLanguage); err == nil {
		for _, t := range wants {
			if _, ok := Match(t, shipped); ok {
				return For(t)
			}
		}
	}
	t, _ := Parse(fallback)
	return For(t)
}

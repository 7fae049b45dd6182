package locale

import (
	"sort"

	"golang.org/x/text/language"
)

// Normalize writes a BCP 47 locale as x/text does ("pt_br" → "pt-BR"), so
// that one locale has one key.
func Normalize(s string) (string, error) {
	t, err := Parse(s)
	if err != nil {
		return "", err
	}
	return t.String(), nil
}

// Choose returns the text of byLocale that best matches lang, by the same
// rules as messages, and whether one does.
func Choose(byLocale map[string]string, lang string) (string, bool) {
	k, ok := ChooseKey(byLocale, lang)
	return byLocale[k], ok
}

// ChooseKey returns the locale of byLocale whose text Choose would return,
// and whether there is one.
func ChooseKey(byLocale map[string]string, lang string) (string, bool) {
	if len(byLocale) == 0 {
		return "", false
	}
	want, err := Parse(lang)
	if err != nil {
		return "", false
	}
	keys := make([]string, 0, len(byLocale))
	for k := range byLocale {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	tags := make([]language.Tag, len(keys))
	for i, k := range keys {
		tags[i], _ = Parse(k)
	}
	i, ok := Match(want, tags)
	if !ok {
		return "", false
	}
	return keys[i], true
}

// ChooseOr is Choose with a fallback: the default text written plainly, or
// the one of the default language.
func ChooseOr(byLocale map[string]string, lang, fallback string) string {
	if s, ok := Choose(byLocale, lang); ok {
		return s
	}
	return fallback
}

// DefaultOf is the default of a text written only per locale: the one
// that matches lang (the business's locale), else the first locale's in
// sorted order; "" when there is none.
func DefaultOf(byLocale map[string]string, lang string) string {
	if s, ok := Choose(byLocale, lang); ok {
		return s
	}
	keys := make([]string, 0, len(byLocale))
	for k := range byLocale {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if len(keys) == 0 {
		return ""
	}
	return byLocale[keys[0]]
}

package templates

import (
	"golang.org/x/text/language"

	"github.com/courtesyhq/courtesy/locale"
)

// Set is one message in every language it is written in: the default and
// its translations. A message is in one language from subject to footer,
// so For picks a whole Template, never a part of one.
type Set struct {
	all  []*Template // the default first
	tags []language.Tag
}

// NewSet returns the message def with its translations.
func NewSet(def *Template, translations ...*Template) *Set {
	s := &Set{all: append([]*Template{def}, translations...)}
	for _, t := range s.all {
		s.tags = append(s.tags, t.lang)
	}
	return s
}

// For returns the message for a customer's BCP 47 locale by the standard
// rules (pt-BR, then pt), or the default when no translation matches: the
// whole message, footer included, is then in the default language.
func (s *Set) For(customerLocale string) *Template {
	tag, err := locale.Parse(customerLocale)
	if err != nil {
		return s.all[0]
	}
	if i, ok := locale.Match(tag, s.tags); ok {
		return s.all[i]
	}
	return s.all[0]
}

// Default returns the message in the default language.
func (s *Set) Default() *Template { return s.all[0] }

// All returns the default and then each translation.
func (s *Set) All() []*Template { return append([]*Template(nil), s.all...) }

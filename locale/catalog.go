package locale

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"sync"

	"golang.org/x/text/language"
	"golang.org/x/text/message/catalog"
)

//go:embed catalog/*/messages.gotext.json
var catalogFS embed.FS

// file is the gotext JSON catalog format, the part of it courtesy uses.
type file struct {
	Language string `json:"language"`
	Messages []struct {
		ID          string `json:"id"`
		Message     string `json:"message"`
		Translation string `json:"translation"`
	} `json:"messages"`
}

// catalogs is every shipped language's words, read once: the files are
// embedded, so a file that does not decode is a bug in the build and panics.
var catalogs = sync.OnceValue(func() *shipped {
	s, err := readCatalogs(catalogFS)
	if err != nil {
		panic(err)
	}
	return s
})

// shipped is the decoded catalogs: the x/text catalog the printers read,
// and the keys of each language for the completeness checks.
type shipped struct {
	cat  *catalog.Builder
	tags []language.Tag            // English first
	keys map[language.Tag][]string // sorted
	text map[language.Tag]map[string]string
}

func readCatalogs(fsys fs.FS) (*shipped, error) {
	names, err := fs.Glob(fsys, "catalog/*/messages.gotext.json")
	if err != nil {
		return nil, err
	}
	s := &shipped{
		cat:  catalog.NewBuilder(catalog.Fallback(language.English)),
		keys: map[language.Tag][]string{},
		text: map[language.Tag]map[string]string{},
	}
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		var f file
		if err := json.Unmarshal(data, &f); err != nil {
			return nil, fmt.Errorf("locale: %s: %w", name, err)
		}
		tag, err := language.Parse(f.Language)
		if err != nil || path.Base(path.Dir(name)) != f.Language {
			return nil, fmt.Errorf("locale: %s: language %q does not name its directory", name, f.Language)
		}
		words := map[string]string{}
		for _, m := range f.Messages {
			if m.Translation == "" {
				continue // untranslated: the fallback speaks, and the tests say so
			}
			if err := s.cat.SetString(tag, m.ID, m.Translation); err != nil {
				return nil, fmt.Errorf("locale: %s: %s: %w", name, m.ID, err)
			}
			words[m.ID] = m.Translation
			s.keys[tag] = append(s.keys[tag], m.ID)
		}
		sort.Strings(s.keys[tag])
		s.text[tag] = words
		if tag == language.English {
			s.tags = append([]language.Tag{tag}, s.tags...)
		} else {
			s.tags = append(s.tags, tag)
		}
	}
	return s, nil
}

// Shipped lists the languages courtesy has its own words in, English first.
func Shipped() []language.Tag {
	return append([]language.Tag(nil), catalogs().tags...)
}

// Keys lists the keys a language's catalog has, sorted.
func Keys(tag language.Tag) []string {
	return append([]string(nil), catalogs().keys[tag]...)
}

// Raw returns a language's own text for key, unformatted, and whether it has
// one: what the completeness checks compare.
func Raw(tag language.Tag, key string) (string, bool) {
	s, ok := catalogs().text[tag][key]
	return s, ok
}

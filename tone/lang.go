package tone

import (
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"sync"

	"golang.org/x/text/language"

	"github.com/courtesyhq/courtesy"
)

// defaultLang is the language of text with no language given, and the
// rules used for a language that has none of its own.
const defaultLang = "en"

// languages lists the languages with built-in rules: English, whose files
// are rules/*.yaml, and one directory of rules/ per other language.
var languages = sync.OnceValue(func() []string {
	out := []string{defaultLang}
	entries, _ := fs.ReadDir(builtinFS, "rules")
	for _, e := range entries {
		if e.IsDir() && e.Name() != "profiles" {
			out = append(out, e.Name())
		}
	}
	slices.Sort(out[1:])
	return out
})

// Languages lists the languages the built-in rules cover, as base language
// subtags ("de", "pt"); English first.
func Languages() []string { return slices.Clone(languages()) }

// BaseLanguage returns the base language of a BCP 47 tag in lower case
// ("pt" for "pt-BR", "de" for "de_AT"), or "" when tag is not one.
func BaseLanguage(tag string) string {
	tag = strings.TrimSpace(tag)
	if tag == "" {
		return ""
	}
	t, err := language.Parse(strings.ReplaceAll(tag, "_", "-"))
	if err != nil {
		return ""
	}
	b, _ := t.Base()
	return b.String()
}

// Covers reports whether lang (a BCP 47 tag; empty means English) has
// tone rules of its own.
func (c *Checker) Covers(lang string) bool {
	_, missing := c.set(lang)
	return missing == ""
}

// set returns the rules for lang and, when lang has none, the tag that was
// missing; the English rules stand in for it.
func (c *Checker) set(lang string) (*ruleset, string) {
	if lang == "" {
		return c.sets[defaultLang], ""
	}
	// The common tags ("de", "pt-BR") name their base language in lower
	// case before any subtag: found without parsing, which allocates.
	base := lang
	if i := strings.IndexAny(lang, "-_"); i >= 0 {
		base = lang[:i]
	}
	if rs := c.sets[base]; rs != nil {
		return rs, ""
	}
	if rs := c.sets[BaseLanguage(lang)]; rs != nil {
		return rs, ""
	}
	return c.sets[defaultLang], lang
}

// noRules is the finding that says a text was judged by rules of another
// language, so a pushy sentence in it may have passed unseen.
func noRules(lang string) Finding {
	return Finding{
		Rule: "courteous.language", Family: "language", Severity: courtesy.SeverityWarning, Line: 1, Col: 1,
		Message: fmt.Sprintf("courtesy has no tone rules for language %q, so the English rules judged this text and "+
			"pushy wording in it may pass unseen; read it yourself, or write it in a language with rules (%s)",
			lang, strings.Join(languages(), ", ")),
	}
}

// builtins parses the embedded rule files once; they are the same format as
// a shop's own files, read by the same code. The English files also hold the
// rules that read no words (capitals, exclamation marks, emoji, the sender,
// the model), which every language shares.
var builtins = sync.OnceValues(func() (map[string][]Rule, error) {
	english, diags := LoadRules(builtinFS, "rules")
	if len(diags) > 0 {
		return nil, fmt.Errorf("built-in tone rules: %w", diags)
	}
	var shared []Rule
	for _, r := range english {
		if r.wordless() {
			shared = append(shared, r)
		}
	}
	out := map[string][]Rule{defaultLang: english}
	for _, lang := range languages()[1:] {
		own, diags := LoadRules(builtinFS, path.Join("rules", lang))
		if len(diags) > 0 {
			return nil, fmt.Errorf("built-in tone rules (%s): %w", lang, diags)
		}
		// A language's files may add rules, and change a shared one by id
		// (the model rules' advice, with examples in the language).
		merged, err := merge(slices.Clone(shared), own)
		if err != nil {
			return nil, fmt.Errorf("built-in tone rules (%s): %w", lang, err)
		}
		out[lang] = merged
	}
	return out, nil
})

// wordless reports whether a rule reads no words of a language, so it
// judges text in any language alike.
func (r *Rule) wordless() bool {
	return r.Kind == Model || r.Kind == Ratio || r.Kind != Substitution && !r.usesTokens()
}

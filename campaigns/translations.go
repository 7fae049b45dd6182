package campaigns

import (
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/internal/yamlnode"
	"github.com/courtesyhq/courtesy/locale"
	"github.com/courtesyhq/courtesy/templates"
)

// translationJob is a message whose translations are looked for.
type translationJob struct {
	field, variant string // where the message is written: "template" or "variants[1].template"
	files          TemplateFiles
	def            *templates.Template
}

// decodeSubjects reads template.subjects: the subject per BCP 47 locale,
// keyed by the locale as x/text writes it, so "pt_BR" and "pt-BR" are one.
func decodeSubjects(m *yamlnode.Map, at map[string]inline, variant string) map[string]string {
	if !m.Present() {
		m.Close()
		return nil
	}
	out := map[string]string{}
	for _, k := range m.Keys() {
		tag, err := locale.Parse(k)
		if err != nil {
			m.Node(k)
			m.Doc().Errorf(m.KeyNode(k), m.Field(k), "%v", err)
			continue
		}
		var s string
		if m.String(k, &s) {
			out[tag.String()] = s
			at[variant+"\x00"+tag.String()] = inlineAt(m.Node(k))
		}
	}
	m.Close()
	return out
}

// overlaySubjects is the campaign's subjects with a variant's own on top.
// A variant with its own subject has its own translations of it: the
// campaign's would translate a different subject.
func overlaySubjects(base, over map[string]string, ownSubject bool) map[string]string {
	if ownSubject {
		return over
	}
	if len(over) == 0 {
		return base
	}
	out := make(map[string]string, len(base)+len(over))
	for k, v := range base {
		out[k] = v
	}
	for k, v := range over {
		out[k] = v
	}
	return out
}

// translations finds and parses a message in each language it is written in
// besides the default: a subject in template.subjects and a text file (and
// an HTML file, when the default has one) named for the locale beside the
// default's. A translation with a part missing, or that reads other data
// than the default, is an error: a message is in one language from subject
// to footer, and shows the same things in each.
func (l *loader) translations(c *Campaign, doc *yamlnode.Doc, j translationJob, at map[string]inline, used, reported map[string]bool) []*templates.Template {
	texts := l.localeFiles(j.files.Text)
	htmls := l.localeFiles(j.files.HTML)
	var locs []string
	for _, m := range []map[string]string{j.files.Subjects, texts, htmls} {
		for loc := range m {
			if !slices.Contains(locs, loc) {
				locs = append(locs, loc)
			}
		}
	}
	sort.Strings(locs)
	prefix := ""
	if strings.HasPrefix(j.field, "variants[") {
		prefix = strings.TrimSuffix(j.field, ".template")
	}
	// A problem of a template file is reported once, however many variants
	// share the file; one of the campaign file, where it was written.
	bad := func(file, field, format string, args ...any) {
		d := courtesy.Diagnostic{File: file, Severity: courtesy.SeverityError, Field: field, Message: fmt.Sprintf(format, args...)}
		key := d.File + "\x00" + format
		if file == c.File {
			p := doc.Lookup(field)
			d.Line, d.Col = p.Line, p.Col
			key = d.String()
		}
		if !reported[key] {
			reported[key] = true
			doc.Diags = append(doc.Diags, d)
		}
	}
	var out []*templates.Template
	for _, loc := range locs {
		subjectAt, ok := at[prefix+"\x00"+loc]
		subjectField := j.field + ".subjects." + loc
		if !ok {
			subjectAt, subjectField = at["\x00"+loc], "template.subjects."+loc
		}
		subject, hasSubject := j.files.Subjects[loc]
		text, hasText := texts[loc]
		html, hasHTML := htmls[loc]
		textName := path.Join(l.env.TemplatesDir, localeName(j.files.Text, loc))
		switch {
		case loc == j.def.Lang().String():
			bad(textName, subjectField, "%s is the default language (business.locale): the default template is already written in it", loc)
			continue
		case !hasText:
			bad(c.File, subjectField, "a subject in %s needs its text beside the default one: %s does not exist", loc, textName)
			continue
		case !hasSubject:
			bad(path.Join(l.env.TemplatesDir, text), j.field+".subjects", "is written in %s, but %s.subjects has no %s: a message is in one language from subject to footer", loc, j.field, loc)
			continue
		case j.files.HTML != "" && !hasHTML:
			bad(path.Join(l.env.TemplatesDir, text), j.field+".html", "the default message has an HTML part, but %s does not exist: a message is in one language from subject to footer",
				path.Join(l.env.TemplatesDir, localeName(j.files.HTML, loc)))
			continue
		}
		src := templates.Source{SubjectName: c.File, Subject: subject, Lang: loc}
		if src.TextName, src.Text, ok = l.read(doc, j.field+".text", text, reported); !ok {
			continue
		}
		used[src.TextName] = true
		if hasHTML {
			if src.HTMLName, src.HTML, ok = l.read(doc, j.field+".html", html, reported); !ok {
				continue
			}
			used[src.HTMLName] = true
		}
		t, ok := l.parseOne(c, doc, src, subjectField, subjectAt, reported)
		if !ok {
			continue
		}
		want, got := j.def.Placeholders(), t.Placeholders()
		diffs := []struct {
			file, field string
			want, got   []string
		}{
			{c.File, subjectField, want.Subject, got.Subject},
			{src.TextName, j.field + ".text", want.Text, got.Text},
		}
		if src.HTML != "" && j.def.HasHTML() {
			diffs = append(diffs, struct {
				file, field string
				want, got   []string
			}{src.HTMLName, j.field + ".html", want.HTML, got.HTML})
		}
		same := true
		for _, d := range diffs {
			if msg := placeholderDiff(d.want, d.got); msg != "" {
				bad(d.file, d.field, "the %s translation %s: a translation shows the same data as the default message", loc, msg)
				same = false
			}
		}
		if same {
			out = append(out, t)
		}
	}
	return out
}

// placeholderDiff says how a translation's fields differ from the
// default's, or "" when they are the same.
func placeholderDiff(want, got []string) string {
	var extra, missing []string
	for _, f := range got {
		if !slices.Contains(want, f) {
			extra = append(extra, f)
		}
	}
	for _, f := range want {
		if !slices.Contains(got, f) {
			missing = append(missing, f)
		}
	}
	var parts []string
	if len(extra) > 0 {
		parts = append(parts, "reads "+strings.Join(extra, ", ")+", which the default does not")
	}
	if len(missing) > 0 {
		parts = append(parts, "does not read "+strings.Join(missing, ", ")+", which the default does")
	}
	return strings.Join(parts, "; ")
}

// localeFiles finds the translations of a template file: for birthday.txt,
// birthday.de.txt and birthday.pt-BR.txt, by locale, relative to the
// templates directory as rel is.
func (l *loader) localeFiles(rel string) map[string]string {
	if rel == "" {
		return nil
	}
	dir, base := path.Split(rel)
	ext := path.Ext(base)
	stem := strings.TrimSuffix(base, ext)
	names, err := fs.Glob(l.env.Templates, path.Join(l.env.TemplatesDir, dir, globEscape(stem)+".*"+globEscape(ext)))
	if err != nil {
		return nil
	}
	out := map[string]string{}
	for _, n := range names {
		mid := strings.TrimSuffix(strings.TrimPrefix(path.Base(n), stem+"."), ext)
		if mid == "" || strings.Contains(mid, ".") {
			continue
		}
		tag, err := locale.Parse(mid)
		if err != nil {
			continue
		}
		out[tag.String()] = path.Join(dir, path.Base(n))
	}
	return out
}

// defaultLang is the language a campaign's default template is written in:
// the locale its file is named for (a shop that writes German may name it
// angebot.de.txt), else the business's.
func defaultLang(text, business string) string {
	stem := strings.TrimSuffix(path.Base(text), path.Ext(text))
	if i := strings.LastIndexByte(stem, '.'); i >= 0 {
		if tag, err := locale.Parse(stem[i+1:]); err == nil {
			return tag.String()
		}
	}
	return business
}

// localeName is the name a translation of rel has: birthday.de.txt.
func localeName(rel, loc string) string {
	ext := path.Ext(rel)
	return strings.TrimSuffix(rel, ext) + "." + loc + ext
}

func globEscape(s string) string {
	r := strings.NewReplacer(`*`, `\*`, `?`, `\?`, `[`, `\[`, `\`, `\\`)
	return r.Replace(s)
}

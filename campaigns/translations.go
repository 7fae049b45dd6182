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
	subjectAt      inline // where the default's subject was written
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
	// share the file; one of the campaign file, where it was written. A
	// problem of a whole file is placed at its start, as lint places every
	// problem.
	badAt := func(file, field string, at templates.Pos, format string, args ...any) {
		d := courtesy.Diagnostic{File: file, Line: max(at.Line, 1), Col: max(at.Col, 1), Severity: courtesy.SeverityError, Rule: "translation", Field: field, Message: fmt.Sprintf(format, args...)}
		key := d.File + "\x00" + format // the same problem, whichever variant met it
		if at.Line > 0 {
			key = d.String()
		}
		if file == c.File && at.Line == 0 {
			p := doc.Lookup(field)
			d.Line, d.Col = max(p.Line, 1), max(p.Col, 1)
			key = d.String()
		}
		if !reported[key] {
			reported[key] = true
			doc.Diags = append(doc.Diags, d)
		}
	}
	bad := func(file, field, format string, args ...any) { badAt(file, field, templates.Pos{}, format, args...) }
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
		// Each placeholder that differs is placed where the translation reads
		// it, or, when only the default does, at the start of the
		// translation's part, naming where the default reads it.
		same := true
		for _, part := range []struct {
			name, file, defFile, field string
			subjectAt                  inline
		}{
			{"subject", c.File, fmt.Sprintf("%s:%d", c.File, placeSubject(doc, j.field+".subject", j.subjectAt, templates.Pos{}).Line), subjectField, subjectAt},
			{"text", src.TextName, path.Join(l.env.TemplatesDir, j.files.Text), j.field + ".text", inline{}},
			{"html", src.HTMLName, path.Join(l.env.TemplatesDir, j.files.HTML), j.field + ".html", inline{}},
		} {
			if part.name == "html" && (src.HTML == "" || !j.def.HasHTML()) {
				continue
			}
			defAt := func(f string) string {
				p, _ := j.def.ReadAt(part.name, f)
				if part.name == "subject" {
					p = placeSubject(doc, j.field+".subject", j.subjectAt, p)
				}
				if part.name == "subject" {
					return fmt.Sprintf("%s:%d:%d", c.File, p.Line, p.Col)
				}
				return fmt.Sprintf("%s:%d:%d", part.defFile, p.Line, p.Col)
			}
			extra, missing := placeholderDiff(j.def.Placeholders().Part(part.name), t.Placeholders().Part(part.name))
			extra, missing = outermost(extra), outermost(missing)
			for _, f := range extra {
				at, _ := t.ReadAt(part.name, f)
				if part.name == "subject" {
					at = placeSubject(doc, part.field, part.subjectAt, at)
				}
				badAt(part.file, part.field, at, "the %s translation reads %s, which the default message (%s) does not: a translation shows the same data as the default", loc, f, part.defFile)
				same = false
			}
			for _, f := range missing {
				at := templates.Pos{Line: 1, Col: 1}
				if part.name == "subject" {
					at = placeSubject(doc, part.field, part.subjectAt, templates.Pos{})
				}
				badAt(part.file, part.field, at, "the %s translation does not read %s, which the default message reads at %s: a translation shows the same data as the default", loc, f, defAt(f))
				same = false
			}
		}
		if same || l.env.KeepFaulty {
			out = append(out, t)
		}
	}
	return out
}

// placeSubject places a position in an inline subject in the campaign
// file: where the subject was written, moved by at within it.
func placeSubject(doc *yamlnode.Doc, field string, subjectAt inline, at templates.Pos) templates.Pos {
	if subjectAt.line == 0 {
		p := doc.Lookup(field)
		subjectAt = inline{line: p.Line, col: p.Col}
	}
	if at.Line <= 1 && subjectAt.col > 0 {
		return templates.Pos{Line: subjectAt.line, Col: subjectAt.col + max(at.Col, 1) - 1}
	}
	return templates.Pos{Line: subjectAt.line + max(at.Line, 1) - 1, Col: at.Col}
}

// outermost leaves out a placeholder another one reads through: .Item
// when .Item.Name is there too.
func outermost(fields []string) []string {
	var out []string
	for _, f := range fields {
		if !slices.ContainsFunc(fields, func(g string) bool { return strings.HasPrefix(g, f+".") }) {
			out = append(out, f)
		}
	}
	return out
}

// placeholderDiff lists the fields a translation reads that the default
// does not, and those the default reads that it does not.
func placeholderDiff(want, got []string) (extra, missing []string) {
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
	return extra, missing
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

package templates

import (
	"bytes"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	texttemplate "text/template"
	"text/template/parse"
	"unicode/utf8"

	"golang.org/x/text/language"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/locale"
)

// Source is the text of one message's templates and the names they are
// reported under (their file names, or the campaign file for an inline
// subject). HTML is optional.
type Source struct {
	SubjectName, Subject string
	TextName, Text       string
	HTMLName, HTML       string
	// Lang is the BCP 47 language the message is written in; the footer
	// is written in it too. Defaults to "en".
	Lang string
}

// Template is a parsed, checked message. It is safe for concurrent use.
type Template struct {
	subject *texttemplate.Template
	text    *texttemplate.Template
	html    *htmltemplate.Template // nil when the message has no HTML part
	words   locale.Words           // the footer's, in the message's language
	lang    language.Tag
	reads   Placeholders
	readAt  map[string]map[string]Pos // by part, by placeholder: where it is first read
	src     Source
}

// Pos is a place in a part of a message: its line and column, from 1.
type Pos struct{ Line, Col int }

// Placeholders are the fields of Data each part of a message reads, as
// ".Customer.FirstName", sorted: a translation reads the same ones as the
// message it translates.
type Placeholders struct {
	Subject, Text, HTML []string
}

// Part returns the placeholders of one part: "subject", "text" or "html".
func (p Placeholders) Part(name string) []string {
	switch name {
	case "subject":
		return p.Subject
	case "text":
		return p.Text
	case "html":
		return p.HTML
	}
	return nil
}

// Rendered is a message's content, footer included.
type Rendered struct {
	Subject string // one line
	Text    string
	// Body is the start of Text that the shop's template wrote, without
	// the footer courtesy adds: what the tone check reads.
	Body string
	HTML string // empty when the template has no HTML part
	Lang string // the BCP 47 language of all of it, footer included
}

// funcs is the whole of what templates may call beyond the built-ins:
// little logic belongs in a message.
var funcs = map[string]any{
	// default returns fallback when value is empty:
	// {{.Customer.FirstName | default "there"}}.
	"default": func(fallback, value string) string {
		if strings.TrimSpace(value) == "" {
			return fallback
		}
		return value
	},
}

var funcTypes = map[string]reflect.Type{"default": reflect.TypeFor[string]()}

// Parse parses and checks src: syntax, unknown functions, and every field
// chain against Data, so a misspelt field is found now and not when a
// customer's message is rendered. It renders the sample data once too, so
// that what can only fail at run time fails here. Problems are returned as
// courtesy.Diagnostics with the rule "template", each with its line and,
// where known, column.
func Parse(src Source) (*Template, error) {
	var diags courtesy.Diagnostics
	t := &Template{lang: language.English, src: src}
	if src.Lang != "" {
		tag, err := locale.Parse(src.Lang)
		if err != nil {
			return nil, courtesy.Diagnostics{diag(src.TextName, 0, 0, err.Error())}
		}
		t.lang = tag
	}
	t.words = locale.For(t.lang)
	t.readAt = map[string]map[string]Pos{}
	if strings.TrimSpace(src.Subject) == "" {
		diags = append(diags, diag(src.SubjectName, 0, 0, "the subject is empty"))
	} else {
		t.subject, t.reads.Subject, t.readAt["subject"], diags = parseText(src.SubjectName, src.Subject, diags)
	}
	if strings.TrimSpace(src.Text) == "" {
		diags = append(diags, diag(src.TextName, 0, 0, "the text part is empty: every message needs one"))
	} else {
		t.text, t.reads.Text, t.readAt["text"], diags = parseText(src.TextName, src.Text, diags)
	}
	if src.HTML != "" {
		t.html, t.reads.HTML, t.readAt["html"], diags = parseHTML(src.HTMLName, src.HTML, diags)
	}
	if len(diags) > 0 {
		return nil, diags
	}
	if _, err := t.Render(SampleData("", Business{Name: "Sample", PostalAddress: "1 Sample Street"}, Campaign{ID: "sample", Name: "Sample"})); err != nil {
		var ds courtesy.Diagnostics
		if errors.As(err, &ds) {
			return nil, ds
		}
		return nil, err
	}
	return t, nil
}

func parseText(name, body string, diags courtesy.Diagnostics) (*texttemplate.Template, []string, map[string]Pos, courtesy.Diagnostics) {
	tt, err := texttemplate.New(name).Funcs(funcs).Option("missingkey=error").Parse(body)
	if err != nil {
		return nil, nil, nil, append(diags, inRunes(body, fromError(name, err))...)
	}
	var trees []*parse.Tree
	for _, sub := range tt.Templates() {
		trees = append(trees, sub.Tree)
	}
	reads, at, ds := checkTrees(name, trees)
	return tt, reads, runePositions(body, at), append(diags, inRunes(body, ds...)...)
}

func parseHTML(name, body string, diags courtesy.Diagnostics) (*htmltemplate.Template, []string, map[string]Pos, courtesy.Diagnostics) {
	ht, err := htmltemplate.New(name).Funcs(funcs).Option("missingkey=error").Parse(body)
	if err != nil {
		return nil, nil, nil, append(diags, inRunes(body, fromError(name, err))...)
	}
	var trees []*parse.Tree
	for _, sub := range ht.Templates() {
		trees = append(trees, sub.Tree)
	}
	reads, at, ds := checkTrees(name, trees)
	return ht, reads, runePositions(body, at), append(diags, inRunes(body, ds...)...)
}

// checkTrees checks the main template against Data. Templates defined
// inside it are invoked with data of the author's choosing, so only their
// syntax is checked. It returns the fields of Data the template reads, and
// where each is first read.
func checkTrees(name string, trees []*parse.Tree) ([]string, map[string]Pos, courtesy.Diagnostics) {
	var out courtesy.Diagnostics
	seen := map[string]string{}
	for _, tree := range trees {
		if tree == nil || tree.Name != name {
			continue
		}
		for _, p := range check(tree, funcTypes, seen) {
			file, line, col := splitLocation(p.loc)
			col++ // ErrorContext counts columns from 0
			if file == "" {
				file = name
			}
			out = append(out, diag(file, line, col, p.msg))
		}
	}
	reads := make([]string, 0, len(seen))
	at := make(map[string]Pos, len(seen))
	for f, loc := range seen {
		reads = append(reads, f)
		_, line, col := splitLocation(loc)
		at[f] = Pos{Line: line, Col: col + 1} // ErrorContext counts columns from 0
	}
	sort.Strings(reads)
	return reads, at, out
}

// runeCol turns a column counted in bytes, as the template parser counts
// them, into one counted in characters, as lint's other checks count them:
// "Grüße {{.X}}" has .X at column 9, not 10.
func runeCol(body string, line, col int) int {
	if line < 1 || col <= 1 {
		return col
	}
	for range line - 1 {
		_, rest, ok := strings.Cut(body, "\n")
		if !ok {
			return col
		}
		body = rest
	}
	text, _, _ := strings.Cut(body, "\n")
	if col-1 > len(text) {
		return col
	}
	return utf8.RuneCountInString(text[:col-1]) + 1
}

// inRunes counts the columns of diagnostics of body in characters.
func inRunes(body string, ds ...courtesy.Diagnostic) courtesy.Diagnostics {
	for i := range ds {
		ds[i].Col = runeCol(body, ds[i].Line, ds[i].Col)
	}
	return ds
}

// runePositions counts the columns of positions in body in characters.
func runePositions(body string, at map[string]Pos) map[string]Pos {
	for k, p := range at {
		at[k] = Pos{Line: p.Line, Col: runeCol(body, p.Line, p.Col)}
	}
	return at
}

func diag(file string, line, col int, msg string) courtesy.Diagnostic {
	return courtesy.Diagnostic{File: file, Line: line, Col: col, Severity: courtesy.SeverityError, Rule: "template", Message: msg}
}

// splitLocation reads "name:line:col".
func splitLocation(loc string) (string, int, int) {
	i := strings.LastIndexByte(loc, ':')
	if i < 0 {
		return loc, 0, 0
	}
	col, _ := strconv.Atoi(loc[i+1:])
	rest := loc[:i]
	j := strings.LastIndexByte(rest, ':')
	if j < 0 {
		return rest, col, 0
	}
	line, _ := strconv.Atoi(rest[j+1:])
	return rest[:j], line, col
}

// errRE matches the errors text/template and html/template return:
// "template: NAME:LINE: message" or "template: NAME:LINE:COL: executing …".
var errRE = regexp.MustCompile(`^(?:html/)?template: (.*?):(\d+):(?:(\d+):)? ?(.*)$`)

func fromError(name string, err error) courtesy.Diagnostic {
	msg := err.Error()
	if m := errRE.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[2])
		col, _ := strconv.Atoi(m[3])
		return diag(m[1], line, col, m[4])
	}
	msg = strings.TrimPrefix(strings.TrimPrefix(msg, "html/template: "), "template: ")
	return diag(name, 0, 0, msg)
}

// ErrNoWayOut is returned by Render when a message lacks its unsubscribe,
// preferences or "why" link: such a message must never be built.
var ErrNoWayOut = errors.New("the message has no unsubscribe, preferences or why link")

var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// Lang returns the language the message is written in.
func (t *Template) Lang() language.Tag { return t.lang }

// Source returns what the message was parsed from.
func (t *Template) Source() Source { return t.src }

// Placeholders returns the fields of Data each part reads.
func (t *Template) Placeholders() Placeholders { return t.reads }

// ReadAt is where a part ("subject", "text" or "html") of the message first
// reads a placeholder, and whether it reads it at all.
func (t *Template) ReadAt(part, placeholder string) (Pos, bool) {
	p, ok := t.readAt[part][placeholder]
	return p, ok
}

// HasHTML reports whether the message has an HTML part.
func (t *Template) HasHTML() bool { return t.html != nil }

// Render fills the templates with d and appends the footer — the
// unsubscribe, preferences and "why" links, the business's name and postal
// address — to the text and HTML parts whatever the templates say. Names
// are shown through DisplayName, and the subject is made one line: line
// breaks in a name or a template cannot add a header.
func (t *Template) Render(d Data) (Rendered, error) {
	for _, l := range []string{d.Links.Unsubscribe, d.Links.Preferences, d.Links.Why} {
		if !strings.HasPrefix(l, "https://") && !strings.HasPrefix(l, "http://") {
			return Rendered{}, ErrNoWayOut
		}
	}
	d.Customer.FirstName = DisplayName(d.Customer.FirstName)
	d.Customer.LastName = DisplayName(d.Customer.LastName)

	buf := buffers.Get().(*bytes.Buffer)
	defer buffers.Put(buf)
	r := Rendered{Lang: t.lang.String()}

	buf.Reset()
	if err := t.subject.Execute(buf, d); err != nil {
		return Rendered{}, execError(err)
	}
	r.Subject = oneLine(buf.String())

	buf.Reset()
	if err := t.text.Execute(buf, d); err != nil {
		return Rendered{}, execError(err)
	}
	r.Text = textWithFooter(buf, d, t.words)
	r.Body = r.Text[:len(bytes.TrimRight(buf.Bytes(), " \t\r\n"))]

	if t.html != nil {
		buf.Reset()
		if err := t.html.Execute(buf, d); err != nil {
			return Rendered{}, execError(err)
		}
		r.HTML = htmlWithFooter(buf.Bytes(), d, t.words)
	}
	return r, nil
}

func execError(err error) error {
	return fmt.Errorf("render: %w", courtesy.Diagnostics{fromError("", err)})
}

package campaigns

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/internal/duration"
	"github.com/courtesyhq/courtesy/internal/yamlnode"
	"github.com/courtesyhq/courtesy/locale"
	"github.com/courtesyhq/courtesy/templates"
	"github.com/courtesyhq/courtesy/throttle"
)

// Env is what a campaign is validated against.
type Env struct {
	// Purposes are the configured consent purposes.
	Purposes []string
	// Templates holds TemplatesDir; nil means the fs the campaigns come from.
	Templates    fs.FS
	TemplatesDir string
	// Location is the business's time zone, used by the due-time rules when
	// they are given no location. Defaults to UTC.
	Location *time.Location
	// Locale is the language the default templates are written in, the
	// business's locale. Defaults to "en".
	Locale string
	// KeepFaulty returns a campaign that has errors too, with whatever of
	// its templates could be read, so that lint can check the words of
	// every template in one run. Such a campaign must never be run.
	// Defaults to false: a campaign with errors is left out.
	KeepFaulty bool
}

var idPattern = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)

// LoadDir loads every campaign file (*.yaml, *.yml) in dir of fsys, in name
// order. It returns the campaigns that are valid and every problem of every
// file: one bad file never hides another's problems, and an id used twice is
// reported in the file that reuses it.
func LoadDir(fsys fs.FS, dir string, env Env) ([]*Campaign, courtesy.Diagnostics) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, courtesy.Diagnostics{{File: dir, Severity: courtesy.SeverityError, Message: fmt.Sprintf("cannot read the campaigns directory: %v", err)}}
	}
	l := loader{env: env, files: map[string][]byte{}, errs: map[string]string{}}
	if l.env.Templates == nil {
		l.env.Templates = fsys
	}
	var out []*Campaign
	var diags courtesy.Diagnostics
	byID := map[string]*Campaign{}
	for _, e := range entries {
		ext := path.Ext(e.Name())
		if e.IsDir() || (ext != ".yaml" && ext != ".yml") {
			continue
		}
		file := path.Join(dir, e.Name())
		data, err := fs.ReadFile(fsys, file)
		if err != nil {
			diags = append(diags, courtesy.Diagnostic{File: file, Severity: courtesy.SeverityError, Message: fmt.Sprintf("cannot read: %v", err)})
			continue
		}
		c, ds := l.parse(file, data)
		diags = append(diags, ds...)
		if c == nil {
			continue
		}
		if ds.HasErrors() { // kept for lint: its id may be what is wrong
			out = append(out, c)
			continue
		}
		if first, dup := byID[c.ID]; dup {
			line, col := c.Pos("id")
			fl, _ := first.Pos("id")
			diags = append(diags, courtesy.Diagnostic{
				File: file, Line: line, Col: col, Severity: courtesy.SeverityError, Field: "id",
				Message: fmt.Sprintf("%q is already the id of %s:%d: ids must be unique", c.ID, first.File, fl),
			})
			continue
		}
		byID[c.ID] = c
		out = append(out, c)
	}
	return out, diags
}

// Parse reads one campaign file; its templates come from env.Templates. The
// campaign is nil when it has errors.
func Parse(file string, data []byte, env Env) (*Campaign, courtesy.Diagnostics) {
	l := loader{env: env, files: map[string][]byte{}, errs: map[string]string{}}
	if l.env.Templates == nil {
		return nil, courtesy.Diagnostics{{File: file, Severity: courtesy.SeverityError, Message: "no templates directory to read the templates from"}}
	}
	return l.parse(file, data)
}

// loader reads each template file once per load, however many campaigns
// share it.
type loader struct {
	env   Env
	files map[string][]byte
	errs  map[string]string // why a template file could not be read
}

// inline is where an inline subject was written, to place its problems.
type inline struct {
	line, col int
}

func (l *loader) parse(file string, data []byte) (*Campaign, courtesy.Diagnostics) {
	doc, root := yamlnode.Parse(file, data)
	if doc.Diags.HasErrors() {
		return nil, doc.Diags
	}
	if root == nil {
		doc.Errorf(nil, "", "the file is empty: a campaign needs at least id, kind, purpose and template")
		return nil, doc.Diags
	}
	c := &Campaign{File: file, Enabled: true, pos: doc.Pos, loc: l.env.Location, lang: l.env.Locale}
	subjects := map[string]inline{}
	m := doc.Map(root, "")
	c.decode(m, subjects)
	m.Close()
	// Go on after a field that did not decode: a person fixing the file
	// wants every problem in it at once, not one per run. What follows from
	// a field that did not decode is left out, as it would only be noise.
	decoded := len(doc.Diags)
	failed := map[string]bool{}
	for _, d := range doc.Diags {
		failed[topKey(d.Field)] = true
	}
	c.setDefaults()
	c.validate(doc, l.env)
	used := l.parseTemplates(c, doc, subjects)
	if len(failed) > 0 {
		kept := doc.Diags[:decoded]
		for _, d := range doc.Diags[decoded:] {
			if !failed[topKey(d.Field)] && !(failed["kind"] && d.Field != "" && d.Field != "purpose") {
				kept = append(kept, d)
			}
		}
		doc.Diags = kept
	}
	if doc.Diags.HasErrors() {
		if l.env.KeepFaulty {
			return c, doc.Diags
		}
		return nil, doc.Diags
	}
	c.Version = version(data, used, l.files)
	return c, doc.Diags
}

func (c *Campaign) decode(m *yamlnode.Map, subjects map[string]inline) {
	doc := m.Doc()
	m.String("id", &c.ID)
	m.Localized("name", &c.Name, &c.Names, locale.Normalize)
	m.Scalar("kind", func(s string) error {
		switch k := Kind(s); k {
		case Birthday, InterestReminder, NPSSurvey, Welcome:
			c.Kind = k
			return nil
		}
		return unknownWord(s, "kind", []string{string(Birthday), string(InterestReminder), string(NPSSurvey), string(Welcome)})
	})
	m.String("purpose", &c.Purpose)
	m.Bool("enabled", &c.Enabled)
	m.Int("priority", &c.Priority)

	send := m.Sub("send")
	send.Scalar("at", func(s string) (err error) {
		c.Send.At, err = throttle.ParseClockTime(s)
		c.Send.HasAt = err == nil
		return err
	})
	send.Scalar("window", positiveDuration(&c.Send.Window))
	send.Close()

	trig := m.Sub("trigger")
	trig.Scalar("event", func(s string) error {
		switch e := courtesy.EventType(s); e {
		case courtesy.Interest, courtesy.Purchase, courtesy.Signup:
			c.Trigger.Event = e
			return nil
		}
		return unknownWord(s, "event", []string{string(courtesy.Interest), string(courtesy.Purchase), string(courtesy.Signup)})
	})
	trig.Scalar("after", func(s string) (err error) {
		c.Trigger.After, err = duration.Parse(s)
		return err
	})
	trig.Close()
	if trig.Present() && c.Kind == Birthday {
		doc.Errorf(m.KeyNode("trigger"), "trigger", "a birthday campaign has no trigger: it is due on the customer's birthday")
	}

	m.Scalar("expires", positiveDuration(&c.Expires))
	m.Strings("limits", func(_ int, s string) error {
		lim, err := throttle.ParseLimit(s)
		if err == nil {
			c.Limits = append(c.Limits, lim)
		}
		return err
	})
	m.Scalar("fatigue", positiveDuration(&c.Fatigue))
	c.Files = decodeTemplate(m.Sub("template"), subjects, "")
	m.Scalar("tone", func(s string) error {
		switch t := Tone(s); t {
		case Warm, Neutral, Informative:
			c.Tone = t
			return nil
		}
		return unknownWord(s, "tone", []string{string(Warm), string(Neutral), string(Informative)})
	})
	m.Int("holdout", &c.Holdout)
	m.Bool("stock_data", &c.StockData)
	allows, _ := m.Seq("tone_allow")
	for i, n := range allows {
		field := fmt.Sprintf("tone_allow[%d]", i)
		am := doc.Map(n, field)
		var a ToneAllow
		am.String("rule", &a.Rule)
		am.String("reason", &a.Reason)
		am.Close()
		// Which rules exist is the tone package's to say; lint checks the
		// name. A switch-off without a reason is refused here.
		if strings.TrimSpace(a.Rule) == "" {
			doc.Errorf(n, field+".rule", "is required: a tone rule id (courteous.fake-scarcity) or a family (scarcity)")
		}
		if strings.TrimSpace(a.Reason) == "" {
			doc.Errorf(n, field+".reason", "is required: say why the campaign may use this wording, for whoever reads it next")
		}
		c.ToneAllow = append(c.ToneAllow, a)
	}

	items, _ := m.Seq("variants")
	for i, n := range items {
		field := fmt.Sprintf("variants[%d]", i)
		vm := doc.Map(n, field)
		v := Variant{Weight: -1}
		vm.String("id", &v.ID)
		vm.Int("weight", &v.Weight)
		v.Files = decodeTemplate(vm.Sub("template"), subjects, field)
		vm.Close()
		c.Variants = append(c.Variants, v)
	}
}

func decodeTemplate(m *yamlnode.Map, subjects map[string]inline, variant string) TemplateFiles {
	var t TemplateFiles
	if m.String("subject", &t.Subject) {
		subjects[variant] = inlineAt(m.Node("subject"))
	}
	m.String("text", &t.Text)
	m.String("html", &t.HTML)
	t.Subjects = decodeSubjects(m.Sub("subjects"), subjects, variant)
	m.Close()
	return t
}

// inlineAt is where the text of an inline template written as n starts.
func inlineAt(n *yaml.Node) inline {
	at := inline{line: n.Line, col: n.Column}
	if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 {
		at.col++
	}
	if n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		at = inline{line: n.Line + 1} // the text starts on the next line
	}
	return at
}

func positiveDuration(dst *time.Duration) func(string) error {
	return func(s string) error {
		d, err := duration.Parse(s)
		if err != nil {
			return err
		}
		if d <= 0 {
			return fmt.Errorf("%q must be longer than zero", s)
		}
		*dst = d
		return nil
	}
}

func unknownWord(s, what string, known []string) error {
	msg := fmt.Sprintf("%q is not a %s (one of %s)", s, what, strings.Join(known, ", "))
	if g := yamlnode.Suggest(s, known); g != "" {
		msg = fmt.Sprintf("%q is not a %s (did you mean %q?)", s, what, g)
	}
	return errors.New(msg)
}

// setDefaults is the one place a campaign's defaults are filled in.
func (c *Campaign) setDefaults() {
	if c.Name == "" {
		c.Name = locale.DefaultOf(c.Names, c.lang)
	}
	if c.Name == "" {
		c.Name = c.ID
	}
	if c.Kind == Birthday && !c.Send.HasAt {
		c.Send.At, c.Send.HasAt = throttle.ClockTime{Hour: 9}, true
	}
	if c.Expires == 0 {
		c.Expires = DefaultExpires
	}
	if c.Kind == NPSSurvey && c.Fatigue == 0 {
		c.Fatigue = 90 * duration.Day
	}
	if c.Kind == Welcome && c.Trigger.Event == "" {
		c.Trigger.Event = courtesy.Signup // a welcome has no other trigger
	}
	if c.Tone == "" {
		c.Tone = Neutral
	}
	for i := range c.Variants {
		if c.Variants[i].Weight == -1 {
			c.Variants[i].Weight = 1
		}
	}
}

func (c *Campaign) validate(doc *yamlnode.Doc, env Env) {
	bad := func(field, format string, args ...any) { doc.At(courtesy.SeverityError, field, format, args...) }
	switch {
	case c.ID == "":
		bad("id", "is required: a stable name such as birthday-treat")
	case !idPattern.MatchString(c.ID):
		bad("id", "%q is not an id: lower-case letters, digits and single hyphens", c.ID)
	}
	if c.Kind == "" {
		bad("kind", "is required: birthday, interest_reminder, nps_survey or welcome")
	}
	switch {
	case c.Purpose == "":
		bad("purpose", "is required: the consent purpose the campaign relies on")
	case !slices.Contains(env.Purposes, c.Purpose):
		msg := fmt.Sprintf("%q is not a purpose in the config", c.Purpose)
		if g := yamlnode.Suggest(c.Purpose, env.Purposes); g != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", g)
		} else if len(env.Purposes) > 0 {
			msg += " (configured: " + strings.Join(env.Purposes, ", ") + ")"
		}
		bad("purpose", "%s", msg)
	}
	switch c.Kind {
	case InterestReminder:
		if c.Trigger.Event != courtesy.Interest {
			bad("trigger.event", "an interest_reminder is triggered by event: interest")
		}
	case NPSSurvey:
		if c.Trigger.Event != courtesy.Purchase {
			bad("trigger.event", "an nps_survey is triggered by event: purchase")
		}
	case Welcome:
		if c.Trigger.Event != courtesy.Signup {
			bad("trigger.event", "a welcome is triggered by a confirmed sign-up (event: signup)")
		}
	}
	if c.Kind != NPSSurvey {
		if _, ok := doc.Pos["fatigue"]; ok {
			doc.At(courtesy.SeverityWarning, "fatigue", "applies to nps_survey campaigns only; ignored")
			c.Fatigue = 0
		}
	}
	if c.Send.Window > 24*time.Hour {
		bad("send.window", "%s is longer than a day", duration.Format(c.Send.Window))
	}
	if c.Holdout < 0 || c.Holdout > 50 {
		bad("holdout", "%d is not a percent from 0 to 50", c.Holdout)
	}
	seen := map[string]bool{}
	for i, v := range c.Variants {
		field := fmt.Sprintf("variants[%d]", i)
		switch {
		case v.ID == "":
			bad(field+".id", "is required")
		case !idPattern.MatchString(v.ID):
			bad(field+".id", "%q is not an id: lower-case letters, digits and single hyphens", v.ID)
		case seen[v.ID]:
			bad(field+".id", "%q is used by another variant", v.ID)
		}
		seen[v.ID] = true
		if v.Weight < 1 {
			bad(field+".weight", "%d is not a weight: a whole number of 1 or more", v.Weight)
		}
	}
}

// parseTemplates reads and parses the message of the campaign and of each
// variant, and returns the template files used.
func (l *loader) parseTemplates(c *Campaign, doc *yamlnode.Doc, subjects map[string]inline) []string {
	c.templates = map[string]*templates.Set{}
	used := map[string]bool{}
	type job struct {
		variant, field string
		files          TemplateFiles
		subjectAt      inline
	}
	jobs := []job{{variant: "", field: "template", files: c.Files, subjectAt: subjects[""]}}
	for i, v := range c.Variants {
		f := c.Files
		at := subjects[""]
		field := fmt.Sprintf("variants[%d].template", i)
		if v.Files.Subject != "" {
			f.Subject, at = v.Files.Subject, subjects[fmt.Sprintf("variants[%d]", i)]
		}
		if v.Files.Text != "" {
			f.Text = v.Files.Text
		}
		if v.Files.HTML != "" {
			f.HTML = v.Files.HTML
		}
		f.Subjects = overlaySubjects(c.Files.Subjects, v.Files.Subjects, v.Files.Subject != "")
		if v.Files.Subject == "" && v.Files.Text == "" && v.Files.HTML == "" && len(v.Files.Subjects) == 0 {
			field = "template"
		}
		jobs = append(jobs, job{variant: v.ID, field: field, files: f, subjectAt: at})
	}
	reported := map[string]bool{}
	for _, j := range jobs {
		if j.variant == "" && j.files.Subject == "" {
			doc.At(courtesy.SeverityError, j.field+".subject", "is required")
		}
		if j.variant == "" && j.files.Text == "" {
			doc.At(courtesy.SeverityError, j.field+".text", "is required: every message has a text part")
		}
		src := templates.Source{SubjectName: c.File, Subject: j.files.Subject, Lang: defaultLang(j.files.Text, l.env.Locale)}
		var ok bool
		if src.TextName, src.Text, ok = l.read(doc, j.field+".text", j.files.Text, reported); ok {
			used[src.TextName] = true
		}
		if j.files.HTML != "" {
			if src.HTMLName, src.HTML, ok = l.read(doc, j.field+".html", j.files.HTML, reported); ok {
				used[src.HTMLName] = true
			}
		}
		if j.files.Subject == "" || src.Text == "" || (j.files.HTML != "" && src.HTML == "") {
			continue
		}
		if reported[j.field+"\x00parsed"] {
			// a variant with the campaign's own message: its problems are already reported
			if t := c.templates[""]; t != nil {
				c.templates[j.variant] = t
			}
			continue
		}
		t, ok := l.parseOne(c, doc, src, j.field+".subject", j.subjectAt, reported)
		if j.field == "template" {
			reported[j.field+"\x00parsed"] = true
		}
		if !ok {
			continue
		}
		tr := l.translations(c, doc, translationJob{field: j.field, variant: j.variant, files: j.files, def: t, subjectAt: j.subjectAt}, subjects, used, reported)
		c.templates[j.variant] = templates.NewSet(t, tr...)
	}
	names := make([]string, 0, len(used))
	for n := range used {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// parseOne parses one message and reports its problems, each once, the
// inline subject's placed in the YAML at subjectField.
func (l *loader) parseOne(c *Campaign, doc *yamlnode.Doc, src templates.Source, subjectField string, subjectAt inline, reported map[string]bool) (*templates.Template, bool) {
	t, err := templates.Parse(src)
	if err == nil {
		return t, true
	}
	var ds courtesy.Diagnostics
	if !errors.As(err, &ds) {
		doc.At(courtesy.SeverityError, subjectField, "%v", err)
		return nil, false
	}
	for _, d := range ds {
		if d.File == c.File { // the inline subject: place it in the YAML
			if d.Line <= 1 && subjectAt.col > 0 {
				d.Col += subjectAt.col - 1
			}
			d.Line = subjectAt.line + max(d.Line, 1) - 1
			d.Field = subjectField
		}
		if !reported[d.String()] {
			reported[d.String()] = true
			doc.Diags = append(doc.Diags, d)
		}
	}
	return nil, false
}

// read returns a template file's name as reported and its text. A file
// that cannot be read is reported once per campaign.
func (l *loader) read(doc *yamlnode.Doc, field, rel string, reported map[string]bool) (name, text string, ok bool) {
	if rel == "" {
		return "", "", false
	}
	name = path.Join(l.env.TemplatesDir, rel)
	if !fs.ValidPath(name) || strings.HasPrefix(path.Clean(rel), "..") {
		doc.At(courtesy.SeverityError, field, "%q must be a path inside the templates directory", rel)
		return "", "", false
	}
	data, seen := l.files[name]
	if !seen {
		var err error
		data, err = fs.ReadFile(l.env.Templates, name)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			l.errs[name] = fmt.Sprintf("%s does not exist", name)
		case err != nil:
			l.errs[name] = fmt.Sprintf("cannot read %s: %v", name, err)
		}
		l.files[name] = data
	}
	if msg, failed := l.errs[name]; failed {
		if !reported[name] {
			reported[name] = true
			doc.At(courtesy.SeverityError, field, "%s", msg)
		}
		return "", "", false
	}
	return name, string(data), true
}

// version hashes the YAML and the templates it uses, so a change to either
// is a new version.
func version(yamlData []byte, used []string, files map[string][]byte) string {
	h := sha256.New()
	h.Write(yamlData)
	for _, name := range used {
		fmt.Fprintf(h, "\x00%s\x00%d\x00", name, len(files[name]))
		h.Write(files[name])
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}

// topKey is the top-level key of a dotted field path: "variants" for
// "variants[0].weight".
func topKey(field string) string {
	if i := strings.IndexAny(field, ".["); i >= 0 {
		return field[:i]
	}
	return field
}

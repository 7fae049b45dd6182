// Package yamlnode decodes YAML files a person wrote, field by field, so that
// every problem names its file, line and dotted field ("send.at"), unknown keys
// included. Decoding never stops at the first problem: a Doc collects them all.
package yamlnode

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/internal/editdistance"
)

// Position is where a field was written.
type Position struct {
	Line, Col int
}

// Doc is one file being decoded: its name, the problems found so far and
// where each field was written.
type Doc struct {
	File  string
	Diags courtesy.Diagnostics
	Pos   map[string]Position
}

// Parse reads data as one YAML document. It returns nil as the root (with a
// diagnostic) when the text is not YAML, and a nil root without one when the
// file is empty.
func Parse(file string, data []byte) (*Doc, *yaml.Node) {
	d := &Doc{File: file, Pos: map[string]Position{}}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		d.Diags = append(d.Diags, courtesy.Diagnostic{
			File: file, Line: syntaxLine(err), Severity: courtesy.SeverityError,
			Message: strings.TrimPrefix(syntaxMessage(err), "yaml: "),
		})
		return d, nil
	}
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		return d, root.Content[0]
	}
	return d, nil
}

var lineRE = regexp.MustCompile(`line (\d+):? ?`)

func syntaxLine(err error) int {
	if m := lineRE.FindStringSubmatch(err.Error()); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n
	}
	return 0
}

// syntaxMessage drops the "line N:" the diagnostic already carries.
func syntaxMessage(err error) string {
	var te *yaml.TypeError
	msg := err.Error()
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	return strings.TrimSpace(lineRE.ReplaceAllString(msg, ""))
}

// Errorf records an error at node n (the file's start when n is nil).
func (d *Doc) Errorf(n *yaml.Node, field, format string, args ...any) {
	d.add(courtesy.SeverityError, n, field, format, args...)
}

// Warnf records a warning at node n.
func (d *Doc) Warnf(n *yaml.Node, field, format string, args ...any) {
	d.add(courtesy.SeverityWarning, n, field, format, args...)
}

func (d *Doc) add(sev courtesy.Severity, n *yaml.Node, field, format string, args ...any) {
	diag := courtesy.Diagnostic{File: d.File, Line: 1, Severity: sev, Field: field, Message: fmt.Sprintf(format, args...)}
	if n != nil {
		diag.Line, diag.Col = n.Line, n.Column
	}
	d.Diags = append(d.Diags, diag)
}

// At records a diagnostic at the position of field, or of its nearest
// enclosing field that was written, or at the file's first line.
func (d *Doc) At(sev courtesy.Severity, field, format string, args ...any) {
	p := d.Lookup(field)
	d.Diags = append(d.Diags, courtesy.Diagnostic{
		File: d.File, Line: p.Line, Col: p.Col, Severity: sev, Field: field,
		Message: fmt.Sprintf(format, args...),
	})
}

// Lookup returns where field, or its nearest written parent, is.
func (d *Doc) Lookup(field string) Position {
	for f := field; f != ""; {
		if p, ok := d.Pos[f]; ok {
			return p
		}
		i := strings.LastIndexAny(f, ".[")
		if i < 0 {
			break
		}
		f = f[:i]
	}
	return Position{Line: 1, Col: 1}
}

// Map is a YAML mapping being decoded. Every key the decoder asks for is
// known; Close reports the others as unknown.
type Map struct {
	d      *Doc
	node   *yaml.Node // nil when the mapping is absent
	path   string
	values map[string]*yaml.Node
	keys   map[string]*yaml.Node
	order  []string
	known  []string
}

// Map opens node n, written at field path, as a mapping. An absent or null
// node is an empty mapping; anything else that is not a mapping is an error.
func (d *Doc) Map(n *yaml.Node, path string) *Map {
	m := &Map{d: d, path: path, values: map[string]*yaml.Node{}, keys: map[string]*yaml.Node{}}
	if n == nil || isNull(n) {
		return m
	}
	if n.Kind != yaml.MappingNode {
		d.Errorf(n, path, "must be a mapping of keys to values, not %s", describe(n))
		return m
	}
	m.node = n
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if _, dup := m.keys[k.Value]; dup {
			d.Errorf(k, m.field(k.Value), "is written twice (first at line %d)", m.keys[k.Value].Line)
			continue
		}
		m.keys[k.Value] = k
		m.values[k.Value] = v
		m.order = append(m.order, k.Value)
	}
	return m
}

// Present reports whether the mapping was written at all.
func (m *Map) Present() bool { return m.node != nil }

// Doc returns the document the mapping belongs to.
func (m *Map) Doc() *Doc { return m.d }

// Path returns the field path of the mapping ("" for the root).
func (m *Map) Path() string { return m.path }

func (m *Map) field(key string) string {
	if m.path == "" {
		return key
	}
	return m.path + "." + key
}

// Field returns the dotted path of key in this mapping.
func (m *Map) Field(key string) string { return m.field(key) }

// Keys returns the keys as written, in file order.
func (m *Map) Keys() []string { return m.order }

// Node returns the value written for key, or nil when it is absent or null.
// Asking for a key makes it known.
func (m *Map) Node(key string) *yaml.Node {
	m.known = append(m.known, key)
	v := m.values[key]
	if v == nil {
		return nil
	}
	k := m.keys[key]
	m.d.Pos[m.field(key)] = Position{Line: k.Line, Col: k.Column}
	if isNull(v) {
		return nil
	}
	return v
}

// KeyNode returns the node of key itself, for diagnostics about the key.
func (m *Map) KeyNode(key string) *yaml.Node { return m.keys[key] }

// Sub opens the value of key as a mapping.
func (m *Map) Sub(key string) *Map { return m.d.Map(m.Node(key), m.field(key)) }

func (m *Map) scalar(key string) (*yaml.Node, bool) {
	n := m.Node(key)
	if n == nil {
		return nil, false
	}
	if n.Kind != yaml.ScalarNode {
		m.d.Errorf(n, m.field(key), "must be a single value, not %s", describe(n))
		return nil, false
	}
	return n, true
}

// String decodes a scalar into dst; it reports whether key was written.
func (m *Map) String(key string, dst *string) bool {
	n, ok := m.scalar(key)
	if ok {
		*dst = n.Value
	}
	return ok
}

// Int decodes a whole number into dst.
func (m *Map) Int(key string, dst *int) bool {
	n, ok := m.scalar(key)
	if !ok {
		return false
	}
	v, err := strconv.Atoi(n.Value)
	if err != nil {
		m.d.Errorf(n, m.field(key), "%q is not a whole number", n.Value)
		return false
	}
	*dst = v
	return true
}

// Float decodes a number into dst.
func (m *Map) Float(key string, dst *float64) bool {
	n, ok := m.scalar(key)
	if !ok {
		return false
	}
	v, err := strconv.ParseFloat(n.Value, 64)
	if err != nil {
		m.d.Errorf(n, m.field(key), "%q is not a number", n.Value)
		return false
	}
	*dst = v
	return true
}

// Bool decodes true or false into dst.
func (m *Map) Bool(key string, dst *bool) bool {
	n, ok := m.scalar(key)
	if !ok {
		return false
	}
	switch n.Value {
	case "true", "True", "TRUE":
		*dst = true
	case "false", "False", "FALSE":
		*dst = false
	default:
		m.d.Errorf(n, m.field(key), "%q is not true or false", n.Value)
		return false
	}
	return true
}

// Scalar hands the written value to parse; the message of its error is
// reported at the value, after the field name.
func (m *Map) Scalar(key string, parse func(string) error) bool {
	n, ok := m.scalar(key)
	if !ok {
		return false
	}
	if err := parse(n.Value); err != nil {
		m.d.Errorf(n, m.field(key), "%s", err.Error())
		return false
	}
	return true
}

// Seq returns the items of a sequence written for key. A single scalar is
// accepted as a list of one, since people write `limits: 1/30d`.
func (m *Map) Seq(key string) ([]*yaml.Node, bool) {
	n := m.Node(key)
	if n == nil {
		return nil, false
	}
	switch n.Kind {
	case yaml.SequenceNode:
		for i, item := range n.Content {
			m.d.Pos[fmt.Sprintf("%s[%d]", m.field(key), i)] = Position{Line: item.Line, Col: item.Column}
		}
		return n.Content, true
	case yaml.ScalarNode:
		return []*yaml.Node{n}, true
	}
	m.d.Errorf(n, m.field(key), "must be a list, not %s", describe(n))
	return nil, false
}

// Strings decodes a list of scalars; each item is handed to parse when it is
// not nil.
func (m *Map) Strings(key string, parse func(i int, s string) error) ([]string, bool) {
	items, ok := m.Seq(key)
	if !ok {
		return nil, false
	}
	out := make([]string, 0, len(items))
	for i, it := range items {
		f := fmt.Sprintf("%s[%d]", m.field(key), i)
		if it.Kind != yaml.ScalarNode {
			m.d.Errorf(it, f, "must be a single value, not %s", describe(it))
			continue
		}
		if parse != nil {
			if err := parse(i, it.Value); err != nil {
				m.d.Errorf(it, f, "%s", err.Error())
				continue
			}
		}
		out = append(out, it.Value)
	}
	return out, true
}

// Close reports every key that was written but never asked for.
func (m *Map) Close() {
	known := map[string]bool{}
	for _, k := range m.known {
		known[k] = true
	}
	for _, k := range m.order {
		if known[k] {
			continue
		}
		msg := "unknown key"
		if s := Suggest(k, m.known); s != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", s)
		} else if len(m.known) > 0 {
			msg += " (known: " + strings.Join(sorted(m.known), ", ") + ")"
		}
		m.d.Errorf(m.keys[k], m.field(k), "%s", msg)
	}
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	w := 0
	for i, v := range out {
		if i == 0 || v != out[i-1] {
			out[w] = v
			w++
		}
	}
	return out[:w]
}

// Suggest returns the candidate closest to word when it is close enough to
// be a slip of the keyboard, or "".
func Suggest(word string, candidates []string) string {
	best, bestD := "", 0
	lw := strings.ToLower(word)
	for _, c := range candidates {
		// "templates_directory" for "templates_dir": a longer or shorter
		// spelling of the same key.
		lc := strings.ToLower(c)
		if len(lw) >= 4 && len(lc) >= 4 && (strings.HasPrefix(lw, lc) || strings.HasPrefix(lc, lw)) {
			return c
		}
	}
	for _, c := range candidates {
		d := editdistance.Distance(lw, strings.ToLower(c))
		if best == "" || d < bestD {
			best, bestD = c, d
		}
	}
	limit := 2
	if len(word) <= 3 {
		limit = 1
	}
	if best == "" || bestD > limit {
		return ""
	}
	return best
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	}
	return fmt.Sprintf("%q", n.Value)
}

// Localized decodes text a person may write once or per language: a plain
// value goes to plain, a mapping of locale to value to byLocale, its keys
// as normalize writes them (normalize's error is reported at the key). It
// reports whether key was written.
func (m *Map) Localized(key string, plain *string, byLocale *map[string]string, normalize func(string) (string, error)) bool {
	n := m.Node(key)
	if n == nil {
		return false
	}
	switch n.Kind {
	case yaml.ScalarNode:
		*plain = n.Value
		return true
	case yaml.MappingNode:
	default:
		m.d.Errorf(n, m.field(key), "must be a text or a mapping of locale to text, not %s", describe(n))
		return false
	}
	sub := m.d.Map(n, m.field(key))
	out := map[string]string{}
	for _, k := range sub.Keys() {
		norm, err := normalize(k)
		if err != nil {
			sub.Node(k)
			m.d.Errorf(sub.KeyNode(k), sub.Field(k), "%v", err)
			continue
		}
		var s string
		if sub.String(k, &s) {
			out[norm] = s
		}
	}
	sub.Close()
	*byLocale = out
	return true
}

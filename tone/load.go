package tone

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/courtesyhq/courtesy"
)

// LoadRules reads the rule files at path in fsys: one .yaml file, or every
// .yaml and .yml file of a directory in name order. A file holds one rule
// (a mapping with an id), or `rules:` (a list of rules) and `disable:` (a
// list of rule ids). Every problem is a diagnostic naming file and line;
// rules with problems are left out of the result.
func LoadRules(fsys fs.FS, p string) ([]Rule, courtesy.Diagnostics) {
	info, err := fs.Stat(fsys, p)
	if err != nil {
		return nil, courtesy.Diagnostics{{File: p, Severity: courtesy.SeverityError, Message: fmt.Sprintf("cannot read tone rules: %v", err)}}
	}
	files := []string{p}
	if info.IsDir() {
		files = files[:0]
		entries, err := fs.ReadDir(fsys, p)
		if err != nil {
			return nil, courtesy.Diagnostics{{File: p, Severity: courtesy.SeverityError, Message: fmt.Sprintf("cannot list tone rules: %v", err)}}
		}
		for _, e := range entries {
			if !e.IsDir() && (strings.HasSuffix(e.Name(), ".yaml") || strings.HasSuffix(e.Name(), ".yml")) {
				files = append(files, path.Join(p, e.Name()))
			}
		}
		sort.Strings(files)
	}
	var rules []Rule
	var diags courtesy.Diagnostics
	for _, f := range files {
		data, err := fs.ReadFile(fsys, f)
		if err != nil {
			diags = append(diags, courtesy.Diagnostic{File: f, Severity: courtesy.SeverityError, Message: fmt.Sprintf("cannot read: %v", err)})
			continue
		}
		rs, ds := parseRuleFile(f, data)
		rules = append(rules, rs...)
		diags = append(diags, ds...)
	}
	return rules, diags
}

// ruleFile collects the rules and diagnostics of one file.
type ruleFile struct {
	name  string
	diags courtesy.Diagnostics
	words map[string][]string // the file's words: lists, by name
}

func (rf *ruleFile) errorf(n *yaml.Node, field, format string, args ...any) {
	d := courtesy.Diagnostic{File: rf.name, Severity: courtesy.SeverityError, Field: field, Message: fmt.Sprintf(format, args...)}
	if n != nil {
		d.Line = n.Line
	}
	rf.diags = append(rf.diags, d)
}

func parseRuleFile(name string, data []byte) ([]Rule, courtesy.Diagnostics) {
	rf := &ruleFile{name: name}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		line := yamlErrorLine(err)
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		msg = strings.TrimPrefix(msg, fmt.Sprintf("line %d: ", line))
		rf.diags = append(rf.diags, courtesy.Diagnostic{File: name, Line: line, Severity: courtesy.SeverityError, Message: msg})
		return nil, rf.diags
	}
	if len(doc.Content) == 0 {
		return nil, nil // an empty file adds nothing
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		rf.errorf(root, "", "a rule file is a mapping: one rule, or rules: and disable: lists")
		return nil, rf.diags
	}
	if mappingValue(root, "id") != nil {
		if r, ok := rf.parseRule(root); ok {
			return []Rule{r}, rf.diags
		}
		return nil, rf.diags
	}
	if v := mappingValue(root, "words"); v != nil {
		rf.parseWords(v)
	}
	var rules []Rule
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		switch k.Value {
		case "words":
		case "rules":
			if v.Kind != yaml.SequenceNode {
				rf.errorf(v, "rules", "is a list of rules")
				continue
			}
			for _, n := range v.Content {
				if n.Kind != yaml.MappingNode {
					rf.errorf(n, "rules", "each rule is a mapping with an id")
					continue
				}
				if r, ok := rf.parseRule(n); ok {
					rules = append(rules, r)
				}
			}
		case "disable":
			ids, ok := rf.strings(v, "disable")
			if !ok {
				continue
			}
			for j, id := range ids {
				r := Rule{ID: id, Disabled: true, Source: fmt.Sprintf("%s:%d", name, lineOf(v, j))}
				if errs := r.validate(); len(errs) > 0 {
					rf.errorf(itemNode(v, j), "disable", "%s", errs[0].msg)
					continue
				}
				rules = append(rules, r)
			}
		default:
			rf.errorf(k, k.Value, "unknown key %q (a rule file has rules:, disable: and words:, or is one rule with an id:)", k.Value)
		}
	}
	return rules, rf.diags
}

// ruleFields are the keys a rule mapping may have.
var ruleFields = []string{"id", "kind", "family", "severity", "message", "tokens", "patterns", "swap", "scope", "max", "min", "sample", "exceptions", "kinds", "unless"}

// parseRule reads one rule mapping; ok is false when it has an error.
func (rf *ruleFile) parseRule(n *yaml.Node) (Rule, bool) {
	before := len(rf.diags)
	r := Rule{Source: fmt.Sprintf("%s:%d", rf.name, n.Line)}
	nodes := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		field := k.Value
		nodes[field] = v
		switch field {
		case "id":
			r.ID = rf.scalar(v, field)
		case "kind":
			r.Kind = Kind(rf.scalar(v, field))
		case "family":
			r.Family = rf.scalar(v, field)
		case "severity":
			r.Severity = courtesy.Severity(rf.scalar(v, field))
		case "message":
			r.Message = strings.TrimSpace(rf.scalar(v, field))
		case "tokens", "patterns":
			ts, _ := rf.strings(v, field)
			r.Tokens = append(r.Tokens, rf.expand(v, ruleField(r.ID, field), ts)...)
			nodes["tokens"] = v
		case "exceptions":
			ts, _ := rf.strings(v, field)
			r.Exceptions = rf.expand(v, ruleField(r.ID, field), ts)
		case "kinds":
			r.Kinds, _ = rf.strings(v, field)
		case "unless":
			r.Unless, _ = rf.strings(v, field)
		case "scope":
			r.Scope = rf.scalar(v, field)
		case "swap":
			if v.Kind != yaml.MappingNode {
				rf.errorf(v, field, "is a mapping from the wording to avoid to the wording to use")
				continue
			}
			r.Swap = []Swap{}
			for j := 0; j+1 < len(v.Content); j += 2 {
				r.Swap = append(r.Swap, Swap{Pattern: v.Content[j].Value, With: v.Content[j+1].Value})
			}
		case "max", "min":
			f, err := strconv.ParseFloat(rf.scalar(v, field), 64)
			if err != nil {
				rf.errorf(v, field, "%q is not a number", v.Value)
				continue
			}
			if field == "max" {
				r.Max = &f
			} else {
				r.Min = &f
			}
		case "sample":
			s, err := strconv.Atoi(rf.scalar(v, field))
			if err != nil || s < 1 {
				rf.errorf(v, field, "%q is not a positive whole number", v.Value)
				continue
			}
			r.Sample = s
		default:
			rf.errorf(k, field, "unknown field %q (known: %s)", field, strings.Join(ruleFields, ", "))
		}
	}
	for _, fe := range r.validate() {
		at := nodes[fe.field]
		if at == nil {
			at = n
		} else if fe.index >= 0 {
			at = itemNode(at, fe.index)
		}
		field := fe.field
		if fe.index >= 0 {
			field = fmt.Sprintf("%s[%d]", fe.field, fe.index)
		}
		if r.ID != "" && fe.field != "id" {
			field = r.ID + ": " + field
		}
		rf.errorf(at, field, "%s", fe.msg)
	}
	return r, len(rf.diags) == before
}

// parseWords reads a file's words: mapping, a name for each list of words
// or phrases that its patterns name as @name.
func (rf *ruleFile) parseWords(v *yaml.Node) {
	if v.Kind != yaml.MappingNode {
		rf.errorf(v, "words", "is a mapping from a name to a list of words or phrases")
		return
	}
	rf.words = map[string][]string{}
	for i := 0; i+1 < len(v.Content); i += 2 {
		k, list := v.Content[i], v.Content[i+1]
		if !wordsName.MatchString(k.Value) {
			rf.errorf(k, "words", "%q is not a name for words (lower-case letters, digits and -)", k.Value)
			continue
		}
		ws, ok := rf.strings(list, "words."+k.Value)
		if !ok {
			continue
		}
		for j, w := range ws {
			if strings.TrimSpace(w) == "" || strings.ContainsAny(w, "{}[],@") {
				rf.errorf(itemNode(list, j), "words."+k.Value, "%q is not a word or phrase (no commas, brackets or @)", w)
				ok = false
			}
		}
		if ok {
			rf.words[k.Value] = ws
		}
	}
}

var wordsName = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// expand replaces every @name in patterns by the file's words of that name:
// inside {…} or […] by the words as alternatives, elsewhere by {…} of them.
func (rf *ruleFile) expand(v *yaml.Node, field string, patterns []string) []string {
	out := make([]string, 0, len(patterns))
	for j, p := range patterns {
		if !strings.Contains(p, "@") {
			out = append(out, p)
			continue
		}
		var b strings.Builder
		inGroup := false
		for i := 0; i < len(p); {
			c := p[i]
			switch c {
			case '{', '[':
				inGroup = true
			case '}', ']':
				inGroup = false
			}
			if c != '@' {
				b.WriteByte(c)
				i++
				continue
			}
			k := i + 1
			for k < len(p) && (p[k] >= 'a' && p[k] <= 'z' || p[k] >= '0' && p[k] <= '9' || p[k] == '-') {
				k++
			}
			name := p[i+1 : k]
			ws, ok := rf.words[name]
			if !ok {
				rf.errorf(itemNode(v, j), field, "pattern %q names @%s, which the file's words: do not define", p, name)
				ws = []string{name}
			}
			if inGroup && !wholeAlternative(p, i, k) {
				rf.errorf(itemNode(v, j), field, "pattern %q: @%s inside {…} or […] stands alone between commas", p, name)
			}
			if inGroup {
				b.WriteString(strings.Join(ws, ","))
			} else {
				b.WriteString("{" + strings.Join(ws, ",") + "}")
			}
			i = k
		}
		out = append(out, b.String())
	}
	return out
}

// ruleField names a field of the rule with id, for a diagnostic.
func ruleField(id, field string) string {
	if id == "" {
		return field
	}
	return id + ": " + field
}

// wholeAlternative reports whether p[i:k], inside a group, is a whole
// alternative of it: "{@soon,at noon}" is one, "{in # @hours}" is not.
func wholeAlternative(p string, i, k int) bool {
	before := strings.TrimRight(p[:i], " ")
	after := strings.TrimLeft(p[k:], " ")
	opens := strings.HasSuffix(before, "{") || strings.HasSuffix(before, "[") || strings.HasSuffix(before, ",")
	closes := strings.HasPrefix(after, ",") || strings.HasPrefix(after, "}") || strings.HasPrefix(after, "]")
	return opens && closes
}

func (rf *ruleFile) scalar(v *yaml.Node, field string) string {
	if v.Kind != yaml.ScalarNode {
		rf.errorf(v, field, "is a single value, not a list or mapping")
		return ""
	}
	return v.Value
}

// strings reads a list of strings; a single string is a list of one.
func (rf *ruleFile) strings(v *yaml.Node, field string) ([]string, bool) {
	if v.Kind == yaml.ScalarNode {
		return []string{v.Value}, true
	}
	if v.Kind != yaml.SequenceNode {
		rf.errorf(v, field, "is a list of strings")
		return nil, false
	}
	out := make([]string, 0, len(v.Content))
	for _, n := range v.Content {
		if n.Kind != yaml.ScalarNode {
			rf.errorf(n, field, "is a list of strings")
			return nil, false
		}
		out = append(out, n.Value)
	}
	return out, true
}

// itemNode is the node of the i-th item of a list or mapping, or the node
// itself when it is a single value.
func itemNode(v *yaml.Node, i int) *yaml.Node {
	switch v.Kind {
	case yaml.SequenceNode:
		if i < len(v.Content) {
			return v.Content[i]
		}
	case yaml.MappingNode:
		if 2*i < len(v.Content) {
			return v.Content[2*i]
		}
	}
	return v
}

func lineOf(v *yaml.Node, i int) int { return itemNode(v, i).Line }

func mappingValue(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// yamlErrorLine digs the line out of a yaml.v3 syntax error ("yaml: line 3:
// …"), which carries it only in its text.
func yamlErrorLine(err error) int {
	var te *yaml.TypeError
	msg := err.Error()
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	_, rest, ok := strings.Cut(msg, "line ")
	if !ok {
		return 0
	}
	end := 0
	for end < len(rest) && rest[end] >= '0' && rest[end] <= '9' {
		end++
	}
	n, _ := strconv.Atoi(rest[:end])
	return n
}

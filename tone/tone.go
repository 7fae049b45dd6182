package tone

import (
	"embed"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/tone/internal/features"
)

// Finding is one problem with the wording of a message.
type Finding struct {
	Rule       string            // e.g. "courteous.false-urgency"
	Family     string            // urgency, scarcity, guilt, shouting, creepy, sensitive, hard-sell, required…
	Severity   courtesy.Severity // error holds the message; warning is logged; suggestion only in lint
	Message    string            // why the wording is a problem and what to write instead
	Suggestion string            // substitution text, when the rule has one
	Start, End int               // byte offsets in the checked text
	Line, Col  int               // 1-based, Col in runes
	Match      string
	Words      string // a model or structural finding: the words that carried it, quoted
	Allowed    string // the campaign's reason for allowing it; its severity is then suggestion
}

// Diagnostic turns the finding into a lint diagnostic for file.
func (f Finding) Diagnostic(file string) courtesy.Diagnostic {
	return courtesy.Diagnostic{File: file, Line: f.Line, Col: f.Col, Severity: f.Severity, Rule: f.Rule, Message: f.Message}
}

// Context is what a check knows about the message beyond its text.
type Context struct {
	Kind         string   // campaign kind: birthday | interest_reminder | nps_survey | welcome; empty applies every rule
	StockData    bool     // the campaign declares real stock numbers (the fake-scarcity rule is relaxed)
	Personal     []string // values substituted from customer data; not the template's own words
	BusinessName string   // the sender the message must name; empty skips that rule
	Lang         string   // BCP 47 tag of the text's language; empty means English
	Allow        []Allow  // rules or families the campaign switched off, with its reasons
}

// Allow switches a rule (by id) or a whole family off for one campaign. The
// finding is still reported, as a suggestion carrying the reason, so lint
// shows what was allowed and why.
type Allow struct {
	Rule   string // a rule id (courteous.fake-scarcity) or a family (scarcity)
	Reason string
}

// allows returns the campaign's reason for allowing f, if it does.
func (ctx Context) allows(f Finding) (string, bool) {
	for _, a := range ctx.Allow {
		if a.Rule == f.Rule || a.Rule == f.Family {
			return a.Reason, true
		}
	}
	return "", false
}

// profiles are the built-in tone profiles, the first being the default.
var profiles = []string{"warm", "neutral", "informative"}

// Profiles lists the built-in tone profiles; the first is the default.
func Profiles() []string { return slices.Clone(profiles) }

//go:embed rules
var builtinFS embed.FS

// Checker checks text against a profile's rules in the language of the
// text. It is immutable after New and safe for concurrent use.
type Checker struct {
	profile string
	sets    map[string]*ruleset // by base language
	passed  passedTexts         // the shapes of the texts Held passed
}

// ruleset is the compiled rules of one language.
type ruleset struct {
	lang      string
	rules     []crule
	pats      []cpat
	first     map[string][]int32 // patterns by the literal word they start with
	second    map[string][]int32 // patterns by their first two literal words, written together
	stemFirst map[string][]int32 // patterns that start with a stem, by its first stemKey bytes
	shortStem []int32            // patterns that start with a stem shorter than that
	numFirst  []int32            // patterns that start with #
	model     *languageModel     // nil when the language has none
	pool      sync.Pool
}

// crule is a rule with its limits resolved.
type crule struct {
	Rule
	max, min       float64
	hasMax, hasMin bool
	unlessStock    bool
	family         int // the model family of a model rule, else -1
}

// Pattern roles.
const (
	roleMatch uint8 = iota
	roleException
)

// cpat is one compiled pattern of a rule.
type cpat struct {
	pattern
	rule int32
	role uint8
	with string // substitution text
	gap  bool   // the pattern skips words: its finding names the words it matched
}

// New builds a checker for a profile (warm, neutral or informative; empty
// means warm) with the built-in courteous rules of every language, the
// profile's adjustments and then rules, in order: user rules add rules,
// replace or change built-in ones with the same id, or disable them. A
// shop's own rules apply in every language.
func New(profile string, rules ...Rule) (*Checker, error) {
	if profile == "" {
		profile = profiles[0]
	}
	if !slices.Contains(profiles, profile) {
		return nil, fmt.Errorf("tone profile %q does not exist (want %s)", profile, strings.Join(profiles, ", "))
	}
	base, err := builtins()
	if err != nil {
		return nil, err
	}
	adjust, diags := LoadRules(builtinFS, "rules/profiles/"+profile+".yaml")
	if len(diags) > 0 {
		return nil, fmt.Errorf("tone profile %s: %w", profile, diags)
	}
	c := &Checker{profile: profile, sets: map[string]*ruleset{}}
	for _, lang := range languages() {
		all, err := merge(base[lang], adjust)
		if err != nil {
			return nil, err
		}
		own := rules
		if lang != defaultLang {
			own = applicable(all, rules)
		}
		if all, err = merge(all, own); err != nil {
			return nil, err
		}
		m, err := loadModel(lang)
		if err != nil {
			return nil, err
		}
		rs, err := compile(lang, all, m)
		if err != nil {
			return nil, err
		}
		c.sets[lang] = rs
	}
	return c, nil
}

// compile builds the ruleset of one language from its merged rules.
func compile(lang string, all []Rule, m *languageModel) (*ruleset, error) {
	c := &ruleset{lang: lang, model: m, first: map[string][]int32{}, second: map[string][]int32{}, stemFirst: map[string][]int32{}}
	var problems []string
	for _, r := range all {
		if r.Disabled {
			continue
		}
		for _, fe := range r.validate() {
			problems = append(problems, fmt.Sprintf("%s: %s: %s", where(r), fe.field, fe.msg))
		}
		if len(problems) > 0 {
			continue
		}
		c.add(r)
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("tone rules: %s", strings.Join(problems, "; "))
	}
	n := len(c.rules)
	c.pool.New = func() any {
		return &scratch{
			toks:      make([]token, 0, 256),
			low:       make([]byte, 0, 1024),
			hits:      make([]hit, 0, 16),
			active:    make([]bool, n),
			satisfied: make([]bool, n),
			words:     make([][]byte, 0, 64),
			feats:     make([]features.Feature, 0, 1024),
			sents:     make([]sentence, 0, 32),
		}
	}
	return c, nil
}

// applicable keeps the user rules that make sense in a language's set: a
// change to or a switch-off of a rule it does not have is for another
// language (and is checked against the English set, which has them all).
func applicable(base []Rule, rules []Rule) []Rule {
	ids := make(map[string]bool, len(base))
	for _, r := range base {
		ids[r.ID] = true
	}
	var out []Rule
	for _, r := range rules {
		if r.Kind != "" || ids[r.ID] {
			out = append(out, r)
		}
	}
	return out
}

// Profile is the name of the checker's profile.
func (c *Checker) Profile() string { return c.profile }

// Rules returns the checker's English rules after profile and user changes,
// in the order they were defined.
func (c *Checker) Rules() []Rule { return c.RulesFor(defaultLang) }

// RulesFor returns the rules that judge text in lang, or the English ones
// when lang has none of its own.
func (c *Checker) RulesFor(lang string) []Rule {
	rs, _ := c.set(lang)
	out := make([]Rule, len(rs.rules))
	for i, r := range rs.rules {
		out[i] = r.Rule
	}
	return out
}

// Knows reports whether name is the id or the family of one of the
// checker's rules in any language, so a campaign can switch it off.
func (c *Checker) Knows(name string) bool {
	for _, rs := range c.sets {
		for _, r := range rs.rules {
			if r.ID == name || r.Family == name {
				return true
			}
		}
	}
	return false
}

// add compiles r; validate has already accepted it.
func (c *ruleset) add(r Rule) {
	cr := crule{Rule: r, family: -1}
	if r.Kind == Model && c.model != nil {
		cr.family = slices.Index(c.model.Families, r.Family)
	}
	if cr.Family == "" {
		cr.Family = "custom"
	}
	if cr.Severity == "" {
		cr.Severity = courtesy.SeverityWarning
	}
	if cr.Sample == 0 {
		cr.Sample = 20
	}
	if r.Max != nil {
		cr.max, cr.hasMax = *r.Max, true
	}
	if r.Min != nil {
		cr.min, cr.hasMin = *r.Min, true
	}
	cr.unlessStock = slices.Contains(r.Unless, UnlessStockData)
	ri := int32(len(c.rules))
	c.rules = append(c.rules, cr)
	if r.usesTokens() {
		for _, t := range r.Tokens {
			c.addPattern(t, ri, roleMatch, "")
		}
	}
	for _, s := range r.Swap {
		c.addPattern(s.Pattern, ri, roleMatch, s.With)
	}
	for _, e := range r.Exceptions {
		c.addPattern(e, ri, roleException, "")
	}
}

func (c *ruleset) addPattern(src string, rule int32, role uint8, with string) {
	ps, _ := compilePattern(src) // validated before
	for _, p := range ps {
		id := int32(len(c.pats))
		c.pats = append(c.pats, cpat{pattern: p, rule: rule, role: role, with: with, gap: p.hasGap()})
		if pairs := p.leadingPairs(); pairs != nil {
			for _, k := range pairs {
				c.second[k] = append(c.second[k], id)
			}
			continue
		}
		num := false
		for _, seq := range p.elems[0].alts {
			a := seq[0]
			switch {
			case a.stem && len(a.word) >= stemKey:
				c.stemFirst[a.word[:stemKey]] = appendOnce(c.stemFirst[a.word[:stemKey]], id)
			case a.stem:
				c.shortStem = appendOnce(c.shortStem, id)
			case a.num:
				num = true
			default:
				c.first[a.word] = appendOnce(c.first[a.word], id)
			}
		}
		if num {
			c.numFirst = append(c.numFirst, id)
		}
	}
}

// usesTokens reports whether the rule matches its tokens (rather than
// counting marks, capitals or emoji).
func (r *Rule) usesTokens() bool {
	switch r.Kind {
	case Existence:
		return true
	case Occurrence, Required:
		return r.Scope == "" || r.Scope == ScopeTokens
	}
	return false
}

// stemKey is how many bytes of a leading stem index its pattern.
const stemKey = 3

func appendOnce(ids []int32, id int32) []int32 {
	if len(ids) > 0 && ids[len(ids)-1] == id {
		return ids
	}
	return append(ids, id)
}

// applies reports whether the rule is switched on for this message.
func (r *crule) applies(ctx Context) bool {
	if ctx.Kind != "" && len(r.Kinds) > 0 && !slices.Contains(r.Kinds, ctx.Kind) {
		return false
	}
	if r.unlessStock && ctx.StockData {
		return false
	}
	return true
}

// Allows converts a campaign's switch-offs, declared in its own package as
// any struct of a rule and a reason, into a Context's.
func Allows[T ~struct{ Rule, Reason string }](in []T) []Allow {
	out := make([]Allow, len(in))
	for i, a := range in {
		out[i] = Allow(a)
	}
	return out
}

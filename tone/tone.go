package tone

import (
	"embed"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/courtesyhq/courtesy"
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
}

// profiles are the built-in tone profiles, the first being the default.
var profiles = []string{"warm", "neutral", "informative"}

// Profiles lists the built-in tone profiles; the first is the default.
func Profiles() []string { return slices.Clone(profiles) }

//go:embed rules/*.yaml rules/profiles/*.yaml
var builtinFS embed.FS

// builtins parses the embedded rule files once; they are the same format as
// a shop's own files, read by the same code.
var builtins = sync.OnceValues(func() ([]Rule, error) {
	rules, diags := LoadRules(builtinFS, "rules")
	if len(diags) > 0 {
		return nil, fmt.Errorf("built-in tone rules: %w", diags)
	}
	return rules, nil
})

// Checker checks text against a profile's rules. It is immutable after New
// and safe for concurrent use.
type Checker struct {
	profile   string
	rules     []crule
	pats      []cpat
	first     map[string][]int32 // patterns by the literal word they start with
	second    map[string][]int32 // patterns by their first two literal words, written together
	stemFirst map[string][]int32 // patterns that start with a stem, by its first stemKey bytes
	shortStem []int32            // patterns that start with a stem shorter than that
	numFirst  []int32            // patterns that start with #
	pool      sync.Pool
}

// crule is a rule with its limits resolved.
type crule struct {
	Rule
	max, min       float64
	hasMax, hasMin bool
	unlessStock    bool
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
}

// New builds a checker for a profile (warm, neutral or informative; empty
// means warm) with the built-in courteous rules, the profile's adjustments
// and then rules, in order: user rules add rules, replace or change built-in
// ones with the same id, or disable them.
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
	all, err := merge(base, adjust)
	if err != nil {
		return nil, err
	}
	if all, err = merge(all, rules); err != nil {
		return nil, err
	}
	c := &Checker{profile: profile, first: map[string][]int32{}, second: map[string][]int32{}, stemFirst: map[string][]int32{}}
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
		}
	}
	return c, nil
}

// Profile is the name of the checker's profile.
func (c *Checker) Profile() string { return c.profile }

// Rules returns the checker's rules after profile and user changes, in the
// order they were defined.
func (c *Checker) Rules() []Rule {
	out := make([]Rule, len(c.rules))
	for i, r := range c.rules {
		out[i] = r.Rule
	}
	return out
}

// add compiles r; validate has already accepted it.
func (c *Checker) add(r Rule) {
	cr := crule{Rule: r}
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

func (c *Checker) addPattern(src string, rule int32, role uint8, with string) {
	ps, _ := compilePattern(src) // validated before
	for _, p := range ps {
		id := int32(len(c.pats))
		c.pats = append(c.pats, cpat{pattern: p, rule: rule, role: role, with: with})
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

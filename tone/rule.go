package tone

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/courtesyhq/courtesy"
)

// Kind is what a rule looks for.
type Kind string

const (
	// Existence fires on every match of one of its tokens.
	Existence Kind = "existence"
	// Substitution fires on every match of a swap key and suggests its value.
	Substitution Kind = "substitution"
	// Occurrence counts something in the text (its scope) and fires on the
	// occurrences past Max, or once when there are fewer than Min.
	Occurrence Kind = "occurrence"
	// Ratio fires when a share of the text (its scope) is above Max or below Min.
	Ratio Kind = "ratio"
	// Required fires when the text lacks something: the sender's name, or any
	// match of its tokens.
	Required Kind = "required"
)

// Scopes: what occurrence, ratio and required rules measure.
const (
	ScopeTokens         = "tokens"          // occurrence, required: matches of the rule's tokens
	ScopeExclamation    = "exclamation"     // occurrence: exclamation marks ("!!!" counts once)
	ScopeExclamationRun = "exclamation-run" // occurrence: "!!", "!!!", "?!" …
	ScopeCapsWord       = "caps-word"       // occurrence: words of 4+ letters in capitals only
	ScopeEmoji          = "emoji"           // occurrence: pictographs
	ScopeCapitals       = "capitals"        // ratio: capital letters over letters
	ScopeSender         = "sender"          // required: the business's name
)

// Condition names usable in a rule's unless list.
const UnlessStockData = "stock_data"

// Swap is one substitution: text matching Pattern should read With.
type Swap struct {
	Pattern string
	With    string
}

// Rule is one tone rule, as written in a rule file. A rule with the ID of an
// existing rule and no Kind changes only the fields it sets; with a Kind it
// replaces the rule; Disabled removes it.
type Rule struct {
	ID         string
	Kind       Kind
	Family     string // defaults to "custom"
	Severity   courtesy.Severity
	Message    string   // may use {match}, {with}, {count}, {max}, {min}
	Tokens     []string // patterns, see doc.go
	Swap       []Swap
	Scope      string
	Max, Min   *float64
	Sample     int      // ratio: judged only over at least this many letters; defaults to 20
	Exceptions []string // patterns whose matches the rule leaves alone
	Kinds      []string // campaign kinds the rule applies to; empty means all
	Unless     []string // conditions that switch the rule off: stock_data
	Disabled   bool
	Source     string // "file:line" of the rule's definition
}

// campaignKinds are the campaign kinds a rule's kinds list may name.
var campaignKinds = map[string]bool{"birthday": true, "interest_reminder": true, "nps_survey": true, "welcome": true}

var idPattern = regexp.MustCompile(`^[a-z0-9]+([.-][a-z0-9]+)*$`)

// fieldError is a problem with one field of a rule; index points into a
// list field (tokens, exceptions, swap) or is -1.
type fieldError struct {
	field string
	index int
	msg   string
}

// validate reports what is wrong with r. Overrides (no Kind) are checked
// for the fields they set; full rules for everything their kind needs.
func (r *Rule) validate() []fieldError {
	var errs []fieldError
	add := func(field string, index int, format string, args ...any) {
		errs = append(errs, fieldError{field, index, fmt.Sprintf(format, args...)})
	}
	if !idPattern.MatchString(r.ID) {
		add("id", -1, "%q is not a rule id (lower-case words joined by '.' or '-', such as shop.no-countdown)", r.ID)
	}
	if r.Disabled {
		return errs
	}
	switch r.Severity {
	case "", courtesy.SeverityError, courtesy.SeverityWarning, courtesy.SeveritySuggestion:
	default:
		add("severity", -1, "%q is not a severity (error, warning or suggestion)", r.Severity)
	}
	for i, k := range r.Kinds {
		if !campaignKinds[k] {
			add("kinds", i, "%q is not a campaign kind (birthday, interest_reminder, nps_survey or welcome)", k)
		}
	}
	for i, u := range r.Unless {
		if u != UnlessStockData {
			add("unless", i, "%q is not a condition (stock_data)", u)
		}
	}
	for i, t := range r.Tokens {
		if _, err := compilePattern(t); err != nil {
			add("tokens", i, "%v", err)
		}
	}
	for i, t := range r.Exceptions {
		if _, err := compilePattern(t); err != nil {
			add("exceptions", i, "%v", err)
		}
	}
	for i, s := range r.Swap {
		if _, err := compilePattern(s.Pattern); err != nil {
			add("swap", i, "%v", err)
		}
		if strings.TrimSpace(s.With) == "" {
			add("swap", i, "%q has nothing to swap it with", s.Pattern)
		}
	}
	if r.Max != nil && *r.Max < 0 || r.Min != nil && *r.Min < 0 {
		add("max", -1, "limits cannot be negative")
	}
	if r.Kind == "" {
		return errs
	}
	if strings.TrimSpace(r.Message) == "" {
		add("message", -1, "a rule needs a message saying why the wording is a problem and what to write instead")
	}
	switch r.Kind {
	case Existence:
		if len(r.Tokens) == 0 {
			add("tokens", -1, "an existence rule needs tokens")
		}
	case Substitution:
		if len(r.Swap) == 0 {
			add("swap", -1, "a substitution rule needs a swap map")
		}
	case Occurrence:
		switch r.Scope {
		case ScopeExclamation, ScopeExclamationRun, ScopeCapsWord, ScopeEmoji:
		case "", ScopeTokens:
			if len(r.Tokens) == 0 {
				add("tokens", -1, "an occurrence rule over tokens needs tokens")
			}
		default:
			add("scope", -1, "%q is not an occurrence scope (tokens, exclamation, exclamation-run, caps-word, emoji)", r.Scope)
		}
		if r.Max == nil && r.Min == nil {
			add("max", -1, "an occurrence rule needs max or min")
		}
	case Ratio:
		if r.Scope != ScopeCapitals {
			add("scope", -1, "%q is not a ratio scope (capitals)", r.Scope)
		}
		if r.Max == nil && r.Min == nil {
			add("max", -1, "a ratio rule needs max or min")
		}
		if r.Max != nil && *r.Max > 1 || r.Min != nil && *r.Min > 1 {
			add("max", -1, "a ratio is between 0 and 1")
		}
	case Required:
		switch r.Scope {
		case ScopeSender:
		case "", ScopeTokens:
			if len(r.Tokens) == 0 {
				add("tokens", -1, "a required rule needs tokens, or scope: sender")
			}
		default:
			add("scope", -1, "%q is not a required scope (tokens, sender)", r.Scope)
		}
	default:
		add("kind", -1, "%q is not a rule kind (existence, substitution, occurrence, ratio, required)", r.Kind)
	}
	return errs
}

// merge applies rules in order over base: later rules disable, replace or
// change earlier ones by id.
func merge(base []Rule, rules []Rule) ([]Rule, error) {
	out := append([]Rule(nil), base...)
	index := make(map[string]int, len(out))
	for i, r := range out {
		index[r.ID] = i
	}
	var errs []string
	for _, r := range rules {
		i, ok := index[r.ID]
		switch {
		case r.Disabled:
			if !ok {
				errs = append(errs, fmt.Sprintf("%s: disable: no rule has id %q", where(r), r.ID))
				continue
			}
			out[i].Disabled = true
		case r.Kind != "":
			if ok {
				out[i] = r
			} else {
				index[r.ID] = len(out)
				out = append(out, r)
			}
		default:
			if !ok {
				errs = append(errs, fmt.Sprintf("%s: rule %q changes a rule that does not exist; give it a kind to add it", where(r), r.ID))
				continue
			}
			out[i] = patch(out[i], r)
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("tone rules: %s", strings.Join(errs, "; "))
	}
	return out, nil
}

func where(r Rule) string {
	if r.Source != "" {
		return r.Source
	}
	return "rule " + r.ID
}

// patch changes the fields of r that p sets. Exceptions are added, so a
// shop can spare one phrase from a built-in rule without copying it.
func patch(r, p Rule) Rule {
	if p.Severity != "" {
		r.Severity = p.Severity
	}
	if p.Family != "" {
		r.Family = p.Family
	}
	if p.Message != "" {
		r.Message = p.Message
	}
	if p.Tokens != nil {
		r.Tokens = p.Tokens
	}
	if p.Swap != nil {
		r.Swap = p.Swap
	}
	if p.Scope != "" {
		r.Scope = p.Scope
	}
	if p.Max != nil {
		r.Max = p.Max
	}
	if p.Min != nil {
		r.Min = p.Min
	}
	if p.Sample != 0 {
		r.Sample = p.Sample
	}
	r.Exceptions = append(append([]string(nil), r.Exceptions...), p.Exceptions...)
	if p.Kinds != nil {
		r.Kinds = p.Kinds
	}
	if p.Unless != nil {
		r.Unless = p.Unless
	}
	return r
}

package tone

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"github.com/courtesyhq/courtesy"
)

func TestUserRulesAddAndDisable(t *testing.T) {
	fsys := fstest.MapFS{
		"tone/shop.yaml": {Data: []byte(`
disable: [courteous.exclamations]
rules:
  - id: shop.no-cheap
    kind: existence
    family: wording
    severity: warning
    message: '"{match}" undersells the bread; say "good value" instead.'
    tokens: ["cheap~"]
  - id: courteous.false-urgency
    severity: warning
    exceptions: ["last chance to see"]
`)},
		"tone/one.yml": {Data: []byte(`
id: shop.tasting
kind: substitution
message: 'Say "{with}" rather than "{match}".'
swap:
  free sample: tasting
`)},
		"tone/notes.txt": {Data: []byte("not a rule file")},
	}
	rules, diags := LoadRules(fsys, "tone")
	if len(diags) > 0 {
		t.Fatalf("LoadRules: %v", diags)
	}
	c := MustNew(t, "informative", rules...)
	got := c.Check(Context{}, "Cheapest loaves! Really! Truly! Last chance to see the old oven. Last chance! Free samples inside.")
	want := []Finding{
		{Rule: "shop.no-cheap", Family: "wording", Severity: courtesy.SeverityWarning, Message: `"Cheapest" undersells the bread; say "good value" instead.`, Start: 0, End: 8, Line: 1, Col: 1, Match: "Cheapest"},
		{Rule: "courteous.false-urgency", Family: "urgency", Severity: courtesy.SeverityWarning, Start: 65, End: 76, Line: 1, Col: 66, Match: "Last chance"},
	}
	if diff := cmp.Diff(want, got, cmp.FilterPath(func(p cmp.Path) bool {
		return p.Last().String() == ".Message" && strings.HasPrefix(p.Index(-2).String(), "[1]")
	}, cmp.Ignore())); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	// "Free samples" is not "free sample": substitution matches whole words.
	got = c.Check(Context{}, "A free sample with every loaf.")
	if diff := cmp.Diff([]at{{"shop.tasting", 1, 3, "free sample"}}, positions(got)); diff != "" {
		t.Errorf("substitution (-want +got):\n%s", diff)
	}
	if got[0].Message != `Say "tasting" rather than "free sample".` || got[0].Suggestion != "tasting" {
		t.Errorf("substitution message %q, suggestion %q", got[0].Message, got[0].Suggestion)
	}
	var ids []string
	for _, r := range c.Rules() {
		if r.ID == "courteous.exclamations" {
			t.Error("courteous.exclamations is still in the rules after disable")
		}
		ids = append(ids, r.ID)
	}
	if !strings.Contains(strings.Join(ids, " "), "shop.no-cheap") {
		t.Errorf("rules %v lack shop.no-cheap", ids)
	}
}

func TestLoadRulesDiagnostics(t *testing.T) {
	tests := []struct {
		name string
		file string
		want []string // Diagnostic.String()
	}{
		{
			name: "yaml syntax",
			file: "id: shop.x\nkind: existence\n  message: m\n",
			want: []string{"bad.yaml:3: mapping values are not allowed in this context"},
		},
		{
			name: "unknown field",
			file: "id: shop.x\nkind: existence\nmessage: m\ntokens: [x]\ntokenz: [y]\n",
			want: []string{"bad.yaml:5: tokenz: unknown field \"tokenz\" (known: id, kind, family, severity, message, tokens, patterns, swap, scope, max, min, sample, exceptions, kinds, unless)"},
		},
		{
			name: "bad pattern names its line",
			file: "rules:\n  - id: shop.x\n    kind: existence\n    message: m\n    tokens:\n      - fine\n      - \"{not closed\"\n",
			want: []string{`bad.yaml:7: shop.x: tokens[1]: pattern "{not closed": "{" is not closed`},
		},
		{
			name: "a rule for welcome messages",
			file: "id: shop.x\nkind: existence\nmessage: m\ntokens: [hurry]\nkinds: [welcome]\n",
			want: []string{},
		},
		{
			name: "bad kind, severity and campaign kind",
			file: "id: shop.x\nkind: presence\nseverity: fatal\nmessage: m\nkinds: [newsletter]\n",
			want: []string{
				`bad.yaml:3: shop.x: severity: "fatal" is not a severity (error, warning or suggestion)`,
				`bad.yaml:5: shop.x: kinds[0]: "newsletter" is not a campaign kind (birthday, interest_reminder, nps_survey or welcome)`,
				`bad.yaml:2: shop.x: kind: "presence" is not a rule kind (existence, substitution, occurrence, ratio, required, model)`,
			},
		},
		{
			name: "missing message",
			file: "id: shop.x\nkind: existence\ntokens: [x]\n",
			want: []string{"bad.yaml:1: shop.x: message: a rule needs a message saying why the wording is a problem and what to write instead"},
		},
		{
			name: "limits",
			file: "id: shop.x\nkind: ratio\nscope: capitals\nmessage: m\nmax: lots\n",
			want: []string{
				`bad.yaml:5: max: "lots" is not a number`,
				"bad.yaml:5: shop.x: max: a ratio rule needs max or min",
			},
		},
		{
			name: "bad id in disable",
			file: "disable:\n  - courteous.caps-word\n  - Not An Id\n",
			want: []string{`bad.yaml:3: disable: "Not An Id" is not a rule id (lower-case words joined by '.' or '-', such as shop.no-countdown)`},
		},
		{
			name: "words a pattern names",
			file: "words:\n  soon: [tonight, at midnight]\nrules:\n  - id: shop.x\n    kind: existence\n    message: m\n    tokens:\n      - \"ends {@soon,today}\"\n      - \"ends @later\"\n      - \"ends {in # @soon}\"\n",
			want: []string{
				`bad.yaml:9: shop.x: tokens: pattern "ends @later" names @later, which the file's words: do not define`,
				`bad.yaml:10: shop.x: tokens: pattern "ends {in # @soon}": @soon inside {…} or […] stands alone between commas`,
			},
		},
		{
			name: "words that are not a list of words",
			file: "words:\n  Soon: [tonight]\n  late: [\"at {midnight}\"]\n",
			want: []string{
				`bad.yaml:2: words: "Soon" is not a name for words (lower-case letters, digits and -)`,
				`bad.yaml:3: words.late: "at {midnight}" is not a word or phrase (no commas, brackets or @)`,
			},
		},
		{
			name: "not a mapping",
			file: "- id: x\n",
			want: []string{"bad.yaml:1: a rule file is a mapping: one rule, or rules: and disable: lists"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, diags := LoadRules(fstest.MapFS{"bad.yaml": {Data: []byte(tt.file)}}, "bad.yaml")
			got := []string{}
			for _, d := range diags {
				got = append(got, d.String())
				if d.Severity != courtesy.SeverityError {
					t.Errorf("%v: severity %s, want error", d, d.Severity)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s", diff)
			}
		})
	}
}

// TestRuleWords shows a file's words: standing in for @name in its
// patterns, alone as a group or as one alternative of a group.
func TestRuleWords(t *testing.T) {
	fsys := fstest.MapFS{"shop.yaml": {Data: []byte(`
words:
  soon: [tonight, at midnight]
rules:
  - id: shop.deadline
    kind: existence
    message: '"{match}" hurries.'
    tokens: ["offer .. ends @soon", "{@soon,today} only"]
`)}}
	rules, diags := LoadRules(fsys, "shop.yaml")
	if len(diags) > 0 {
		t.Fatalf("LoadRules: %v", diags)
	}
	if diff := cmp.Diff([]string{"offer .. ends {tonight,at midnight}", "{tonight,at midnight,today} only"}, rules[0].Tokens); diff != "" {
		t.Errorf("tokens (-want +got):\n%s", diff)
	}
	c := MustNew(t, "warm", rules...)
	var got []string
	for _, f := range c.Check(Context{}, "The offer on rye ends at midnight. Today only, the oven is warm.") {
		if f.Rule == "shop.deadline" {
			got = append(got, f.Match)
		}
	}
	if diff := cmp.Diff([]string{"offer on rye ends at midnight", "Today only"}, got); diff != "" {
		t.Errorf("matches (-want +got):\n%s", diff)
	}
}

func TestNewRejectsBadRules(t *testing.T) {
	tests := []struct {
		name string
		rule Rule
		want string
	}{
		{"disable an unknown rule", Rule{ID: "shop.none", Disabled: true, Source: "shop.yaml:3"}, `shop.yaml:3: disable: no rule has id "shop.none"`},
		{"change an unknown rule", Rule{ID: "shop.none", Severity: courtesy.SeverityWarning}, `rule "shop.none" changes a rule that does not exist`},
		{"invalid rule", Rule{ID: "shop.x", Kind: Existence, Message: "m", Source: "shop.yaml:9"}, "shop.yaml:9: tokens: an existence rule needs tokens"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New("warm", tt.rule)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New: %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestBuiltinRules(t *testing.T) {
	rules, diags := LoadRules(builtinFS, "rules")
	if len(diags) > 0 {
		t.Fatalf("built-in rules: %v", diags)
	}
	families := map[string]bool{}
	for _, r := range rules {
		if !strings.HasPrefix(r.ID, "courteous.") {
			t.Errorf("built-in rule %s is not in the courteous namespace", r.ID)
		}
		if len(r.Message) < 60 {
			t.Errorf("%s: message %q is too short to say why and what instead", r.ID, r.Message)
		}
		families[r.Family] = true
	}
	for _, f := range []string{"urgency", "scarcity", "guilt", "shouting", "creepy", "sensitive", "hard-sell", "required"} {
		if !families[f] {
			t.Errorf("no built-in rule of family %s", f)
		}
	}
	for _, p := range Profiles() {
		MustNew(t, p)
	}
}

func TestCountingAndRequiredRules(t *testing.T) {
	fsys := fstest.MapFS{"shop.yaml": {Data: []byte(`
rules:
  - id: shop.free-once
    kind: occurrence
    message: '"free" {count} times; once is enough ({max} at most).'
    tokens: ["free"]
    max: 1
  - id: shop.say-thanks
    kind: required
    severity: suggestion
    message: 'Say thank you somewhere; a survey asks a favour.'
    tokens: ["{thank,thanks}"]
    kinds: [nps_survey]
  - id: shop.two-emoji
    kind: occurrence
    scope: emoji
    min: 2
    message: 'This shop signs with two emoji ({count} found).'
`)}}
	rules, diags := LoadRules(fsys, "shop.yaml")
	if len(diags) > 0 {
		t.Fatalf("LoadRules: %v", diags)
	}
	c := MustNew(t, "warm", rules...)
	tests := []struct {
		name string
		ctx  Context
		text string
		want []at
	}{
		{"over the max", Context{Kind: "birthday"}, "A free slice, free coffee, free cake 🎂🎂", []at{{"shop.free-once", 1, 15, "free"}, {"shop.free-once", 1, 28, "free"}}},
		{"under the min", Context{Kind: "birthday"}, "A free slice 🎂", []at{{"shop.two-emoji", 1, 1, ""}}},
		{"required missing", Context{Kind: "nps_survey"}, "How did we do? 🎂🎂", []at{{"shop.say-thanks", 1, 1, ""}}},
		{"required present", Context{Kind: "nps_survey"}, "Thanks! How did we do? 🎂🎂", []at{}},
		{"required only where it applies", Context{Kind: "birthday"}, "Happy birthday 🎂🎂", []at{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := c.Check(tt.ctx, tt.text)
			if diff := cmp.Diff(tt.want, positions(got)); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
		})
	}
	got := c.Check(Context{Kind: "birthday"}, "free, free 🎂🎂")
	if len(got) != 1 || got[0].Message != `"free" 2 times; once is enough (1 at most).` {
		t.Errorf("occurrence findings: %+v", got)
	}
}

package tone

import (
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/courtesyhq/courtesy"
)

// at is a finding reduced to what these tests pin down.
type at struct {
	Rule      string
	Line, Col int
	Match     string
}

func positions(fs []Finding) []at {
	out := make([]at, 0, len(fs))
	for _, f := range fs {
		out = append(out, at{f.Rule, f.Line, f.Col, f.Match})
	}
	return out
}

func rulesOf(fs []Finding) []string {
	out := []string{}
	for _, f := range fs {
		out = append(out, f.Rule)
	}
	return out
}

func TestCheckTemplatePositions(t *testing.T) {
	c := MustNew(t, "warm")
	src := "Hi {{.Customer.FirstName}},\n\n  Café news — LAST CHANCE!!! Only today\nfrom {{.Business.Name}}\n"
	got := c.CheckTemplate(Context{Kind: "birthday", BusinessName: "Crumb & Co."}, src)
	want := []at{
		{"courteous.caps-ratio", 3, 15, "LAST"},
		{"courteous.caps-word", 3, 15, "LAST"},
		{"courteous.false-urgency", 3, 15, "LAST CHANCE"},
		{"courteous.caps-word", 3, 20, "CHANCE"},
		{"courteous.exclamation-run", 3, 26, "!!!"},
		{"courteous.false-urgency", 3, 30, "Only today"},
	}
	if diff := cmp.Diff(want, positions(got)); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	for _, f := range got {
		if src[f.Start:f.End] != f.Match {
			t.Errorf("%s: Start:End %d:%d is %q, want %q", f.Rule, f.Start, f.End, src[f.Start:f.End], f.Match)
		}
		if !strings.Contains(f.Message, "") || len(f.Message) < 40 {
			t.Errorf("%s: message %q does not explain itself", f.Rule, f.Message)
		}
	}
}

func TestMaskedActions(t *testing.T) {
	c := MustNew(t, "warm")
	ctx := Context{Kind: "birthday", BusinessName: "Crumb & Co."}
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{"a value action is not shouting", "Happy birthday, {{.Customer.FirstName | upper}}! From {{.Business.Name}}.", []string{}},
		{"an action names the sender", "Happy birthday, {{.Customer.FirstName}}. {{.Business.Name}}", []string{}},
		{"without the sender", "Happy birthday, {{.Customer.FirstName}}.", []string{"courteous.sender"}},
		{"a placeholder stands for a number", "Now that you're {{.Age}}, from Crumb & Co.", []string{"courteous.sensitive-age"}},
		{"control actions print nothing", "{{if .Item}}Hurry{{else}}Hello{{end}} from Crumb & Co.", []string{"courteous.false-urgency"}},
		{"exclamation marks inside actions do not count", `{{if ne .X "!!!"}}Hello{{end}} from Crumb & Co.`, []string{}},
		{"braces inside a string", `{{ "}} LAST CHANCE" }} from Crumb & Co.`, []string{}},
		{"shouting in the template's own words", "{{.Customer.FirstName}}, FRESH bread. Crumb & Co.", []string{"courteous.caps-word"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, rulesOf(c.CheckTemplate(ctx, tt.src))); diff != "" {
				t.Errorf("CheckTemplate(%q) rules (-want +got):\n%s", tt.src, diff)
			}
		})
	}
}

func TestPersonalValuesDoNotShout(t *testing.T) {
	c := MustNew(t, "warm")
	text := "Happy birthday, ANNA-MARIE! A slice is on us. Crumb & Co."
	ctx := Context{Kind: "birthday", BusinessName: "Crumb & Co.", Personal: []string{"ANNA-MARIE", ""}}
	if got := c.Check(ctx, text); len(got) != 0 {
		t.Errorf("Check with the name as personal data: %v, want none", rulesOf(got))
	}
	ctx.Personal = nil
	if diff := cmp.Diff([]string{"courteous.caps-ratio", "courteous.caps-word", "courteous.caps-word"}, rulesOf(c.Check(ctx, text))); diff != "" {
		t.Errorf("Check without personal data: rules (-want +got):\n%s", diff)
	}
	// A value substituted from customer data is not the shop's wording.
	ctx.Personal = []string{"Hurry Bakewell"}
	if got := c.Check(ctx, "Hello Hurry Bakewell, from Crumb & Co."); len(got) != 0 {
		t.Errorf("a customer named Hurry: %v, want none", rulesOf(got))
	}
}

func TestContext(t *testing.T) {
	c := MustNew(t, "warm")
	tests := []struct {
		name string
		ctx  Context
		text string
		want []string
	}{
		{"scarcity without stock data", Context{Kind: "interest_reminder"}, "Only 2 left.", []string{"courteous.fake-scarcity"}},
		{"scarcity with stock data", Context{Kind: "interest_reminder", StockData: true}, "Only 2 left.", []string{}},
		{"hard sell in a birthday greeting", Context{Kind: "birthday"}, "Happy birthday! Shop now.", []string{"courteous.hard-sell"}},
		{"the same words in a reminder", Context{Kind: "interest_reminder"}, "It is back. Shop now.", []string{}},
		{"no kind applies every rule", Context{}, "Shop now.", []string{"courteous.hard-sell"}},
		{"sender named", Context{BusinessName: "Crumb & Co. Bakery"}, "Love, the CRUMB & co team", []string{"courteous.caps-word"}},
		{"sender by its first two words", Context{BusinessName: "Crumb & Co. Bakery"}, "From all at Crumb & Co.", []string{}},
		{"sender missing", Context{BusinessName: "Crumb & Co."}, "Happy birthday!", []string{"courteous.sender"}},
		{"accented capitals shout", Context{}, "Le CAFÉ est ouvert tous les jours, et la STRAßE aussi.", []string{"courteous.caps-word", "courteous.caps-word"}},
		{"accented words in sentence case do not", Context{}, "Crème brûlée, Straße, Ökobrot und 抹茶ケーキ.", []string{}},
		{"a brand in capitals inside a compound names a product", Context{}, "De LEGO-doos en het IKEA-rek zijn er weer.", []string{}},
		{"capitals before a hyphen and capitals still shout", Context{}, "We baked our BIGGEST-EVER cake for the street party on Saturday afternoon.", []string{"courteous.caps-word", "courteous.caps-word"}},
		{"a keyword to reply with is typed as written", Context{}, "If you no longer want it, reply RELEASE and we'll put it back.", []string{}},
		{"in every language", Context{Lang: "sv"}, "Vill du inte ha den längre, svara SLÄPP så ställer vi tillbaka den.", []string{}},
		{"after the polite German form", Context{Lang: "de"}, "Wenn Sie ihn nicht mehr möchten, antworten Sie FREIGEBEN.", []string{}},
		{"capitals after any other verb still shout", Context{}, "We bake HUGE loaves and reply quickly.", []string{"courteous.caps-word"}},
		{"a reply verb before a sentence break excuses nothing", Context{}, "Just reply. FRESH bread is in.", []string{"courteous.caps-word"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, rulesOf(c.Check(tt.ctx, tt.text))); diff != "" {
				t.Errorf("Check(%q) rules (-want +got):\n%s", tt.text, diff)
			}
		})
	}
}

func TestProfiles(t *testing.T) {
	text := "Hello! It is back! Come in! Crumb & Co. 🥐🍞"
	ctx := Context{Kind: "interest_reminder", BusinessName: "Crumb & Co."}
	tests := []struct {
		profile string
		want    []at
	}{
		{"warm", []at{}},
		{"neutral", []at{{"courteous.exclamations", 1, 27, "!"}, {"courteous.emoji", 1, 42, "🍞"}}},
		{"informative", []at{
			{"courteous.exclamations", 1, 18, "!"}, {"courteous.exclamations", 1, 27, "!"},
			{"courteous.emoji", 1, 41, "🥐"}, {"courteous.emoji", 1, 42, "🍞"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.profile, func(t *testing.T) {
			got := MustNew(t, tt.profile).Check(ctx, text)
			if diff := cmp.Diff(tt.want, positions(got)); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
		})
	}
	if diff := cmp.Diff([]string{"warm", "neutral", "informative"}, Profiles()); diff != "" {
		t.Errorf("Profiles (-want +got):\n%s", diff)
	}
	if _, err := New("pushy"); err == nil {
		t.Error(`New("pushy") succeeded, want an error`)
	}
}

func TestSeverityAndSuggestion(t *testing.T) {
	c := MustNew(t, "warm")
	got := c.Check(Context{}, "Dear valued customer, please click here.")
	want := []Finding{{
		Rule: "courteous.plain-words", Family: "wording", Severity: courtesy.SeveritySuggestion,
		Suggestion: "you, or the customer's name", Start: 5, End: 20, Line: 1, Col: 6, Match: "valued customer",
	}, {
		Rule: "courteous.plain-words", Family: "wording", Severity: courtesy.SeveritySuggestion,
		Suggestion: "a link whose words say where it goes", Start: 29, End: 39, Line: 1, Col: 30, Match: "click here",
	}}
	if diff := cmp.Diff(want, got, cmpIgnoreMessage); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	if len(got) > 0 && !strings.Contains(got[0].Message, `Try "you, or the customer's name"`) {
		t.Errorf("message %q does not carry the suggestion", got[0].Message)
	}
}

var cmpIgnoreMessage = cmp.Transformer("noMessage", func(f Finding) Finding { f.Message = ""; return f })

func TestCheckIsSafeForConcurrentUse(t *testing.T) {
	c := MustNew(t, "warm")
	lines := readCorpus(t)
	want := make([][]Finding, len(lines))
	for i, l := range lines {
		want[i] = c.Check(Context{Kind: l.kind}, l.text)
	}
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i, l := range lines {
				if diff := cmp.Diff(want[i], c.Check(Context{Kind: l.kind}, l.text)); diff != "" {
					t.Errorf("concurrent Check(%q) differs:\n%s", l.text, diff)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestLanguages(t *testing.T) {
	c := MustNew(t, "warm")
	if diff := cmp.Diff([]string{"en", "de", "es", "fr", "it", "nl", "pt", "sv"}, Languages()); diff != "" {
		t.Errorf("Languages (-want +got):\n%s", diff)
	}
	pushy := "Die Vorräte gehen zur Neige."
	tests := []struct {
		name, lang, text string
		want             []string
	}{
		{"German rules for German", "de", pushy, []string{"courteous.fake-scarcity"}},
		{"a region picks its base language", "de-AT", pushy, []string{"courteous.fake-scarcity"}},
		{"any case and separator", "DE_ch", pushy, []string{"courteous.fake-scarcity"}},
		{"English rules do not read German", "en", pushy, []string{}},
		{"a language without rules says so", "ja", "Only 2 left.", []string{"courteous.language", "courteous.fake-scarcity"}},
		{"not a tag is no language", "klingon!", "Hello.", []string{"courteous.language"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := c.Check(Context{Kind: "interest_reminder", Lang: tt.lang}, tt.text)
			if diff := cmp.Diff(tt.want, rulesOf(got)); diff != "" {
				t.Errorf("Check(%q, %q) rules (-want +got):\n%s", tt.lang, tt.text, diff)
			}
		})
	}
	for lang, want := range map[string]bool{"": true, "sv-SE": true, "pt_BR": true, "ja": false} {
		if got := c.Covers(lang); got != want {
			t.Errorf("Covers(%q) = %v, want %v", lang, got, want)
		}
	}
	if f := c.Check(Context{Lang: "ja"}, "Hello.")[0]; f.Severity != courtesy.SeverityWarning || !strings.Contains(f.Message, `"ja"`) {
		t.Errorf("the no-rules finding: %+v", f)
	}
}

// A model finding explains itself: its family, the words that carried it,
// quoted as written, and how to say it courteously; it names the sentence.
func TestModelFindingsExplainThemselves(t *testing.T) {
	// The structural rule that reads this sentence is switched off, so the
	// model speaks.
	structure := Rule{ID: "courteous.social-pressure", Disabled: true}
	c := MustNew(t, "warm", structure)
	text := "Hello Ana. Half the street has already ordered theirs."
	got := c.Check(Context{Kind: "interest_reminder", Personal: []string{"Ana"}}, text)
	if len(got) != 1 {
		t.Fatalf("findings %v, want one", rulesOf(got))
	}
	f := got[0]
	if f.Rule != "courteous.model-scarcity" || f.Family != "scarcity" || f.Severity != courtesy.SeverityError {
		t.Errorf("finding %s/%s/%s", f.Rule, f.Family, f.Severity)
	}
	if f.Match != "Half the street has already ordered theirs" || f.Line != 1 || f.Col != 12 {
		t.Errorf("match %q at %d:%d", f.Match, f.Line, f.Col)
	}
	if f.Words == "" || !strings.Contains(f.Message, "(carried by "+f.Words+")") || !strings.Contains(f.Message, "we baked 12 today") {
		t.Errorf("message %q does not name the words %s and the courteous way", f.Message, f.Words)
	}
	for _, w := range strings.Split(f.Words, ", ") {
		if !strings.Contains(text, strings.Trim(w, `"`)) {
			t.Errorf("carrier %s is not a word of the text", w)
		}
	}
	// Declared stock numbers relax the model's scarcity as they do the
	// phrase rule's, and a shop can switch the model rule off by id.
	if got := c.Check(Context{Kind: "interest_reminder", StockData: true}, text); len(got) != 0 {
		t.Errorf("with stock data: %v", rulesOf(got))
	}
	off := MustNew(t, "warm", structure, Rule{ID: "courteous.model-scarcity", Disabled: true})
	if got := off.Check(Context{Kind: "interest_reminder"}, text); len(got) != 0 {
		t.Errorf("with the model rule disabled: %v", rulesOf(got))
	}
}

// The structural rules read what a sentence does: each finding names its
// family, the parts of the sentence that carried it and the courteous way,
// and the factual statements a shop makes pass.
func TestStructureFindingsExplainThemselves(t *testing.T) {
	c := MustNew(t, "warm")
	tests := []struct {
		kind, text   string
		rule, family string
		words        string // the parts, when the rule skips words between them
		advice       string // part of the courteous way
	}{
		{"interest_reminder", "Your basket won't wait for you forever.", "courteous.deadline-pressure", "urgency", `"won't wait", "forever"`, "give it plainly"},
		{"interest_reminder", "Half the street has already ordered theirs.", "courteous.social-pressure", "scarcity", `"Half the street has already ordered"`, "what others did"},
		{"interest_reminder", "You came back to the lily page three times on Sunday.", "courteous.watched", "creepy", `"You came back to the", "page"`, "chose to tell you"},
		{"birthday", "At your stage of life, low-maintenance plants make sense.", "courteous.sensitive-guess", "sensitive", "", "for everyone"},
		{"birthday", "Finish your birthday order and we'll add a surprise.", "courteous.greeting-sale", "hard-sell", `"Finish", "and we'll", "surprise"`, "let a gift"},
		{"interest_reminder", "The ovens feel cold without you.", "courteous.guilt-trip", "guilt", `"The ovens", "cold without you"`, "owes the shop nothing"},
	}
	for _, tt := range tests {
		var f *Finding
		got := c.Check(Context{Kind: tt.kind}, tt.text)
		for i := range got {
			if got[i].Rule == tt.rule {
				f = &got[i]
			}
		}
		if f == nil {
			t.Errorf("%q: no %s finding in %v", tt.text, tt.rule, rulesOf(got))
			continue
		}
		if f.Family != tt.family || f.Severity != courtesy.SeverityError || f.Words != tt.words {
			t.Errorf("%q: %s/%s carried by %s, want %s/error carried by %s", tt.text, f.Family, f.Severity, f.Words, tt.family, tt.words)
		}
		carried := tt.words
		if carried == "" {
			carried = `"` + f.Match + `"`
		}
		if !strings.Contains(f.Message, "(carried by "+carried+")") {
			t.Errorf("%q: message %q does not say it was carried by %s", tt.text, f.Message, carried)
		}
		if !strings.Contains(f.Message, `"`+f.Match+`"`) || !strings.Contains(f.Message, tt.advice) {
			t.Errorf("%q: message %q does not quote %q and say %q", tt.text, f.Message, f.Match, tt.advice)
		}
	}
	for _, text := range []string{
		"The tulips are in season until May.",
		"Vouchers work online and in the shop.",
		"We close at six on Saturdays.",
		"Happy birthday, Ana — your free croissant is waiting whenever you drop by.",
	} {
		if got := c.Check(Context{Kind: "birthday", Personal: []string{"Ana"}}, text); len(got) != 0 {
			t.Errorf("%q: %v", text, rulesOf(got))
		}
	}
	// A campaign can switch a structural rule off with a reason; the finding
	// stays, as a suggestion that carries it, for lint to show.
	ctx := Context{Kind: "interest_reminder", Allow: []Allow{{Rule: "courteous.watched", Reason: "the customer asked us to remind them of what they viewed"}}}
	for _, f := range c.Check(ctx, "You came back to the lily page three times on Sunday.") {
		if f.Rule == "courteous.watched" && (f.Severity != courtesy.SeveritySuggestion || f.Allowed == "") {
			t.Errorf("allowed structural finding: %s, reason %q", f.Severity, f.Allowed)
		}
	}
	// Another greeting kind may ask for an order: the sale is the point.
	if got := c.Check(Context{Kind: "interest_reminder"}, "Finish your order and we'll add a surprise."); len(got) != 0 {
		t.Errorf("a reminder that asks for the order: %v", rulesOf(got))
	}
}

// Campaign switch-offs turn findings into suggestions that carry the reason.
func TestAllow(t *testing.T) {
	c := MustNew(t, "warm")
	text := "Only 2 left. Hurry!"
	ctx := Context{Kind: "interest_reminder", Allow: Allows([]struct{ Rule, Reason string }{{"scarcity", "we count them"}})}
	var got []string
	for _, f := range c.Check(ctx, text) {
		got = append(got, f.Rule+"/"+string(f.Severity)+"/"+f.Allowed)
	}
	want := []string{"courteous.fake-scarcity/suggestion/we count them", "courteous.false-urgency/error/"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
}

// The two branches of a template's {{if}} are never shown together, so no
// sentence, pattern or model reading runs from one into the other.
func TestTemplateBranchesAreApart(t *testing.T) {
	c := MustNew(t, "warm")
	for _, tt := range []struct{ lang, src string }{
		{"en", "{{if .Customer.FirstName}}Only 2{{else}}left{{end}} today."},
		{"es", "{{with .Customer.FirstName}}Querido/a {{.}}:{{else}}Hola:{{end}}\n\n¡Feliz cumpleaños!"},
	} {
		if got := c.CheckTemplate(Context{Kind: "birthday", Lang: tt.lang}, tt.src); len(got) != 0 {
			t.Errorf("%q: %v", tt.src, rulesOf(got))
		}
	}
	// Without the {{else}} the same words are one sentence.
	if got := c.CheckTemplate(Context{Kind: "interest_reminder"}, "{{if .Customer.FirstName}}Only 2{{end}} left today."); len(got) == 0 {
		t.Error("a phrase around an {{if}} without {{else}} was not read as one")
	}
}

// A model finding's advice gives its example in the language of the text:
// a German marketer is shown how to say it in German, not in English.
func TestModelAdviceInEveryLanguage(t *testing.T) {
	all, err := builtins()
	if err != nil {
		t.Fatal(err)
	}
	english := map[string]string{}
	for _, r := range all[defaultLang] {
		if r.Kind == Model {
			english[r.ID] = r.Message
		}
	}
	if len(english) == 0 {
		t.Fatal("no model rules in English")
	}
	for _, lang := range languages()[1:] {
		seen := 0
		for _, r := range all[lang] {
			if r.Kind != Model {
				continue
			}
			seen++
			if r.Message == english[r.ID] || !strings.Contains(r.Message, "{words}") {
				t.Errorf("%s %s: the advice is the English one or names no words: %q", lang, r.ID, r.Message)
			}
		}
		if seen != len(english) {
			t.Errorf("%s: %d model rules, want %d", lang, seen, len(english))
		}
	}
}

// The model reads the shop's words, not the customer's: a saved product's
// name that reads as pressure on its own raises nothing when it is a
// personal value, so what holds a message never depends on which customer
// it is for.
func TestModelDoesNotReadPersonalValues(t *testing.T) {
	structure := Rule{ID: "courteous.social-pressure", Disabled: true}
	c := MustNew(t, "warm", structure)
	saved := "Half the street has already ordered theirs"
	text := "Hello Ana. You saved " + saved + " on our site."
	if got := c.Check(Context{Kind: "interest_reminder", Personal: []string{"Ana"}}, text); !slices.ContainsFunc(got, func(f Finding) bool {
		return f.Rule == "courteous.model-scarcity"
	}) {
		t.Fatalf("the shop's words alone: %v, want the model to read scarcity, or this test proves nothing", rulesOf(got))
	}
	if got := c.Check(Context{Kind: "interest_reminder", Personal: []string{"Ana", saved}}, text); len(got) != 0 {
		t.Errorf("with the product a personal value: %v, want nothing", rulesOf(got))
	}
}

// A greeting may say that it carries no offer, or that its gift asks for
// nothing, and may name a club the customer belongs to; it may not ask for
// a minimum spend, push a membership or tell the reader to miss no offer.
func TestGreetingSaleReadsNegationAndClubs(t *testing.T) {
	checkRaises(t, "birthday", []ruleCase{
		{"en", "Happy birthday! Your £5 voucher has no minimum spend.", false},
		{"en", "Happy birthday! Your £5 voucher works with a minimum spend of £30.", true},
		{"de", "Alles Gute! Ihr Gutschein über 5 € gilt ohne Mindestbestellwert.", false},
		{"de", "Alles Gute! Ihr Gutschein gilt ab einem Mindestbestellwert von 30 €.", true},
		{"es", "¡Feliz cumpleaños! Tu vale de 5 € es sin compra mínima.", false},
		{"es", "¡Feliz cumpleaños! Tu vale de 5 € requiere una compra mínima de 30 €.", true},
		{"es", "¡Feliz cumpleaños! El club de lectura te manda un abrazo.", false},
		{"es", "¡Feliz cumpleaños! Únete hoy a nuestro club de vinos y recibe una botella.", true},
		{"fr", "Joyeux anniversaire ! Votre bon de 5 € est valable sans minimum d'achat.", false},
		{"fr", "Joyeux anniversaire ! Le club de tricot vous embrasse.", false},
		{"fr", "Joyeux anniversaire ! Rejoignez notre club privilège pour 9 € par mois.", true},
		{"it", "Buon compleanno! Il buono da 5 euro vale senza spesa minima.", false},
		{"it", "Buon compleanno! Iscriviti al nostro club del vino: solo 19 euro al mese.", true},
		{"pt", "Feliz aniversário! O seu vale de 5 euros é sem compra mínima.", false},
		{"pt", "Feliz aniversário! O clube de leitura deseja-lhe um ótimo dia.", false},
		{"nl", "Gefeliciteerd! Je bon van € 5 geldt zonder minimale besteding.", false},
		{"nl", "Gefeliciteerd! Word lid van onze club voor maar € 9 per maand.", true},
		{"sv", "Grattis! Vi skickar inga erbjudanden, bara en hälsning.", false},
		{"sv", "Grattis! Gå med i vår klubb för 49 kr i månaden.", true},
		{"de", "Alles Gute! Keine Angebote heute, nur ein Gruß.", false},
		{"de", "Alles Gute! Verpassen Sie keine Angebote mehr.", true},
		{"nl", "Gefeliciteerd! Mis geen aanbiedingen meer.", true},
		{"es", "¡Feliz cumpleaños! Este correo no trae ofertas, solo un abrazo.", false},
		{"es", "¡Feliz cumpleaños! No te pierdas nuestras ofertas.", true},
		{"it", "Buon compleanno! Non Le invieremo offerte, solo gli auguri.", false},
		{"it", "Buon compleanno! Non perdere le nostre offerte.", true},
		{"pt", "Parabéns! Não perca os nossos saldos.", true},
		{"de", "Alles Gute! Heute gibt es weder Rabatt noch Werbung, nur Glückwünsche.", false},
		{"de", "Ihre Antwort hat keinerlei Folgen für Preise oder Angebote.", false},
		{"pt", "Parabéns! Esta mensagem não tem promoções, só carinho.", false},
		{"es", "¡Felicidades! Este mensaje no tiene ofertas, solo cariño.", false},
		{"it", "Auguri! Questo messaggio non ha offerte, solo affetto.", false},
		{"sv", "Grattis! Hälsningen hör inte ihop med några erbjudanden.", false},
		{"sv", "Grattis! Missa inte några erbjudanden i vår.", true},
		{"de", "Für Ihre Antwort gibt es keine Gutscheine und keine Angebote, nur Dank.", false},
		{"de", "Alles Gute! Keine Zeit verlieren: Rabatt nur heute im Shop.", true},
		{"sv", "Ditt svar ger inga poäng eller erbjudanden.", false},
		{"nl", "Je antwoord levert geen korting of aanbiedingen op.", false},
		{"pt", "Parabéns! Nunca lhe enviaremos promoções sem pedir.", false},
		{"it", "Auguri! Senza codici né offerte, solo un abbraccio.", false},
		{"es", "Tu opinión nunca se usará para enviarte ofertas.", false},
		{"it", "Auguri! Non riceverà mai offerte da noi per questo.", false},
	}, "courteous.greeting-sale", "courteous.hard-sell")
}

// The shop's own words are not a guess about the reader: wool set aside
// for them is not a reader separated from a partner, and what the reader
// asked for is theirs to have named; a guess still is one, after a
// request too.
func TestSensitiveGuessSparesTheShopsOwnWords(t *testing.T) {
	checkRaises(t, "interest_reminder", []ruleCase{
		{"pt", "Olá! A lã que reservou está separada na loja, com o seu nome.", false},
		{"pt", "Agora que está separada, merece um mimo só seu.", true},
		{"es", "¡Hola! La lana que pediste está separada en la tienda con tu nombre.", false},
		{"pt", "Olá! A sua lã está separada na loja até sábado.", false},
		{"es", "Ahora que estás separada, te mereces un capricho.", true},
		{"en", "You asked us to check how your hearing aids feel after a week: how are they?", false},
		{"en", "You asked us about frames; now that you are getting older, reading glasses make sense.", true},
		{"de", "Wie gewünscht melden wir uns: Sitzt Ihr neues Hörgerät gut?", false},
		{"fr", "Comme vous l'avez demandé, voici des nouvelles de vos aides auditives.", false},
		{"nl", "Zoals gevraagd: je nieuwe leesbril ligt klaar.", false},
		{"de", "Die zuckerfreien Kekse, nach denen du wegen deiner Diabetes gefragt hast, sind da.", false},
		{"fr", "Le coussin que vous nous aviez demandé pour votre arthrose est arrivé.", false},
		{"en", "Now that you are getting older, you asked about reading glasses.", true},
		// A faith is a guess when it is said of the reader, not when it is
		// the reader's name.
		{"it", "La tua giacca sistemata ti aspetta in sartoria, Cristiano.", false},
		{"es", "Tu chaqueta arreglada te espera en la sastrería, Cristiana.", false},
		{"it", "Come cristiana, apprezzerai la tua nuova Bibbia.", true},
		{"es", "Como cristiano, seguro que tu Semana Santa es especial.", true},
		// Weight lost is the reader's body, in every language.
		{"en", "Tell us how the new suit fits, now that you've lost so much weight.", true},
		{"nl", "Vertel ons hoe het nieuwe pak zit, nu je zoveel bent afgevallen.", true},
		{"sv", "Berätta hur den nya kostymen sitter, nu när du har gått ner så mycket.", true},
		{"de", "Erzählen Sie uns, wie der Anzug sitzt, jetzt wo Sie so viel abgenommen haben.", true},
		{"fr", "Dites-nous comment tombe le costume, maintenant que vous avez tant maigri.", true},
		{"en", "Tell us how the new suit fits after the alterations.", false},
	}, "courteous.sensitive-guess")
}

// Asking for a particular score is coaching in every language; the scale
// itself, and a score the reader is free to choose, are not.
func TestScoreCoachingInEveryLanguage(t *testing.T) {
	checkRaises(t, "nps_survey", []ruleCase{
		{"en", "A 10 from you would honestly mean the world to us.", true},
		{"en", "If you were happy, please pick 10, as anything lower counts against us.", true},
		{"en", "How likely are you to recommend us, from 0 to 10?", false},
		{"en", "Any score from 0 to 10 is fine, and a low one helps us most.", false},
		{"de", "Eine 10 von Ihnen würde uns die ganze Woche retten.", true},
		{"de", "Wie wahrscheinlich empfehlen Sie uns weiter, auf einer Skala von 0 bis 10?", false},
		{"es", "Un 10 de tu parte, Francisco, significaría muchísimo para nuestra librería.", true},
		{"es", "Valora tu compra del 0 al 10, con la nota que creas justa.", false},
		{"fr", "Si tout vous a plu, pensez à cocher 10, c'est important pour nous.", true},
		{"fr", "Sur une échelle de 0 à 10, recommanderiez-vous notre librairie ?", false},
		{"it", "Se ti è piaciuto tutto, ricordati di mettere 10, per noi è importante.", true},
		{"it", "Da 0 a 10, quanto ci consiglieresti a un amico?", false},
		{"nl", "Was je tevreden, geef ons dan gewoon een dikke tien.", true},
		{"nl", "Zou je ons aanraden bij vrienden, op een schaal van 0 tot 10?", false},
		{"pt", "Um 10 da tua parte significava imenso para a nossa livraria.", true},
		{"pt", "De 0 a 10, qual a probabilidade de nos recomendar?", false},
		{"sv", "Var du nöjd, ge oss gärna en stark tia.", true},
		{"sv", "Hur troligt är det att du rekommenderar oss, på en skala från 0 till 10?", false},
	}, "courteous.score-coaching")
}

// Being forgotten, owed for the shop's advice, or mocked as no friend of
// local shops is guilt in every language (in English, the mocking refusal
// is confirmshaming's); forgetting a voucher, or the shop's own years of
// work, is not.
func TestGuiltInEveryLanguage(t *testing.T) {
	checkRaises(t, "birthday", []ruleCase{
		{"en", "After all our advice, you'd really let the frames go?", true},
		{"en", "Buttons below: Answer, or Too bad for local shops.", true},
		{"en", "After all the rain, the tulips are finally out.", false},
		{"de", "Alles Gute zum Geburtstag, Nadine, auch wenn Sie uns ganz vergessen haben.", true},
		{"de", "Vergessen Sie nicht, Ihren Gutschein mitzubringen.", false},
		{"es", "Después de todos nuestros consejos, ¿dejarías escapar la montura?", true},
		{"es", "Puedes responder o pulsar «Paso de ayudar al comercio del barrio».", true},
		{"es", "Después de todos estos años, seguimos horneando cada mañana.", false},
		{"fr", "Deux boutons : « Je réponds » ou « Tant pis pour les petits commerces du quartier ».", true},
		{"fr", "Après tous nos conseils, vous laisseriez filer la monture ?", true},
		{"fr", "Après tous ces travaux, la boutique rouvre samedi.", false},
		{"it", "Dopo tutti i nostri consigli, lasceresti davvero scappare la montatura?", true},
		{"it", "Due pulsanti: «Rispondo» oppure «Pazienza per le botteghe del quartiere».", true},
		{"nl", "Gefeliciteerd, al ben je ons helemaal vergeten.", true},
		{"nl", "Vergeet je tegoedbon niet mee te nemen.", false},
		{"pt", "Depois de todos os nossos conselhos, vai deixar fugir a armação?", true},
		{"pt", "Pode responder ou carregar em «Não quero saber do comércio local».", true},
		{"sv", "Grattis på födelsedagen Robin, även om du verkar ha glömt bort oss.", true},
		{"sv", "Glöm inte att ta med presentkortet.", false},
	}, "courteous.guilt", "courteous.confirmshaming")
}

// A prescription collected is the reader's errand; what it treats, or how
// the reader is, is their health.
func TestHealthRuleSparesThePharmacysErrands(t *testing.T) {
	checkRaises(t, "nps_survey", []ruleCase{
		{"en", "Thanks for getting your prescription with us, Mr Dawson. How did we do?", false},
		{"en", "Your prescription is ready to collect at the counter.", false},
		{"en", "We hope your prescription is helping with the pain.", true},
		{"en", "How is your recovery going?", true},
	}, "courteous.sensitive-health")
}

// "No hurry" tells the reader to take their time; "hurry" still hurries.
func TestNoHurryIsNotUrgency(t *testing.T) {
	checkRaises(t, "birthday", []ruleCase{
		{"en", "Your voucher works all year, so there's no hurry.", false},
		{"en", "Take your time; no need to hurry back for the bike.", false},
		{"en", "Hurry, your voucher ends soon!", true},
		{"en", "Your basket is saved for a month, don't hurry a thing.", false},
	}, "courteous.false-urgency")
}

// ruleCase is a line in a language and whether it should raise one of the
// rules a test is about.
type ruleCase struct {
	lang, text string
	raised     bool
}

// checkRaises checks each case as a message of kind with the warm profile
// and fails where the case raises one of rules and should not, or should
// and does not.
func checkRaises(t *testing.T, kind string, cases []ruleCase, rules ...string) {
	t.Helper()
	c := MustNew(t, "warm")
	for _, tt := range cases {
		raised := rulesOf(c.Check(Context{Kind: kind, Lang: tt.lang}, tt.text))
		if got := slices.ContainsFunc(rules, func(r string) bool { return slices.Contains(raised, r) }); got != tt.raised {
			t.Errorf("%s %q: one of %v raised = %v, want %v (raised %v)", tt.lang, tt.text, rules, got, tt.raised, raised)
		}
	}
}

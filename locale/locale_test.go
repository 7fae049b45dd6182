package locale

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"golang.org/x/text/language"
)

func TestShippedLanguages(t *testing.T) {
	var got []string
	for _, tag := range Shipped() {
		got = append(got, tag.String())
	}
	want := []string{"en", "de", "es", "fr", "it", "nl", "pt", "sv"}
	if diff := cmp.Diff(want, got, cmpSorted); diff != "" {
		t.Errorf("shipped languages (-want +got):\n%s", diff)
	}
	if got[0] != "en" {
		t.Errorf("first shipped language = %s, want en (the fallback)", got[0])
	}
}

var cmpSorted = cmpopts.SortSlices(func(a, b string) bool { return a < b })

// TestCatalogsAreComplete: every key English has, every shipped language
// has, with the same placeholders, so nothing falls back to English.
func TestCatalogsAreComplete(t *testing.T) {
	en := Keys(language.English)
	if len(en) < 40 {
		t.Fatalf("English has %d keys; the catalog did not load", len(en))
	}
	for _, tag := range Shipped() {
		if diff := cmp.Diff(en, Keys(tag)); diff != "" {
			t.Errorf("%s: keys differ from English (-en +%s):\n%s", tag, tag, diff)
		}
		for _, key := range en {
			src, _ := Raw(language.English, key)
			tr, _ := Raw(tag, key)
			if diff := cmp.Diff(verbs(src), verbs(tr), cmpSorted); diff != "" {
				t.Errorf("%s: %s: placeholders differ from English (-en +%s):\n%s", tag, key, tag, diff)
			}
		}
	}
}

// sameAsEnglish are the words a language writes exactly as English does.
var sameAsEnglish = map[string]map[string]bool{
	"de": {"month.4": true, "month.8": true, "month.9": true, "month.11": true, "test.subject": true, "common.optional": true},
	"fr": {"test.subject": true},
	"it": {"profile.email": true},
	"nl": {"test.subject": true},
	"sv": {"test.subject": true},
}

// TestNoEnglishLeftBehind: a translation that is the English text is a key
// someone forgot to translate, unless the language really writes it so.
func TestNoEnglishLeftBehind(t *testing.T) {
	for _, tag := range Shipped()[1:] {
		for _, key := range Keys(language.English) {
			src, _ := Raw(language.English, key)
			tr, _ := Raw(tag, key)
			if tr == src && strings.ContainsFunc(withoutVerbs(src), isLetter) && !sameAsEnglish[tag.String()][key] {
				t.Errorf("%s: %s is still English: %q", tag, key, tr)
			}
		}
	}
}

func isLetter(r rune) bool { return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' }

// TestNothingRendersAMissingKey: every key formats, in every language,
// without Go's markers for a bad or missing argument.
func TestNothingRendersAMissingKey(t *testing.T) {
	for _, tag := range Shipped() {
		w := For(tag)
		for _, key := range Keys(language.English) {
			src, _ := Raw(language.English, key)
			// One argument per placeholder, of the kind it formats.
			var a []any
			for _, v := range verbs(src) {
				if strings.HasSuffix(v, "d") {
					a = append(a, 7)
				} else {
					a = append(a, "Crumb & Co.")
				}
			}
			got := w.T(key, a...)
			if got == key || strings.Contains(got, "%!") || strings.Contains(got, "MISSING") {
				t.Errorf("%s: %s renders %q", tag, key, got)
			}
		}
	}
}

func TestDates(t *testing.T) {
	madrid, _ := time.LoadLocation("Europe/Madrid")
	london, _ := time.LoadLocation("Europe/London")
	at := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		lang, dayMonth, long, dateTime string
		loc                            *time.Location
	}{
		{"en", "14 March", "28 November 2026", "28 November 2026, 09:00 GMT", london},
		{"de", "14. März", "28. November 2026", "28. November 2026, 10:00 CET", madrid},
		{"es", "14 de marzo", "28 de noviembre de 2026", "28 de noviembre de 2026, 10:00 CET", madrid},
		{"pt-BR", "14 de março", "28 de novembro de 2026", "28 de novembro de 2026, 09:00 UTC", time.UTC},
		{"fr", "14 mars", "28 novembre 2026", "28 novembre 2026 à 10:00 CET", madrid},
		{"it", "14 marzo", "28 novembre 2026", "28 novembre 2026, 10:00 CET", madrid},
		{"nl", "14 maart", "28 november 2026", "28 november 2026, 10:00 CET", madrid},
		{"sv", "14 mars", "28 november 2026", "28 november 2026 kl. 10:00 CET", madrid},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			w := For(language.MustParse(tt.lang))
			got := []string{w.DayMonth(time.March, 14), w.Date(at), w.DateTime(at, tt.loc)}
			if diff := cmp.Diff([]string{tt.dayMonth, tt.long, tt.dateTime}, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestSpanishHoursHaveNoLeadingZero(t *testing.T) {
	at := time.Date(2026, 11, 28, 9, 5, 0, 0, time.UTC)
	if got, want := For(language.Spanish).DateTime(at, time.UTC), "28 de noviembre de 2026, 9:05 UTC"; got != want {
		t.Errorf("DateTime = %q, want %q", got, want)
	}
}

func TestNumbers(t *testing.T) {
	for lang, want := range map[string]string{"en": "1,234", "de": "1.234", "sv": "1\u00a0234"} {
		if got := For(language.MustParse(lang)).Number(1234); got != want {
			t.Errorf("%s: Number(1234) = %q, want %q", lang, got, want)
		}
	}
}

func TestMatch(t *testing.T) {
	have := []language.Tag{language.English, language.MustParse("pt-BR"), language.Portuguese, language.German}
	tests := []struct {
		want string
		idx  int
		ok   bool
	}{
		{"pt-BR", 1, true},
		{"pt", 2, true},
		{"pt-PT", 2, true},
		{"pt-AO", 2, true},
		{"de-AT", 3, true},
		{"es", 0, false},
		{"ja", 0, false},
	}
	for _, tt := range tests {
		i, ok := Match(language.MustParse(tt.want), have)
		if i != tt.idx || ok != tt.ok {
			t.Errorf("Match(%s) = %d, %v; want %d, %v", tt.want, i, ok, tt.idx, tt.ok)
		}
	}
}

func TestPick(t *testing.T) {
	tests := []struct {
		name, customer, accept, fallback, want string
	}{
		{"the customer's own locale first", "de-AT", "es", "fr", "de"},
		{"an underscore locale", "pt_BR", "", "en", "pt"},
		{"then Accept-Language, best first", "", "ja, es;q=0.8, fr;q=0.5", "en", "es"},
		{"a customer locale courtesy does not ship", "ja", "nl", "en", "nl"},
		{"then the business's default", "", "", "sv", "sv"},
		{"English when nothing is shipped", "ja", "zh", "ko", "en"},
		{"a broken header is skipped", "", "%%%;q=x", "it", "it"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Pick(tt.customer, tt.accept, tt.fallback).Lang().String(); got != tt.want {
				t.Errorf("Pick = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestZeroWordsSpeakEnglish(t *testing.T) {
	var w Words
	if got := w.T("footer.unsubscribe"); got != "Unsubscribe" {
		t.Errorf("zero Words: %q", got)
	}
}

func TestLimits(t *testing.T) {
	const day = 24 * time.Hour
	tests := []struct {
		lang, scope string
		count       int
		window      time.Duration
		want        string
	}{
		{"en", "global", 3, 7 * day, "at most 3 messages a week from us"},
		{"en", "campaign", 1, 365 * day, "at most 1 message a year of this kind"},
		{"en", "preference", 1, 30 * day, "at most 1 message a month, as you asked"},
		{"en", "global", 2, 36 * time.Hour, "at most 2 messages every 36 hours from us"},
		{"en", "global", 1200, 90 * day, "at most 1,200 messages every 90 days from us"},
		{"de", "global", 2, 7 * day, "höchstens 2 Nachrichten pro Woche von uns"},
		{"de", "campaign", 1, 365 * day, "höchstens 1 Nachricht dieser Art pro Jahr"},
		{"de", "global", 1200, 90 * day, "höchstens 1.200 Nachrichten alle 90 Tage von uns"},
		{"es", "preference", 1, 7 * day, "como máximo 1 mensaje a la semana, como pediste"},
		{"fr", "global", 3, 10 * day, "au plus 3 messages de notre part tous les 10 jours"},
		{"sv", "global", 1200, 90 * time.Minute, "högst 1\u00a0200 meddelanden från oss per 90 minuter"},
		{"pt-BR", "campaign", 2, 45 * time.Second, "no máximo 2 mensagens deste tipo a cada 45 segundos"},
		{"nl", "unknown", 1, day, "hoogstens 1 bericht van ons per dag"},
	}
	for _, tt := range tests {
		if got := For(language.MustParse(tt.lang)).Limit(tt.scope, tt.count, tt.window); got != tt.want {
			t.Errorf("%s: Limit(%s, %d, %s) = %q, want %q", tt.lang, tt.scope, tt.count, tt.window, got, tt.want)
		}
	}
}

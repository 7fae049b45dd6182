package guardrail

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/courtesyhq/courtesy/mailer"
)

type sent struct{ msgs []*mailer.Message }

func (s *sent) Send(_ context.Context, m *mailer.Message) error {
	s.msgs = append(s.msgs, m)
	return nil
}

func (s *sent) Close() error { return nil }

// The owner's email is in the business's language, whole.
func TestTheOwnersEmailIsInTheBusinesssLanguage(t *testing.T) {
	for _, tt := range []struct{ locale, lang, subject, inText string }{
		{"", "en", "courtesy paused birthday-treat", "Nothing more goes out for it until you resume it."},
		{"de-DE", "de", "courtesy hat birthday-treat pausiert", "Bis Sie sie fortsetzen, geht für sie nichts mehr hinaus."},
		{"es", "es", "courtesy ha pausado birthday-treat", "No se envía nada más de ella hasta que la reanudes."},
	} {
		out := &sent{}
		g := &Guard{cfg: Config{OwnerEmail: "owner@crumb.example", From: "hello@crumb.example", BaseURL: "https://crumb.example",
			Domain: "crumb.example", Locale: tt.locale, Sender: out}}
		if err := g.notify(context.Background(), "birthday-treat", "guardrail: opt-out rate 3% > 2% over 260 sends", time.Now()); err != nil {
			t.Fatal(err)
		}
		m := out.msgs[0]
		if m.Language != tt.lang || m.Subject != tt.subject || !strings.Contains(m.Text, tt.inText) ||
			!strings.Contains(m.Text, "courtesy campaign resume birthday-treat") || !strings.Contains(m.Text, "https://crumb.example/admin/") {
			t.Errorf("locale %q: language %q, subject %q, text:\n%s", tt.locale, m.Language, m.Subject, m.Text)
		}
	}
}

package worker_test

import (
	"context"
	"encoding/json"
	"errors"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hibiken/asynq"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/mailer"
	"github.com/courtesyhq/courtesy/throttle"
	"github.com/courtesyhq/courtesy/tone"
)

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

var signedUp = time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)

func TestConsentIsCheckedWhenSending(t *testing.T) {
	tests := []struct {
		name  string
		setup func(e *env)
		// between planning and sending
		before func(e *env)
		want   string
		sent   int
	}{
		{
			name:  "granted",
			setup: func(e *env) { e.consent("c1", "birthday", courtesy.Granted, signedUp) },
			want:  "sent", sent: 1,
		},
		{
			name:  "never asked",
			setup: func(e *env) {},
			want:  "suppressed:no-consent",
		},
		{
			name: "withdrawn",
			setup: func(e *env) {
				e.consent("c1", "birthday", courtesy.Granted, signedUp)
				e.consent("c1", "birthday", courtesy.Withdrawn, signedUp.Add(24*time.Hour))
			},
			want: "suppressed:no-consent",
		},
		{
			name: "granted for another purpose only",
			setup: func(e *env) {
				e.consent("c1", "surveys", courtesy.Granted, signedUp)
			},
			want: "suppressed:no-consent",
		},
		{
			name:  "withdrawn after planning, before sending",
			setup: func(e *env) { e.consent("c1", "birthday", courtesy.Granted, signedUp) },
			before: func(e *env) {
				e.consent("c1", "birthday", courtesy.Withdrawn, e.clock.Now())
			},
			want: "suppressed:no-consent",
		},
		{
			name:  "everything stopped after planning",
			setup: func(e *env) { e.consent("c1", "birthday", courtesy.Granted, signedUp) },
			before: func(e *env) {
				e.consent("c1", courtesy.AllPurposes, courtesy.Withdrawn, e.clock.Now())
			},
			want: "suppressed:no-consent",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, options{})
			e.customer("c1", "ann@example.com", "Ann", "12-01", "Europe/London")
			tt.setup(e)
			e.clock.Set(mustTime(t, "2026-12-01T10:00:00Z"))
			keys := e.plan()
			if len(keys) != 1 {
				t.Fatalf("planned %v, want one message", keys)
			}
			if tt.before != nil {
				tt.before(e)
			}
			e.work(keys)
			if got := e.decision("birthday-treat:c1:2026"); got != tt.want {
				t.Errorf("decision = %q, want %q", got, tt.want)
			}
			if got := e.sink.Count(); got != tt.sent {
				t.Errorf("SMTP sink received %d messages, want %d", got, tt.sent)
			}
		})
	}
}

func TestSentMessageCarriesTheWayOut(t *testing.T) {
	e := newEnv(t, options{})
	e.customer("c1", "zoe@example.com", "Zoë", "12-01", "")
	e.consent("c1", "birthday", courtesy.Granted, signedUp)
	e.clock.Set(mustTime(t, "2026-12-01T10:00:00Z"))
	e.work(e.plan())
	msgs := e.sink.Messages()
	if len(msgs) != 1 {
		t.Fatalf("sink has %d messages", len(msgs))
	}
	h := msgs[0].Header
	if got := h["List-Unsubscribe"]; len(got) != 1 || !strings.HasPrefix(got[0], "<https://crumb.example/u/") {
		t.Errorf("List-Unsubscribe = %q", got)
	}
	if got := h["List-Unsubscribe-Post"]; len(got) != 1 || got[0] != "List-Unsubscribe=One-Click" {
		t.Errorf("List-Unsubscribe-Post = %q", got)
	}
	if got := h.Get("Message-Id"); !strings.HasSuffix(got, "@crumb.example>") {
		t.Errorf("Message-ID = %q, want one on the business's domain", got)
	}
	body := string(msgs[0].Data)
	for _, want := range []string{"12 Mill Lane, Bristol BS1 4DJ, UK", "https://crumb.example/p/", "https://crumb.example/why/"} {
		if !strings.Contains(body, want) {
			t.Errorf("message lacks %q", want)
		}
	}
	// Invariant 8: no open-tracking pixel, no rewritten links — every URL
	// in the message is one of the shop's own pages.
	decoded := strings.NewReplacer("=\r\n", "", "=3D", "=").Replace(body)
	if strings.Contains(strings.ToLower(decoded), "<img") {
		t.Error("the message carries an image (a tracking pixel?)")
	}
	for _, u := range regexp.MustCompile(`https?://[^\s"<>]+`).FindAllString(decoded, -1) {
		if !strings.HasPrefix(u, "https://crumb.example/u/") && !strings.HasPrefix(u, "https://crumb.example/p/") && !strings.HasPrefix(u, "https://crumb.example/why/") {
			t.Errorf("unexpected link %s", u)
		}
	}
	m, err := e.db.Message(context.Background(), "birthday-treat:c1:2026")
	if err != nil {
		t.Fatal(err)
	}
	if m.MessageID != h.Get("Message-Id") || m.CampaignVersion == "" {
		t.Errorf("recorded message id %q version %q; sent %q", m.MessageID, m.CampaignVersion, h.Get("Message-Id"))
	}
}

// sweep runs the planner and the worker every step from start to end and
// returns the keys that were sent, with the time each went.
func (e *env) sweep(start, end time.Time, step time.Duration) map[string]time.Time {
	e.t.Helper()
	sent := map[string]time.Time{}
	for now := start; now.Before(end); now = now.Add(step) {
		e.clock.Set(now)
		keys := e.plan()
		e.work(keys)
		for _, k := range keys {
			if e.decision(k) == "sent" {
				if _, dup := sent[k]; !dup {
					sent[k] = now
				}
			}
		}
	}
	return sent
}

func TestBirthdaysInTheCustomersTimeZone(t *testing.T) {
	e := newEnv(t, options{})
	e.customer("tonga", "t@example.com", "Sione", "12-01", "Pacific/Tongatapu") // UTC+13
	e.customer("hawaii", "h@example.com", "Keoni", "12-01", "Pacific/Honolulu") // UTC-10
	e.customer("leap", "l@example.com", "Lucy", "02-29", "Europe/London")
	for _, id := range []string{"tonga", "hawaii", "leap"} {
		e.consent(id, "birthday", courtesy.Granted, signedUp)
	}
	sent := e.sweep(mustTime(t, "2026-11-30T00:00:00Z"), mustTime(t, "2026-12-03T00:00:00Z"), 15*time.Minute)
	if len(sent) != 2 {
		t.Fatalf("sent %v, want the two December birthdays once each", sent)
	}
	for key, at := range sent {
		id := strings.Split(key, ":")[1]
		loc, _ := time.LoadLocation(map[string]string{"tonga": "Pacific/Tongatapu", "hawaii": "Pacific/Honolulu"}[id])
		local := at.In(loc)
		if local.Month() != time.December || local.Day() != 1 || local.Hour() < 9 || local.Hour() > 12 {
			t.Errorf("%s went at %s local, want 1 December between 09:30 and 12:30", key, local)
		}
	}
	// The UTC+13 customer's birthday comes first, on the UTC day before.
	if !sent["birthday-treat:tonga:2026"].Before(sent["birthday-treat:hawaii:2026"]) || sent["birthday-treat:tonga:2026"].Day() != 30 {
		t.Errorf("sent at %v", sent)
	}

	// 2027 has no 29 February: the birthday falls on the 28th.
	leap := e.sweep(mustTime(t, "2027-02-27T00:00:00Z"), mustTime(t, "2027-03-02T00:00:00Z"), 30*time.Minute)
	if at, ok := leap["birthday-treat:leap:2027"]; !ok || at.Day() != 28 || len(leap) != 1 {
		t.Errorf("29 February birthday in 2027: sent %v, want once on 28 February", leap)
	}
}

func TestDaylightSavingDaysNeitherSkipNorDouble(t *testing.T) {
	const at0130 = `id: birthday-treat
name: Birthday treat
kind: birthday
purpose: birthday
send:
  at: "01:30"
  window: 3h
template:
  subject: "Happy birthday, {{.Customer.FirstName}}"
  text: birthday.txt
tone: warm
`
	tests := []struct {
		name, birthday, from string
	}{
		// Europe/London: 01:00–02:00 does not exist on 29 March 2026.
		{"spring forward", "03-29", "2026-03-28T12:00:00Z"},
		// Europe/London: 01:00–02:00 happens twice on 25 October 2026.
		{"fall back", "10-25", "2026-10-24T12:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, options{campaignYAML: at0130})
			e.customer("c1", "ann@example.com", "Ann", tt.birthday, "Europe/London")
			e.consent("c1", "birthday", courtesy.Granted, signedUp)
			from := mustTime(t, tt.from)
			sent := e.sweep(from, from.Add(36*time.Hour), 10*time.Minute)
			if len(sent) != 1 {
				t.Fatalf("sent %v, want exactly one greeting", sent)
			}
			if e.sink.Count() != 1 {
				t.Errorf("sink received %d", e.sink.Count())
			}
		})
	}
}

func TestQuietHoursDeferThenSend(t *testing.T) {
	const early = `id: birthday-treat
name: Birthday treat
kind: birthday
purpose: birthday
send:
  at: "07:00"
  window: 4h
template:
  subject: "Happy birthday, {{.Customer.FirstName}}"
  text: birthday.txt
tone: warm
`
	e := newEnv(t, options{campaignYAML: early, quiet: "20:00-09:00"})
	e.customer("c1", "ann@example.com", "Ann", "12-01", "Asia/Tokyo")
	e.consent("c1", "birthday", courtesy.Granted, signedUp)
	e.clock.Set(mustTime(t, "2026-11-30T22:00:00Z")) // 07:00 in Tokyo
	e.work(e.plan())
	m, err := e.db.Message(context.Background(), "birthday-treat:c1:2026")
	if err != nil {
		t.Fatal(err)
	}
	if m.Decision.String() != "deferred:quiet-hours" || !m.DueAt.Equal(mustTime(t, "2026-12-01T00:00:00Z")) {
		t.Fatalf("decision %s due %s, want deferred:quiet-hours to 09:00 Tokyo", m.Decision, m.DueAt)
	}
	if e.sink.Count() != 0 {
		t.Fatal("sent inside quiet hours")
	}
	e.clock.Set(mustTime(t, "2026-12-01T00:00:00Z"))
	e.work(e.plan())
	if got := e.decision("birthday-treat:c1:2026"); got != "sent" || e.sink.Count() != 1 {
		t.Errorf("after quiet hours: %s, %d sent", got, e.sink.Count())
	}
}

func TestToneRulesHoldAMessage(t *testing.T) {
	loud := strings.Replace(birthdayYAML, "text: birthday.txt\n  html: birthday.html", "text: loud.txt", 1)
	e := newEnv(t, options{campaignYAML: loud})
	e.customer("c1", "ann@example.com", "Ann", "12-01", "")
	e.consent("c1", "birthday", courtesy.Granted, signedUp)
	e.clock.Set(mustTime(t, "2026-12-01T10:00:00Z"))
	e.work(e.plan())
	got := e.decision("birthday-treat:c1:2026")
	if !strings.HasPrefix(got, "held:tone:courteous.") {
		t.Errorf("decision = %q, want held by a tone rule", got)
	}
	if e.sink.Count() != 0 {
		t.Errorf("the sink received %d messages", e.sink.Count())
	}
	m, _ := e.db.Message(context.Background(), "birthday-treat:c1:2026")
	if !strings.Contains(m.Detail, "finding") {
		t.Errorf("the finding is not recorded: %s", m.Detail)
	}
}

// The tone check reads what the shop wrote, not the footer courtesy adds:
// a shop rule against a word of the footer does not hold the message, and
// the same rule against a word of the template does.
func TestToneReadsTheShopsWordsNotTheFooter(t *testing.T) {
	for word, want := range map[string]string{"unsubscribe": "sent", "birthday": "held:tone:shop.no-word"} {
		t.Run(word, func(t *testing.T) {
			rule := tone.Rule{ID: "shop.no-word", Kind: tone.Existence, Severity: courtesy.SeverityError,
				Message: "no {match}", Tokens: []string{word}}
			e := newEnv(t, options{toneRules: []tone.Rule{rule}})
			e.customer("c1", "ann@example.com", "Ann", "12-01", "")
			e.consent("c1", "birthday", courtesy.Granted, signedUp)
			e.clock.Set(mustTime(t, "2026-12-01T10:00:00Z"))
			e.work(e.plan())
			if got := e.decision("birthday-treat:c1:2026"); got != want {
				t.Errorf("decision = %q, want %q", got, want)
			}
			if want == "sent" && !footerHas(t, e, word) {
				t.Fatalf("the footer does not carry %q, so the test shows nothing", word)
			}
		})
	}
}

// The rules of the message's language judge it at send time, and a
// campaign's tone_allow lets through what it allows.
func TestToneRulesOfTheMessagesLanguage(t *testing.T) {
	german := strings.Replace(birthdayYAML, "text: birthday.txt\n  html: birthday.html", "text: knapp.de.txt", 1)
	tests := []struct {
		name, yaml, want string
	}{
		{"held by the German rules", german, "held:tone:courteous.fake-scarcity"},
		{"allowed by the campaign", german + "tone_allow: [{ rule: scarcity, reason: we count what is on the shelf }]\n", "sent"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, options{campaignYAML: tt.yaml, locale: "de-DE"})
			e.customer("c1", "ann@example.com", "Ann", "12-01", "")
			e.consent("c1", "birthday", courtesy.Granted, signedUp)
			e.clock.Set(mustTime(t, "2026-12-01T10:00:00Z"))
			e.work(e.plan())
			if got := e.decision("birthday-treat:c1:2026"); got != tt.want {
				t.Errorf("decision = %q, want %q", got, tt.want)
			}
		})
	}
}

// dyingSender hands the message to SMTP and then dies before the reply is
// recorded, as a worker killed at that moment would.
type dyingSender struct {
	mailer.Sender
	once sync.Once
}

func (d *dyingSender) Send(ctx context.Context, m *mailer.Message) error {
	err := d.Sender.Send(ctx, m)
	die := false
	d.once.Do(func() { die = true })
	if die {
		runtime.Goexit()
	}
	return err
}

func TestWorkerKilledBetweenClaimAndReplyNeverSendsTwice(t *testing.T) {
	e := newEnv(t, options{sender: func(s mailer.Sender) mailer.Sender { return &dyingSender{Sender: s} }})
	e.customer("c1", "ann@example.com", "Ann", "12-01", "")
	e.consent("c1", "birthday", courtesy.Granted, signedUp)
	e.clock.Set(mustTime(t, "2026-12-01T10:00:00Z"))
	keys := e.plan()
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = e.pipeline.Process(context.Background(), keys[0], false)
	}()
	<-done
	if got := e.decision(keys[0]); got != "claimed" {
		t.Fatalf("after the crash the message is %q, want claimed", got)
	}
	// asynq delivers the task again.
	for i := 0; i < 3; i++ {
		if err := e.pipeline.Process(context.Background(), keys[0], false); err != nil {
			t.Fatal(err)
		}
	}
	if got := e.decision(keys[0]); got != "failed:unknown-outcome" {
		t.Errorf("decision = %q, want failed:unknown-outcome", got)
	}
	if e.sink.Count() != 1 {
		t.Errorf("the sink received %d messages, want the one sent before the crash", e.sink.Count())
	}
}

func TestSMTPReplies(t *testing.T) {
	t.Run("4xx then success", func(t *testing.T) {
		e := newEnv(t, options{})
		e.customer("c1", "ann@example.com", "Ann", "12-01", "")
		e.consent("c1", "birthday", courtesy.Granted, signedUp)
		e.clock.Set(mustTime(t, "2026-12-01T10:00:00Z"))
		keys := e.plan()
		e.sink.FailNext(1, 451, "4.3.0", "try again later")
		err := e.pipeline.Process(context.Background(), keys[0], false)
		if err == nil || errors.Is(err, asynq.SkipRetry) {
			t.Fatalf("first attempt: err = %v, want a retryable error", err)
		}
		if got := e.decision(keys[0]); got != "deferred:retry" {
			t.Fatalf("after a 451: %q", got)
		}
		if err := e.pipeline.Process(context.Background(), keys[0], false); err != nil {
			t.Fatal(err)
		}
		if got := e.decision(keys[0]); got != "sent" || e.sink.Count() != 1 {
			t.Errorf("after the retry: %q, %d received", got, e.sink.Count())
		}
	})
	t.Run("5xx is final", func(t *testing.T) {
		e := newEnv(t, options{})
		e.customer("c1", "ann@example.com", "Ann", "12-01", "")
		e.consent("c1", "birthday", courtesy.Granted, signedUp)
		e.clock.Set(mustTime(t, "2026-12-01T10:00:00Z"))
		keys := e.plan()
		e.sink.FailNext(1, 554, "5.7.1", "message refused")
		err := e.pipeline.Process(context.Background(), keys[0], false)
		if !errors.Is(err, asynq.SkipRetry) {
			t.Fatalf("err = %v, want SkipRetry", err)
		}
		if got := e.decision(keys[0]); got != "failed:rejected" {
			t.Errorf("decision = %q", got)
		}
		if sup, _, _ := e.db.Suppressed(context.Background(), "ann@example.com"); sup {
			t.Error("a 5.7.1 refusal of the message suppressed the address")
		}
		if err := e.pipeline.Process(context.Background(), keys[0], false); err != nil {
			t.Errorf("redelivery: %v", err)
		}
		if e.sink.Count() != 0 {
			t.Errorf("sink received %d", e.sink.Count())
		}
	})
	t.Run("5.1.1 suppresses the address", func(t *testing.T) {
		e := newEnv(t, options{})
		e.customer("c1", "gone@example.com", "Ann", "12-01", "")
		e.consent("c1", "birthday", courtesy.Granted, signedUp)
		e.clock.Set(mustTime(t, "2026-12-01T10:00:00Z"))
		e.sink.RejectRecipient("gone@example.com", 550, "5.1.1")
		e.work(e.plan())
		if got := e.decision("birthday-treat:c1:2026"); got != "failed:rejected" {
			t.Errorf("decision = %q", got)
		}
		sup, s, err := e.db.Suppressed(context.Background(), "gone@example.com")
		if err != nil || !sup || s.Reason != "hard-bounce" {
			t.Errorf("suppressed = %v %+v %v", sup, s, err)
		}
	})
}

// Planning again the same day finds the same key: nothing new is planned
// or sent.
func TestPlanningTheSameDayAgainSendsNothingNew(t *testing.T) {
	e := newEnv(t, options{limits: nil})
	e.customer("c1", "ann@example.com", "Ann", "12-01", "")
	e.consent("c1", "birthday", courtesy.Granted, signedUp)
	e.clock.Set(mustTime(t, "2026-12-01T10:00:00Z"))
	keys := e.plan()
	e.work(keys)
	// Planned again the same day: the key is the same, nothing new.
	again := e.plan()
	e.work(again)
	if d := cmp.Diff([]string{"birthday-treat:c1:2026"}, keys); d != "" {
		t.Errorf("first plan (-want +got):\n%s", d)
	}
	if e.sink.Count() != 1 {
		t.Errorf("sink received %d", e.sink.Count())
	}
	counts, err := e.db.CountDecisions(context.Background(), courtesy.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(map[string]int{"sent": 1}, counts); d != "" {
		t.Errorf("decisions (-want +got):\n%s", d)
	}
}

func TestWaitingMessagePastItsWindowExpires(t *testing.T) {
	e := newEnv(t, options{quiet: "20:00-10:00"})
	e.customer("c1", "ann@example.com", "Ann", "12-01", "UTC")
	e.consent("c1", "birthday", courtesy.Granted, signedUp)
	e.clock.Set(mustTime(t, "2026-12-01T09:30:00Z"))
	e.work(e.plan())
	if got := e.decision("birthday-treat:c1:2026"); got != "deferred:quiet-hours" {
		t.Fatalf("decision %q, want deferred to 10:00", got)
	}
	// Nothing ran the deferred task (a process that left, Redis lost it);
	// the next planning round after the window closed records it expired.
	e.queue.take(mustTime(t, "2026-12-02T00:00:00Z"))
	e.clock.Set(mustTime(t, "2026-12-01T13:00:00Z"))
	e.work(e.plan())
	if got := e.decision("birthday-treat:c1:2026"); got != "expired" || e.sink.Count() != 0 {
		t.Errorf("decision %q, %d sent; want expired, nothing sent", got, e.sink.Count())
	}
}

func TestTheWhyPageGetsTheLimitsAsData(t *testing.T) {
	e := newEnv(t, options{limits: []throttle.Limit{{Count: 3, Window: 7 * 24 * time.Hour}}})
	e.customer("c1", "ann@example.com", "Ann", "12-01", "")
	e.consent("c1", "birthday", courtesy.Granted, signedUp)
	e.clock.Set(mustTime(t, "2026-12-01T10:00:00Z"))
	e.work(e.plan())
	m, err := e.db.Message(context.Background(), "birthday-treat:c1:2026")
	if err != nil {
		t.Fatal(err)
	}
	var d courtesy.Detail
	if err := json.Unmarshal([]byte(m.Detail), &d); err != nil {
		t.Fatal(err)
	}
	want := []courtesy.LimitHit{
		{Scope: courtesy.LimitGlobal, Count: 3, Window: 7 * 24 * time.Hour},
		{Scope: courtesy.LimitCampaign, Count: 1, Window: 365 * 24 * time.Hour},
	}
	if diff := cmp.Diff(want, d.Limits); diff != "" {
		t.Errorf("limits in the detail (-want +got):\n%s", diff)
	}
	if d.ConsentID == 0 || !strings.Contains(d.Rule, "birthday") {
		t.Errorf("detail = %+v", d)
	}
}

// footerHas says the plain text of the one message sent carries word.
func footerHas(t *testing.T, e *env, word string) bool {
	t.Helper()
	c, err := e.sink.Messages()[0].Content()
	if err != nil {
		t.Fatal(err)
	}
	return strings.Contains(strings.ToLower(c.Text), word)
}

package guardrail_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/campaigns"
	"github.com/courtesyhq/courtesy/consent"
	"github.com/courtesyhq/courtesy/guardrail"
	"github.com/courtesyhq/courtesy/mailer"
	"github.com/courtesyhq/courtesy/shop"
	"github.com/courtesyhq/courtesy/store"
	"github.com/courtesyhq/courtesy/store/storetest"
	"github.com/courtesyhq/courtesy/throttle"
	"github.com/courtesyhq/courtesy/worker"
)

// outbox records what was handed to SMTP.
type outbox struct {
	mu   sync.Mutex
	msgs []*mailer.Message
}

func (o *outbox) Send(_ context.Context, m *mailer.Message) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.msgs = append(o.msgs, m)
	return nil
}
func (o *outbox) Close() error { return nil }
func (o *outbox) to(addr string) []*mailer.Message {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []*mailer.Message
	for _, m := range o.msgs {
		if m.To == addr {
			out = append(out, m)
		}
	}
	return out
}

// noLimits lets every message through; limits are not what is tested here.
type noLimits struct{}

func (noLimits) Reserve(context.Context, throttle.Request) (throttle.Reservation, error) {
	return throttle.Reservation{OK: true}, nil
}
func (noLimits) Release(context.Context, string, string) error { return nil }

type noQueue struct{}

func (noQueue) Enqueue(context.Context, string, time.Time, time.Time) error { return nil }

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }

type env struct {
	t        *testing.T
	db       *store.DB
	clock    *clock
	mail     *outbox
	pipeline *worker.Pipeline
	guard    *guardrail.Guard
	campaign *campaigns.Campaign
	next     int
}

const owner = "owner@crumb.example"

func newEnv(t *testing.T) *env {
	t.Helper()
	r := shop.Load("../examples/bakery/courtesy.yaml")
	if r.Diagnostics.HasErrors() {
		t.Fatalf("bakery example: %v", r.Diagnostics)
	}
	var birthday *campaigns.Campaign
	byID := map[string]*campaigns.Campaign{}
	for _, c := range r.Campaigns {
		byID[c.ID] = c
		if c.ID == "birthday-treat" {
			birthday = c
		}
	}
	if birthday == nil {
		t.Fatal("no birthday-treat campaign in the bakery example")
	}
	e := &env{t: t, db: storetest.OpenSQLite(t), clock: &clock{t: time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC)},
		mail: &outbox{}, campaign: birthday}
	signer, err := consent.NewSigner([]consent.Key{{ID: "k1", Secret: []byte(strings.Repeat("k", 32))}})
	if err != nil {
		t.Fatal(err)
	}
	quiet, err := throttle.ParseQuietHours("20:00-09:00")
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	e.pipeline, err = worker.New(worker.Config{
		Business: worker.Business{Name: "Crumb & Co.", PostalAddress: "12 Mill Lane, Bristol", From: "Crumb <hello@crumb.example>",
			BaseURL: "https://crumb.example", Domain: "crumb.example", Location: time.UTC},
		Campaigns: byID, QuietHours: quiet, Tone: r.Tone, Signer: signer, Store: e.db, Limiter: noLimits{},
		Sender: e.mail, Scheduler: noQueue{}, Now: e.clock.Now, Logger: logger,
	})
	if err != nil {
		t.Fatal(err)
	}
	e.guard, err = guardrail.New(guardrail.Config{
		Campaigns: []string{birthday.ID}, MaxOptOutRate: 0.02, MaxComplaintRate: 0.003, MinSample: 200,
		OwnerEmail: owner, From: "Crumb <hello@crumb.example>", BaseURL: "https://crumb.example", Domain: "crumb.example",
		Store: e.db, Sender: e.mail, Now: e.clock.Now, Logger: logger,
	})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// send plans and processes n birthday messages to new consenting customers
// and returns their decisions.
func (e *env) send(n int) []courtesy.Message {
	e.t.Helper()
	ctx := context.Background()
	var out []courtesy.Message
	for range n {
		e.next++
		id := fmt.Sprintf("c%04d", e.next)
		now := e.clock.Now()
		if _, err := e.db.UpsertCustomers(ctx, []courtesy.Customer{{ID: id, Email: id + "@example.com", FirstName: "Ann",
			Timezone: "UTC", CreatedAt: now, UpdatedAt: now}}); err != nil {
			e.t.Fatal(err)
		}
		if _, err := e.db.AppendConsent(ctx, courtesy.ConsentRecord{CustomerID: id, Purpose: "birthday",
			Status: courtesy.Granted, Source: "form", RecordedAt: now.Add(-time.Hour)}); err != nil {
			e.t.Fatal(err)
		}
		key := courtesy.MessageKey(e.campaign.ID, id, "2026")
		if _, _, err := e.db.PlanMessage(ctx, courtesy.Message{Key: key, CampaignID: e.campaign.ID, CustomerID: id,
			Occurrence: "2026", Purpose: "birthday", DueAt: now, NotAfter: now.Add(3 * time.Hour), CreatedAt: now}); err != nil {
			e.t.Fatal(err)
		}
		if err := e.pipeline.Process(ctx, key, false); err != nil {
			e.t.Fatalf("process %s: %v", key, err)
		}
		m, err := e.db.Message(ctx, key)
		if err != nil {
			e.t.Fatal(err)
		}
		out = append(out, m)
		e.clock.Add(time.Second)
	}
	return out
}

// optOut has the customers of k of the sent messages unsubscribe.
func (e *env) optOut(msgs []courtesy.Message, k int) {
	e.t.Helper()
	for _, m := range msgs {
		if k == 0 {
			return
		}
		if m.Decision.Outcome != courtesy.Sent {
			continue
		}
		k--
		rec := courtesy.ConsentRecord{CustomerID: m.CustomerID, Purpose: "birthday", Status: courtesy.Withdrawn,
			Source: "one-click", MessageKey: m.Key, RecordedAt: e.clock.Now()}
		if _, err := e.db.Withdraw(context.Background(), rec, courtesy.OptOut{CampaignID: m.CampaignID, Variant: m.Variant}); err != nil {
			e.t.Fatal(err)
		}
	}
	if k > 0 {
		e.t.Fatalf("too few sent messages to opt out of")
	}
}

func decisions(msgs []courtesy.Message) map[string]int {
	out := map[string]int{}
	for _, m := range msgs {
		out[m.Decision.String()]++
	}
	return out
}

func TestPauseOnOptOutRateThenResume(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	first := e.send(260)
	sent := decisions(first)["sent"]
	if sent < 200 {
		t.Fatalf("only %d of 260 sent: %v", sent, decisions(first))
	}
	// 2.5% of the sends draw an opt-out: above 2% over more than 200 sends.
	k := (sent*25 + 999) / 1000
	e.optOut(first, k)

	verdicts, err := e.guard.Check(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(verdicts) != 1 || !verdicts[0].Paused {
		t.Fatalf("verdicts after %d opt-outs of %d sends: %+v", k, sent, verdicts)
	}
	st, err := e.db.CampaignState(ctx, e.campaign.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("guardrail: opt-out rate %s", "2.")
	if !st.Paused || !strings.HasPrefix(st.Reason, want) || !strings.HasSuffix(st.Reason, fmt.Sprintf("> 2.0%% over %d sends", sent)) {
		t.Errorf("state after the check: %+v", st)
	}
	if got := len(e.mail.to(owner)); got != 1 {
		t.Errorf("owner got %d emails, want 1", got)
	}

	// The next messages are suppressed by the pause, by the real pipeline.
	next := e.send(10)
	if d := decisions(next); d["suppressed:paused"] != 10 {
		t.Errorf("decisions while paused: %v, want 10 suppressed:paused", d)
	}
	// A second check neither pauses again nor emails again.
	if _, err := e.guard.Check(ctx); err != nil {
		t.Fatal(err)
	}
	if got := len(e.mail.to(owner)); got != 1 {
		t.Errorf("owner got %d emails after a second check, want still 1", got)
	}

	// The owner resumes: the old opt-outs are not judged again.
	e.clock.Add(time.Minute)
	if err := e.db.SetCampaignState(ctx, courtesy.CampaignState{ID: e.campaign.ID, Reason: "manual resume", At: e.clock.Now()}); err != nil {
		t.Fatal(err)
	}
	e.clock.Add(time.Second)
	after := e.send(20)
	if d := decisions(after); d["sent"] == 0 || d["suppressed:paused"] != 0 {
		t.Errorf("decisions after resume: %v", d)
	}
	verdicts, err = e.guard.Check(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(verdicts) != 1 || verdicts[0].Paused || verdicts[0].Health.OptOuts != 0 {
		t.Errorf("after resume the check found %+v; want no pause and no old opt-outs counted", verdicts)
	}
}

func TestNoPauseBelowMinSample(t *testing.T) {
	e := newEnv(t)
	msgs := e.send(60)
	e.optOut(msgs, 10) // a high rate, but over too few sends to judge
	v, err := e.guard.Check(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(v) != 1 || v[0].Paused || v[0].Health.OptOuts != 10 {
		t.Errorf("verdicts: %+v; want 10 opt-outs counted and no pause under min_sample", v)
	}
}

func TestPauseOnComplaintRate(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	msgs := e.send(260)
	n := 0
	for _, m := range msgs {
		if m.Decision.Outcome == courtesy.Sent && n < 1 {
			n++
			if err := e.db.AddBounce(ctx, courtesy.Bounce{EmailHash: store.EmailHash(m.CustomerID + "@example.com"),
				MessageKey: m.Key, Kind: "complaint", At: e.clock.Now()}); err != nil {
				t.Fatal(err)
			}
		}
	}
	// One complaint in ~235 sends is 0.43%: above the 0.3% pause level.
	v, err := e.guard.Check(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(v) != 1 || !v[0].Paused || !v[0].Alert || !strings.Contains(v[0].Reason, "complaint rate") {
		t.Errorf("verdicts: %+v", v)
	}
}

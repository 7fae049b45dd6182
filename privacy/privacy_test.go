package privacy_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/privacy"
	"github.com/courtesyhq/courtesy/store"
	"github.com/courtesyhq/courtesy/store/storetest"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

var now = time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)

func seed(t *testing.T, st *store.DB) {
	t.Helper()
	ctx := context.Background()
	md, _ := courtesy.ParseMonthDay("1985-03-14")
	if rowErrs, err := st.UpsertCustomers(ctx, []courtesy.Customer{
		{ID: "c1", Email: "grace@example.com", FirstName: "Grace", Birthday: md, Timezone: "Europe/London"},
		{ID: "c2", Email: "other@example.com", FirstName: "Other"},
	}); err != nil || rowErrs[0] != nil {
		t.Fatalf("seed: %v %v", err, rowErrs)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err := st.AppendConsent(ctx, courtesy.ConsentRecord{CustomerID: "c1", Purpose: "surveys", Status: courtesy.Granted, Source: "form", Notice: "v1", RecordedAt: now.Add(-48 * time.Hour)})
	must(err)
	_, _, err = st.PlanMessage(ctx, courtesy.Message{Key: "nps:c1:o1", CampaignID: "nps", CustomerID: "c1", Purpose: "surveys", Decision: courtesy.Decision{Outcome: courtesy.Sent}, Detail: `{"rule":"you bought something"}`, CreatedAt: now.Add(-time.Hour)})
	must(err)
	_, _, err = st.AddEvent(ctx, courtesy.Event{CustomerID: "c1", Type: courtesy.Purchase, OrderID: "o1", AmountCents: 450, OccurredAt: now.Add(-24 * time.Hour)})
	must(err)
	must(st.RecordAnswer(ctx, courtesy.Answer{MessageKey: "nps:c1:o1", CustomerID: "c1", CampaignID: "nps", Score: 4, Comment: "Grace here: too slow", At: now}))
	must(st.RecordEngagement(ctx, courtesy.Engagement{CustomerID: "c1", MessageKey: "nps:c1:o1", CampaignID: "nps", Kind: "why-view", At: now}))
	must(st.SetPreferences(ctx, courtesy.Preferences{CustomerID: "c1", MaxPerWindow: "1/30d", UpdatedAt: now}))
	_, err = st.Withdraw(ctx, courtesy.ConsentRecord{CustomerID: "c1", Purpose: "surveys", Status: courtesy.Withdrawn, Source: "one-click", RecordedAt: now}, courtesy.OptOut{CustomerID: "c1", Purpose: "surveys", Source: "one-click", MessageKey: "nps:c1:o1", CampaignID: "nps", At: now})
	must(err)
}

func TestExport(t *testing.T) {
	st := storetest.OpenSQLite(t)
	seed(t, st)
	rec, err := privacy.Export(context.Background(), st, "c1")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]any{
		"email": rec.Profile.Email, "birthday": rec.Profile.Birthday, "consents": len(rec.Consents),
		"messages": len(rec.Messages), "detail": string(rec.Messages[0].Detail), "events": len(rec.Events),
		"answer": rec.Answers[0].Comment, "engagement": len(rec.Engagement), "optouts": len(rec.OptOuts),
		"max": rec.Preferences.MaxPerWindow,
	}
	want := map[string]any{
		"email": "grace@example.com", "birthday": "03-14", "consents": 2,
		"messages": 1, "detail": `{"rule":"you bought something"}`, "events": 1,
		"answer": "Grace here: too slow", "engagement": 1, "optouts": 1,
		"max": "1/30d",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("export (-want +got):\n%s", diff)
	}
	b, err := json.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"consent_history"`, `"survey_answers"`, `"opt_outs"`, `"recorded_at"`} {
		if !strings.Contains(string(b), key) {
			t.Errorf("export JSON lacks %s", key)
		}
	}
	if strings.Contains(string(b), "other@example.com") {
		t.Error("export holds another customer's data")
	}
	if _, err := privacy.Export(context.Background(), st, "nobody"); !errors.Is(err, courtesy.ErrNotFound) {
		t.Errorf("export of an unknown customer: %v, want ErrNotFound", err)
	}
}

func TestErase(t *testing.T) {
	st := storetest.OpenSQLite(t)
	seed(t, st)
	ctx := context.Background()
	if err := privacy.Erase(ctx, st, "c1", now); err != nil {
		t.Fatal(err)
	}
	if _, err := privacy.Export(ctx, st, "c1"); !errors.Is(err, courtesy.ErrNotFound) {
		t.Errorf("export after erasure: %v, want ErrNotFound", err)
	}
	if erased, err := st.IsErased(ctx, store.EmailHash("Grace@Example.com")); err != nil || !erased {
		t.Errorf("IsErased = %v, %v", erased, err)
	}
	answers, err := st.Answers(ctx, courtesy.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range answers {
		if strings.Contains(a.Comment, "Grace") || a.CustomerID == "c1" {
			t.Errorf("answer survives erasure with personal data: %+v", a)
		}
	}
	if _, err := st.Customer(ctx, "c2"); err != nil {
		t.Errorf("erasing c1 touched c2: %v", err)
	}
	if err := privacy.Erase(ctx, st, "c1", now); !errors.Is(err, courtesy.ErrNotFound) {
		t.Errorf("second erasure: %v, want ErrNotFound", err)
	}
}

func TestExportNamesPlatformIDs(t *testing.T) {
	st := storetest.OpenSQLite(t)
	ctx := context.Background()
	d := courtesy.Delivery{Source: "shopify", ID: "wh-1", ReceivedAt: now,
		Customer: &courtesy.PlatformCustomer{ExternalID: "7001", Email: "ada@example.org"}}
	if _, err := st.RecordDelivery(ctx, d, func([]courtesy.ConsentRecord, courtesy.ConsentRecord) bool { return true }); err != nil {
		t.Fatal(err)
	}
	rec, err := privacy.Export(ctx, st, "shopify-7001")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]privacy.PlatformID{{Platform: "shopify", ID: "7001"}}, rec.PlatformIDs); diff != "" {
		t.Errorf("platform ids (-want +got):\n%s", diff)
	}
}

// forgetter records what it was asked to forget, and may fail.
type forgetter struct {
	got map[string][]string
	err error
}

func (f *forgetter) ForgetCustomer(_ context.Context, id string, keys []string) error {
	f.got[id] = keys
	return f.err
}

// TestEraseAsksEveryForgetter: Redis keeps the customer's windows and their
// messages' tasks under the keys the messages had before the store made
// them anonymous; every forgetter is told those keys, and one that fails
// does not keep the next from forgetting, nor undo the store's erasure.
func TestEraseAsksEveryForgetter(t *testing.T) {
	st := storetest.OpenSQLite(t)
	seed(t, st)
	ctx := context.Background()
	before, err := st.Messages(ctx, courtesy.Filter{CustomerID: "c1"})
	if err != nil || len(before) == 0 {
		t.Fatalf("c1's messages: %d, %v", len(before), err)
	}
	var want []string
	for _, m := range before {
		want = append(want, m.Key)
	}
	failing := &forgetter{got: map[string][]string{}, err: errors.New("redis is away")}
	ok := &forgetter{got: map[string][]string{}}
	err = privacy.Erase(ctx, st, "c1", now, failing, ok)
	if err == nil || !strings.Contains(err.Error(), "redis is away") {
		t.Errorf("Erase with a failing forgetter: %v, want its error", err)
	}
	for _, f := range []*forgetter{failing, ok} {
		if diff := cmp.Diff(map[string][]string{"c1": want}, f.got, cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
			t.Errorf("forgotten (-want +got):\n%s", diff)
		}
	}
	if _, err := st.Customer(ctx, "c1"); !errors.Is(err, courtesy.ErrNotFound) {
		t.Errorf("the store's erasure after a forgetter failed: %v", err)
	}
}

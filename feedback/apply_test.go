package feedback_test

import (
	"bytes"
	"context"
	"database/sql"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/consent"
	"github.com/courtesyhq/courtesy/feedback"
	"github.com/courtesyhq/courtesy/store"
)

// t0 is when the store's story starts; reports arrive after it.
var t0 = time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)

const day = 24 * time.Hour

// world is a store holding the customers and sent messages the committed
// fixtures are about, and a processor over it.
type world struct {
	t    *testing.T
	db   *store.DB
	path string // the SQLite file, for counting rows behind the store's back
	now  time.Time
	p    *feedback.Processor
	log  bytes.Buffer // what the processor logged
}

// unsigned is what an outcome says of a report that came back to a VERP
// address courtesy did not sign, as the fixtures' are.
const unsigned = " [its return path was not signed by courtesy: ignored]"

// verpKey signs the VERP addresses of the messages the tests send.
var verpKey = consent.Key{ID: "k2026", Secret: []byte("0123456789abcdef0123456789abcdef")}

// sentFixture is a message the fixtures report on.
type sentFixture struct {
	customer, email, campaign, messageID string
}

var fixtureMessages = []sentFixture{
	{"jo", "jo.baker@mail.example.net", "birthday-treat", "<7f3c0a9e41b2d5c8@crumb.example>"},
	{"sam", "sam@full.example", "saved-item-reminder", "<c0ffee42@crumb.example>"},
	{"pat", "pat@mailbox.example", "birthday-treat", "<b1rthd4y.9f2e@crumb.example>"},
	{"lee", "lee@nowhere.example", "post-purchase-nps", "<nps-5521@crumb.example>"},
	{"kim", "kim@gone.example", "birthday-treat", "<kim-bday-2026@crumb.example>"},
	// Customers known by address only: their reports carry no Message-ID
	// of courtesy's.
	{"robin", "robin@mailbox.example", "", ""},
	{"alex", "alex@mailbox.example", "", ""},
}

var purposes = []string{"birthday", "reminders", "surveys"}

func newWorld(t *testing.T) *world {
	t.Helper()
	path := filepath.Join(t.TempDir(), "courtesy.db")
	db, err := store.Open(context.Background(), "sqlite://"+path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	w := &world{t: t, db: db, path: path, now: t0.Add(day)}
	w.p = &feedback.Processor{Store: db, ReturnPath: "bounce@crumb.example", SoftLimit: 3, SoftWindow: 14 * day,
		Now: func() time.Time { return w.now }, Keys: []consent.Key{verpKey},
		Logger: slog.New(slog.NewTextHandler(&w.log, nil))}
	ctx := context.Background()
	for _, m := range fixtureMessages {
		if errs, err := db.UpsertCustomers(ctx, []courtesy.Customer{{ID: m.customer, Email: m.email, FirstName: m.customer, CreatedAt: t0}}); err != nil || errs[0] != nil {
			t.Fatalf("upsert %s: %v %v", m.customer, err, errs)
		}
		for _, p := range purposes {
			if _, err := db.AppendConsent(ctx, courtesy.ConsentRecord{CustomerID: m.customer, Purpose: p,
				Status: courtesy.Granted, Source: "form", Notice: "signup-v1", RecordedAt: t0}); err != nil {
				t.Fatal(err)
			}
		}
		if m.messageID == "" {
			continue
		}
		key := courtesy.MessageKey(m.campaign, m.customer, "2026")
		if _, _, err := db.PlanMessage(ctx, courtesy.Message{Key: key, CampaignID: m.campaign, CustomerID: m.customer,
			Occurrence: "2026", Purpose: "birthday", Variant: "personal", CreatedAt: t0}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Decide(ctx, store.DecisionUpdate{Key: key, Decision: courtesy.Decision{Outcome: courtesy.Sent},
			MessageID: m.messageID, At: t0}); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

// process parses a fixture and applies it, as the command and the web
// handlers do: nothing is applied unless the whole input parses.
func (w *world) process(name string) ([]string, error) {
	w.t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		w.t.Fatal(err)
	}
	reports, err := feedback.Parse(data)
	if err != nil {
		return nil, err
	}
	outs, err := w.p.Apply(context.Background(), reports)
	if err != nil {
		w.t.Fatalf("apply %s: %v", name, err)
	}
	lines := []string{}
	for _, o := range outs {
		lines = append(lines, o.String()+" ["+o.MatchedBy+"]")
	}
	return lines, nil
}

// suppressed lists the addresses of fixtureMessages (and extra) with a
// suppression in force, with its reason and source.
func (w *world) suppressed(extra ...string) map[string]string {
	w.t.Helper()
	got := map[string]string{}
	addrs := extra
	for _, m := range fixtureMessages {
		addrs = append(addrs, m.email)
	}
	for _, a := range addrs {
		ok, s, err := w.db.Suppressed(context.Background(), a)
		if err != nil {
			w.t.Fatal(err)
		}
		if ok {
			got[a] = s.Reason + "/" + s.Source
		}
	}
	return got
}

// granted lists, per purpose, whether the customer may be written to.
func (w *world) granted(customerID string) map[string]bool {
	w.t.Helper()
	hist, err := w.db.ConsentHistory(context.Background(), customerID)
	if err != nil {
		w.t.Fatal(err)
	}
	out := map[string]bool{}
	for _, p := range purposes {
		out[p] = consent.Current(hist, p, w.now.Add(time.Second)).Granted
	}
	return out
}

func (w *world) optOuts() []courtesy.OptOut {
	w.t.Helper()
	outs, err := w.db.OptOuts(context.Background(), courtesy.Filter{})
	if err != nil {
		w.t.Fatal(err)
	}
	for i := range outs {
		outs[i].ID = 0
	}
	return outs
}

// rowCounts counts the rows of every table, reading the SQLite file itself.
func (w *world) rowCounts() map[string]int {
	w.t.Helper()
	db, err := sql.Open("sqlite", w.path)
	if err != nil {
		w.t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`)
	if err != nil {
		w.t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			w.t.Fatal(err)
		}
		tables = append(tables, n)
	}
	rows.Close()
	counts := map[string]int{}
	for _, tb := range tables {
		var n int
		if err := db.QueryRow(`SELECT COUNT(*) FROM ` + tb).Scan(&n); err != nil {
			w.t.Fatal(err)
		}
		counts[tb] = n
	}
	return counts
}

var allGranted = map[string]bool{"birthday": true, "reminders": true, "surveys": true}
var noneGranted = map[string]bool{"birthday": false, "reminders": false, "surveys": false}

func TestApplyFixtures(t *testing.T) {
	tests := []struct {
		file           string
		want           []string
		wantSuppressed map[string]string
		wantOptOuts    []courtesy.OptOut
		// withdrawn is the customer whose every purpose must be withdrawn;
		// every other fixture customer must keep theirs.
		withdrawn string
	}{
		{
			file:           "dsn-hard-5.1.1.eml",
			want:           []string{"hard-bounce jo.baker@mail.example.net 5.1.1 → suppressed (birthday-treat)" + unsigned + " [message-id]"},
			wantSuppressed: map[string]string{"jo.baker@mail.example.net": "hard-bounce/dsn"},
		},
		{
			file: "dsn-soft-4.2.2.eml",
			want: []string{"soft-bounce sam@full.example 4.2.2 → recorded, soft bounce 1 of 3 (saved-item-reminder)" + unsigned + " [message-id]"},
		},
		{
			file: "dsn-mixed.eml",
			want: []string{
				"hard-bounce gone@example.com 5.1.1 → suppressed (no matching message or customer)" + unsigned + " []",
				"soft-bounce slow@example.com 4.4.7 → recorded, soft bounce 1 of 3 (no matching message or customer)" + unsigned + " []",
			},
			wantSuppressed: map[string]string{"gone@example.com": "hard-bounce/dsn"},
		},
		{
			file:           "arf-abuse.eml",
			want:           []string{"complaint pat@mailbox.example abuse → every purpose withdrawn, suppressed (birthday-treat)" + unsigned + " [message-id]"},
			wantSuppressed: map[string]string{"pat@mailbox.example": "complaint/arf"},
			wantOptOuts: []courtesy.OptOut{{CustomerID: "pat", Purpose: courtesy.AllPurposes, Source: "complaint",
				MessageKey: "birthday-treat:pat:2026", CampaignID: "birthday-treat", Variant: "personal", At: t0.Add(day)}},
			withdrawn: "pat",
		},
		{
			file:           "ses-bounce.json",
			want:           []string{"hard-bounce lee@nowhere.example 5.1.1 → suppressed (post-purchase-nps)" + unsigned + " [message-id]"},
			wantSuppressed: map[string]string{"lee@nowhere.example": "hard-bounce/ses"},
		},
		{
			file:           "ses-complaint.json",
			want:           []string{"complaint robin@mailbox.example abuse → every purpose withdrawn, suppressed (saved-item-reminder)" + unsigned + " [address]"},
			wantSuppressed: map[string]string{"robin@mailbox.example": "complaint/ses"},
			wantOptOuts: []courtesy.OptOut{{CustomerID: "robin", Purpose: courtesy.AllPurposes, Source: "complaint",
				CampaignID: "saved-item-reminder", At: t0.Add(day)}},
			withdrawn: "robin",
		},
		{
			file:           "postmark-bounce.json",
			want:           []string{"hard-bounce kim@gone.example 5.1.1 → suppressed (birthday-treat) [message-id]"},
			wantSuppressed: map[string]string{"kim@gone.example": "hard-bounce/postmark"},
		},
		{
			file:           "postmark-spam.json",
			want:           []string{"complaint alex@mailbox.example abuse → every purpose withdrawn, suppressed [address]"},
			wantSuppressed: map[string]string{"alex@mailbox.example": "complaint/postmark"},
			wantOptOuts:    []courtesy.OptOut{{CustomerID: "alex", Purpose: courtesy.AllPurposes, Source: "complaint", At: t0.Add(day)}},
			withdrawn:      "alex",
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			w := newWorld(t)
			got, err := w.process(tt.file)
			if err != nil {
				t.Fatalf("process: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("outcomes (-want +got):\n%s", diff)
			}
			wantSup := tt.wantSuppressed
			if wantSup == nil {
				wantSup = map[string]string{}
			}
			if diff := cmp.Diff(wantSup, w.suppressed("gone@example.com", "slow@example.com")); diff != "" {
				t.Errorf("suppressions (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantOptOuts, w.optOuts()); diff != "" {
				t.Errorf("opt-outs (-want +got):\n%s", diff)
			}
			for _, m := range fixtureMessages {
				want := allGranted
				if m.customer == tt.withdrawn {
					want = noneGranted
				}
				if diff := cmp.Diff(want, w.granted(m.customer)); diff != "" {
					t.Errorf("consent of %s (-want +got):\n%s", m.customer, diff)
				}
			}
			// The same report again (a webhook retried) adds no suppression
			// and withdraws nothing twice.
			before := w.rowCounts()
			if _, err := w.process(tt.file); err != nil {
				t.Fatal(err)
			}
			after := w.rowCounts()
			for _, tb := range []string{"suppressions", "opt_outs", "consent_ledger"} {
				if before[tb] != after[tb] {
					t.Errorf("processing %s twice: %s rows %d → %d", tt.file, tb, before[tb], after[tb])
				}
			}
		})
	}
}

// A mailbox full for a fortnight stops the mail; one full for a weekend does
// not, however many times it says so.
func TestSoftBouncesSuppressAfterTheThirdOverTheWindow(t *testing.T) {
	t.Run("three over fifteen days", func(t *testing.T) {
		w := newWorld(t)
		for i, at := range []time.Duration{0, 8 * day, 15 * day} {
			w.now = t0.Add(day + at)
			if _, err := w.process("dsn-soft-4.2.2.eml"); err != nil {
				t.Fatal(err)
			}
			_, got := w.suppressed()["sam@full.example"]
			if want := i == 2; got != want {
				t.Errorf("after soft bounce %d (day %d): suppressed = %v, want %v", i+1, int(at/day), got, want)
			}
		}
		if diff := cmp.Diff(map[string]string{"sam@full.example": "soft-bounce/dsn"}, w.suppressed()); diff != "" {
			t.Errorf("suppressions (-want +got):\n%s", diff)
		}
	})
	t.Run("five within two days", func(t *testing.T) {
		w := newWorld(t)
		for i := range 5 {
			w.now = t0.Add(day + time.Duration(i)*10*time.Hour)
			if _, err := w.process("dsn-soft-4.2.2.eml"); err != nil {
				t.Fatal(err)
			}
		}
		if got := w.suppressed(); len(got) != 0 {
			t.Errorf("suppressed after a short run of soft bounces: %v", got)
		}
	})
}

// Malformed reports are refused with a reason, and nothing is written.
func TestMalformedReportsChangeNothing(t *testing.T) {
	tests := []struct {
		file, wantErr string
	}{
		{"dsn-no-recipient.eml", "recipient"},
		{"plain.eml", "not a delivery status or feedback report"},
		{"postmark-truncated.json", "not JSON"},
		{"ses-truncated.json", "not JSON"},
		{"ses-message-not-json.json", "not JSON"},
		{"ses-subscription.json", "subscription confirmation"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			w := newWorld(t)
			before := w.rowCounts()
			_, err := w.process(tt.file)
			if err == nil {
				t.Fatalf("process(%s) succeeded, want an error about %q", tt.file, tt.wantErr)
			}
			if !containsFold(err.Error(), tt.wantErr) {
				t.Errorf("process(%s) error = %q, want it to mention %q", tt.file, err, tt.wantErr)
			}
			if diff := cmp.Diff(before, w.rowCounts()); diff != "" {
				t.Errorf("rows changed (-before +after):\n%s", diff)
			}
		})
	}
}

func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}

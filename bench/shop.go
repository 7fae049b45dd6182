package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"database/sql"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, for the schema of each run

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/internal/testenv"
	"github.com/courtesyhq/courtesy/lint"
	"github.com/courtesyhq/courtesy/mailer"
	"github.com/courtesyhq/courtesy/shop"
	"github.com/courtesyhq/courtesy/store"
)

// The bench shop is the bakery with every message wanted: no control group,
// so each planned birthday is a message on the wire, and its customers live
// in the business's zone on a winter morning, outside quiet hours.
var shopFiles = map[string]string{
	"courtesy.yaml": `business:
  name: "Crumb & Co. Bakery"
  postal_address: "12 Mill Lane, Bristol BS1 4DJ, UK"
  from: "Crumb & Co. <hello@crumb.example>"
  reply_to: "hello@crumb.example"
  base_url: "https://crumb.example"
  timezone: "Europe/London"
purposes:
  birthday:  { title: "Birthday treats", description: "A greeting and a small treat on your birthday." }
  reminders: { title: "Saved-item reminders", description: "One reminder about something you saved." }
limits:
  per_customer: ["1/24h", "3/7d"]
  quiet_hours: "20:00-09:00"
campaigns_dir: campaigns
templates_dir: templates
data_dir: data
`,
	"campaigns/birthday.yaml": `id: birthday-treat
name: Birthday treat
kind: birthday
purpose: birthday
enabled: true
priority: 10
send:
  at: "09:30"
  window: 3h
expires: 14d
limits: ["1/365d"]
template:
  subject: "Happy birthday{{with .Customer.FirstName}}, {{.}}{{end}}"
  text: birthday.txt
  html: birthday.html
tone: warm
holdout: 0
`,
	"campaigns/saved-reminder.yaml": `id: saved-reminder
name: Saved-item reminder
kind: interest_reminder
purpose: reminders
enabled: true
priority: 5
send:
  at: "10:00"
  window: 8h
trigger:
  event: interest
  after: 3d
expires: 14d
limits: ["1/30d"]
template:
  subject: "{{.Item.Name}} is still on our shelf"
  text: saved-reminder.txt
tone: informative
holdout: 0
`,
	"templates/birthday.txt": `{{with .Customer.FirstName}}Dear {{.}},{{else}}Hello,{{end}}

Happy birthday from all of us at {{.Business.Name}}.

If you're passing this week, a slice of cake or a cinnamon bun is on us:
just mention your birthday at the counter. No need to buy anything else.

Have a lovely day,
The team at Crumb & Co.
`,
	"templates/birthday.html": `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Happy birthday</title></head>
<body style="font-family: Georgia, serif; color: #3b2f2a; max-width: 36em;">
<p>{{with .Customer.FirstName}}Dear {{.}},{{else}}Hello,{{end}}</p>
<p>Happy birthday from all of us at {{.Business.Name}}.</p>
<p>If you're passing this week, a slice of cake or a cinnamon bun is on us:
just mention your birthday at the counter. No need to buy anything else.</p>
<p>Have a lovely day,<br>The team at Crumb &amp; Co.</p>
</body>
</html>
`,
	"templates/saved-reminder.txt": `{{with .Customer.FirstName}}Hello {{.}},{{else}}Hello,{{end}}

You saved {{.Item.Name}} a few days ago. It is still here if you would like it: {{.Item.URL}}

The team at Crumb & Co.
`,
}

// simDay is the bench's "today": 1 December, 10:00 in London (UTC+0), half
// an hour after the birthday campaign's send time.
var simDay = time.Date(2026, time.December, 1, 10, 0, 0, 0, time.UTC)

// loadShop writes the shop under dir and loads it as the commands do.
func loadShop(dir string) (lint.Result, error) {
	for name, body := range shopFiles {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return lint.Result{}, err
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			return lint.Result{}, err
		}
	}
	r := shop.Load(filepath.Join(dir, "courtesy.yaml"))
	for _, d := range r.Diagnostics {
		if d.Severity == courtesy.SeverityError {
			return r, fmt.Errorf("bench shop: %s", d)
		}
	}
	return r, nil
}

// errNoPostgres says the PostgreSQL runs were skipped.
var errNoPostgres = errors.New("PostgreSQL is not reachable")

// openStore opens a fresh store of the given kind: a SQLite file under dir,
// or a PostgreSQL schema of its own that close drops.
func openStore(ctx context.Context, kind, dir string) (db *store.DB, closeFn func(), err error) {
	switch kind {
	case "sqlite":
		f, err := os.MkdirTemp(dir, "sqlite-")
		if err != nil {
			return nil, nil, err
		}
		db, err := store.Open(ctx, "sqlite://"+filepath.Join(f, "courtesy.db"))
		if err != nil {
			return nil, nil, err
		}
		return db, func() { _ = db.Close(); _ = os.RemoveAll(f) }, nil
	case "postgres":
		base := testenv.PostgresBaseURL()
		admin, err := sql.Open("pgx", base)
		if err != nil {
			return nil, nil, err
		}
		var b [6]byte
		_, _ = rand.Read(b[:])
		schema := "bench_" + hex.EncodeToString(b[:])
		if _, err := admin.ExecContext(ctx, `CREATE SCHEMA "`+schema+`"`); err != nil {
			_ = admin.Close()
			return nil, nil, fmt.Errorf("%w at %s: %v", errNoPostgres, base, err)
		}
		drop := func() {
			_, _ = admin.Exec(`DROP SCHEMA "` + schema + `" CASCADE`)
			_ = admin.Close()
		}
		u, err := url.Parse(base)
		if err != nil {
			drop()
			return nil, nil, err
		}
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		db, err := store.Open(ctx, u.String())
		if err != nil {
			drop()
			return nil, nil, err
		}
		return db, func() { _ = db.Close(); drop() }, nil
	}
	return nil, nil, fmt.Errorf("unknown store %q (want sqlite or postgres)", kind)
}

// seedCustomers stores n customers numbered from 0. The first born of them
// have their birthday on simDay and consent to birthday messages; the
// others are born on other days.
func seedCustomers(ctx context.Context, db *store.DB, n, born int) error {
	// Small batches keep the seeding's own memory out of the worker's
	// peak that follows.
	const batch = 5_000
	for lo := 0; lo < n; lo += batch {
		hi := min(lo+batch, n)
		cs := make([]courtesy.Customer, 0, hi-lo)
		var grants []courtesy.ConsentRecord
		for i := lo; i < hi; i++ {
			md := courtesy.MonthDay{Month: simDay.Month(), Day: simDay.Day()}
			if i >= born {
				// Between 1 January and 27 October: never simDay nor the
				// days either side that the planner also looks at.
				d := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i%300)
				md = courtesy.MonthDay{Month: d.Month(), Day: d.Day()}
			} else {
				grants = append(grants, courtesy.ConsentRecord{
					CustomerID: custID(i), Purpose: "birthday", Status: courtesy.Granted,
					Source: "form", Notice: "birthday-v1", RecordedAt: simDay.AddDate(0, -1, 0),
				})
			}
			cs = append(cs, courtesy.Customer{
				ID: custID(i), Email: fmt.Sprintf("person%d@example.org", i), FirstName: "Alex",
				LastName: fmt.Sprintf("Baker%d", i), Birthday: md, Timezone: "Europe/London", Locale: "en-GB",
				CreatedAt: simDay.AddDate(-1, 0, 0), UpdatedAt: simDay.AddDate(-1, 0, 0),
			})
		}
		if err := rowsOK(db.UpsertCustomers(ctx, cs)); err != nil {
			return fmt.Errorf("seed customers: %w", err)
		}
		if len(grants) > 0 {
			if err := rowsOK(db.AppendConsents(ctx, grants)); err != nil {
				return fmt.Errorf("seed consents: %w", err)
			}
		}
	}
	return nil
}

func custID(i int) string { return fmt.Sprintf("c%08d", i) }

// rowsOK turns a bulk call's row errors into one error.
func rowsOK(rowErrs []error, err error) error {
	if err != nil {
		return err
	}
	for i, e := range rowErrs {
		if e != nil {
			return fmt.Errorf("row %d: %w", i, e)
		}
	}
	return nil
}

// dkimKey makes a fresh signing key of the named kind; nil for "off".
func dkimKey(kind string) (*mailer.DKIM, error) {
	var key any
	switch kind {
	case "off", "":
		return nil, nil
	case "ed25519":
		_, k, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return nil, err
		}
		key = k
	case "rsa2048":
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			return nil, err
		}
		key = k
	default:
		return nil, fmt.Errorf("unknown DKIM key %q (want off, ed25519 or rsa2048)", kind)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	return &mailer.DKIM{Domain: "crumb.example", Selector: "bench",
		PrivateKeyPEM: pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})}, nil
}

package main

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/consent"
	"github.com/courtesyhq/courtesy/examples/bakery"
)

// The demo's simulated day: the first of December in the bakery's town.
const demoDay = "2026-12-01"

// demoRedisURL is where the demo keeps its queue and limits unless REDIS_URL
// says otherwise: database 15, apart from a shop's database 0.
const demoRedisURL = "redis://127.0.0.1:6379/15"

func cmdDemo(inv *invocation, args []string) error {
	fs := inv.flags("demo")
	noServe := fs.Bool("no-serve", false, "exit after the simulated day instead of serving the pages")
	dir := fs.String("dir", "courtesy-demo", "where the demo keeps its data (made afresh)")
	outbox := fs.String("outbox", "outbox", "where messages are written as .eml files")
	listen := fs.String("listen", "127.0.0.1:8080", "where the pages are served")
	if _, err := parsePositional(fs, args, 0, 0); err != nil {
		return err
	}
	out := inv.stdio.out
	absDir, err := prepareDemo(*dir, *outbox)
	if err != nil {
		return err
	}
	absOutbox, _ := filepath.Abs(*outbox)
	key, err := consent.GenerateKey("demo")
	if err != nil {
		return err
	}
	env := map[string]string{
		"DATABASE_URL": "sqlite://" + filepath.Join(absDir, "data", "courtesy.db"),
		// The queue lives in Redis under a fixed name, so a demo on the
		// database a shop uses would hand its tasks to the shop's workers
		// and take the shop's: the demo keeps to a database of its own.
		"REDIS_URL":          demoRedisURL,
		"SMTP_URL":           "file://" + absOutbox,
		"COURTESY_LINK_KEYS": key.Encode(),
		"COURTESY_LISTEN":    *listen,
		"COURTESY_LOG_LEVEL": "warn",
	}
	demo := *inv
	demo.config = filepath.Join(absDir, "courtesy.yaml")
	demo.getenv = func(k string) string {
		if v, ok := env[k]; ok && inv.getenv(k) == "" {
			return v
		}
		return inv.getenv(k)
	}
	a, err := demo.load()
	if err != nil {
		return err
	}
	defer a.close()
	// Each demo starts from a fresh database, so its limits must not meet
	// the windows an earlier demo left in Redis (they expire by themselves).
	a.keyPrefix = "courtesy-demo:" + key.ID + ":" + strconv.FormatInt(time.Now().UnixNano(), 36)

	fmt.Fprintf(out, "Crumb & Co. Bakery, %s (Europe/London): data in %s, messages in %s\n\n", demoDay, *dir, *outbox)
	for _, kind := range []string{"customers", "consents", "events"} {
		if err := demoImport(a, filepath.Join(absDir, kind+".csv"), kind, out); err != nil {
			return err
		}
	}

	var sim atomic.Int64
	a.now = func() time.Time { return time.Unix(0, sim.Load()) }
	b, err := a.batch(8)
	if err != nil {
		return err
	}
	defer b.stop()
	day, _ := time.ParseInLocation("2006-01-02", demoDay, a.cfg.Location())
	fmt.Fprintln(out, "\nA simulated day, one planning round an hour:")
	for h := 0; h < 24; h++ {
		at := time.Date(day.Year(), day.Month(), day.Day(), h, 0, 0, 0, day.Location())
		sim.Store(at.UnixNano())
		ctx, cancel := context.WithTimeout(a.ctx(), time.Minute)
		err := b.round(ctx)
		cancel()
		if err != nil {
			return err
		}
	}
	if err := demoTable(a, out); err != nil {
		return err
	}
	files, _ := filepath.Glob(filepath.Join(*outbox, "*.eml"))
	fmt.Fprintf(out, "\n%d messages written to %s/ — open them in any mail program.\n", len(files), *outbox)
	if *noServe {
		return nil
	}
	sim.Store(time.Now().UnixNano())
	a.now = courtesy.SystemClock
	// The messages link to the shop's https address; on this machine the
	// same pages answer on the local one.
	shopURL := a.cfg.Business.BaseURL
	a.cfg.Business.BaseURL = "http://" + *listen
	srv, err := a.webServer()
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "\nThe links in those messages point to %s; the same pages are served here on http://%s\n", shopURL, *listen)
	fmt.Fprintf(out, "(replace %s with http://%s in a link to follow it).\n", shopURL, *listen)
	if err := demoLinks(a, out, "http://"+*listen); err != nil {
		return err
	}
	fmt.Fprintln(out, "Press Ctrl-C to stop.")
	return serveHTTP(a.ctx(), srv, a.logger)
}

// prepareDemo lays the bakery example out in dir, afresh, and empties the
// outbox of earlier demo messages.
func prepareDemo(dir, outbox string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	if err := os.RemoveAll(abs); err != nil {
		return "", err
	}
	err = fs.WalkDir(bakery.Files, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		target := filepath.Join(abs, filepath.FromSlash(p))
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := bakery.Files.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
	if err != nil {
		return "", fmt.Errorf("write the example: %w", err)
	}
	old, _ := filepath.Glob(filepath.Join(outbox, "*.eml"))
	for _, f := range old {
		_ = os.Remove(f)
	}
	return abs, nil
}

func demoImport(a *app, path, kind string, out io.Writer) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	db, err := a.store()
	if err != nil {
		return err
	}
	im := importer{a: a, db: db, name: filepath.Base(path), progress: &progress{}}
	diags, err := im.run(kind, f)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "imported %d %s", im.imported, kind)
	if len(diags) > 0 {
		fmt.Fprintf(out, " (%d rows skipped)", len(diags))
	}
	fmt.Fprintln(out)
	for _, d := range diags {
		fmt.Fprintf(out, "  %s\n", d)
	}
	return nil
}

// demoTable prints every decision of the day, and the totals.
func demoTable(a *app, out io.Writer) error {
	db, err := a.store()
	if err != nil {
		return err
	}
	msgs, err := db.Messages(a.ctx(), courtesy.Filter{})
	if err != nil {
		return err
	}
	sort.Slice(msgs, func(i, j int) bool {
		if msgs[i].CampaignID != msgs[j].CampaignID {
			return msgs[i].CampaignID < msgs[j].CampaignID
		}
		return msgs[i].CustomerID < msgs[j].CustomerID
	})
	fmt.Fprintln(out)
	t := table{header: []string{"campaign", "customer", "decision", "at (local)", "why"}}
	totals := map[string]int{}
	for _, m := range msgs {
		cust, _ := db.Customer(a.ctx(), m.CustomerID)
		when := ""
		if !m.DecidedAt.IsZero() {
			when = m.DecidedAt.In(cust.Location(a.cfg.Location())).Format("15:04 MST")
		}
		t.add(m.CampaignID, m.CustomerID+" "+cust.FirstName, m.Decision.String(), when, detailSummary(m.Detail))
		totals[m.Decision.String()]++
	}
	if err := t.write(out, "table"); err != nil {
		return err
	}
	keys := make([]string, 0, len(totals))
	for k := range totals {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s %d", k, totals[k]))
	}
	fmt.Fprintf(out, "\nDecisions: %s\n", strings.Join(parts, ", "))
	return nil
}

// demoLinks prints, for the first message sent, the links its customer
// would follow, on the local address.
func demoLinks(a *app, out io.Writer, base string) error {
	db, err := a.store()
	if err != nil {
		return err
	}
	sent, err := db.Messages(a.ctx(), courtesy.Filter{Outcomes: []courtesy.Outcome{courtesy.Sent}, Limit: 1})
	if err != nil || len(sent) == 0 {
		return err
	}
	signer, err := a.signer()
	if err != nil {
		return err
	}
	m := sent[0]
	l := signer.Links(base, m.CustomerID, m.Purpose, m.Key, time.Now())
	fmt.Fprintf(out, "\nFor example, the message %q to customer %s:\n  why did I get this?  %s\n  preferences          %s\n  unsubscribe          %s\n",
		m.Subject, m.CustomerID, l.Why, l.Preferences, l.Unsubscribe)
	return nil
}

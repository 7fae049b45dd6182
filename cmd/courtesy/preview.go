package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"os"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/campaigns"
	"github.com/courtesyhq/courtesy/config"
	"github.com/courtesyhq/courtesy/locale"
	"github.com/courtesyhq/courtesy/mailer"
	"github.com/courtesyhq/courtesy/scheduler"
	"github.com/courtesyhq/courtesy/store"
	"github.com/courtesyhq/courtesy/worker"
)

func init() {
	commands["preview"] = command{"preview CAMPAIGN --customer ID [--at TIME] [--locale LANG] [--html FILE] [--send-to ADDRESS]", "the message a customer would get, and why it would or would not go; --send-to sends one test copy", cmdPreview}
	commands["simulate"] = command{"simulate [--from DATE] [--days N]", "a dry run over future days: what would be sent and what held back", cmdSimulate}
}

func cmdPreview(inv *invocation, args []string) error {
	fs := inv.flags("preview")
	customerID := fs.String("customer", "", "the customer `ID`")
	at := fs.String("at", "", "as of this `time` (RFC 3339); default now")
	lang := fs.String("locale", "", "show the message as a customer with this BCP 47 `locale` would get it; default the customer's own")
	htmlFile := fs.String("html", "", "write the HTML part to `FILE`, to open in a browser")
	sendTo := fs.String("send-to", "", "send one test copy to `ADDRESS` through the configured SMTP")
	pos, err := parsePositional(fs, args, 1, 1)
	if err != nil {
		return err
	}
	if *customerID == "" {
		return usagef("usage: courtesy %s", commands["preview"].usage)
	}
	if *lang != "" {
		if _, err := locale.Parse(*lang); err != nil {
			return usagef("--locale: %v", err)
		}
	}
	if *sendTo != "" {
		if _, err := mail.ParseAddress(*sendTo); err != nil || strings.ContainsAny(*sendTo, "\r\n") {
			return usagef("--send-to %q is not an email address", *sendTo)
		}
	}
	now, err := parseAt(*at)
	if err != nil {
		return err
	}
	a, err := inv.load()
	if err != nil {
		return err
	}
	defer a.close()
	a.now = func() time.Time { return now }
	c, ok := a.campaignsByID()[pos[0]]
	if !ok {
		return usagef("no campaign %q in %s", pos[0], a.cfg.Path(a.cfg.CampaignsDir))
	}
	db, err := a.store()
	if err != nil {
		return err
	}
	ctx := a.ctx()
	cust, err := db.Customer(ctx, *customerID)
	if errors.Is(err, courtesy.ErrNotFound) {
		return fmt.Errorf("no customer %q", *customerID)
	}
	if err != nil {
		return err
	}
	dry, err := a.dryRun()
	if err != nil {
		return err
	}
	m, due, rule, err := a.occurrence(ctx, db, c, cust, now)
	if err != nil {
		return err
	}
	out := inv.stdio.out
	fmt.Fprintf(out, "Campaign:  %s (%s, version %s)\nCustomer:  %s %s <%s>, %s\nAs of:     %s\n\n",
		c.Name, c.ID, c.Version, cust.FirstName, cust.LastName, cust.Email, cust.Location(a.cfg.Location()), now.Format(time.RFC3339))
	if !due {
		fmt.Fprintf(out, "Not due at this time: %s\n", rule)
	} else {
		ev, err := dry.Evaluate(ctx, m)
		if err != nil {
			return err
		}
		printChain(out, ev, cust)
	}
	msg, err := dry.ComposeIn(ctx, m, *lang)
	if err != nil {
		fmt.Fprintf(out, "\nThe message cannot be shown: %v\n", err)
		return nil
	}
	fmt.Fprintf(out, "\nFrom:     %s\nTo:       %s\nLanguage: %s\nSubject:  %s\n\n%s", msg.From, msg.To, msg.Language, msg.Subject, msg.Text)
	if msg.HTML != "" {
		fmt.Fprintf(out, "\n--- HTML part ---\n%s\n", msg.HTML)
	}
	if *htmlFile != "" {
		if msg.HTML == "" {
			return fmt.Errorf("--html %s: the message has no HTML part", *htmlFile)
		}
		if err := os.WriteFile(*htmlFile, []byte(msg.HTML), 0o600); err != nil {
			return fmt.Errorf("--html: %w", err)
		}
		fmt.Fprintf(out, "\nThe HTML part is in %s.\n", *htmlFile)
	}
	if *sendTo != "" {
		return a.sendTest(ctx, out, db, c, m, msg, *sendTo, now)
	}
	return nil
}

// sendTest sends one copy of msg to a marketer's address, marked as a test
// in its subject and headers, and records it apart from the messages: no
// report, limit, log or guardrail counts it, and it carries no way back to
// the customer whose data filled it (no VERP address, no commit).
func (a *app) sendTest(ctx context.Context, out io.Writer, db *store.DB, c *campaigns.Campaign, m courtesy.Message, msg *mailer.Message, to string, now time.Time) error {
	sender, err := a.sender()
	if err != nil {
		return err
	}
	tag, _ := locale.Parse(msg.Language)
	msg.To, msg.ToName = to, ""
	msg.Subject = locale.For(tag).T("test.subject", msg.Subject)
	msg.ReturnPath, msg.Commit = "", nil
	msg.Headers["X-Courtesy-Test"] = "yes"
	inert := inertLinks(a.cfg.Business.BaseURL)
	msg.Text, msg.HTML, msg.UnsubscribeURL = inert(msg.Text), inert(msg.HTML), inert(msg.UnsubscribeURL)
	if err := sender.Send(ctx, msg); err != nil {
		return fmt.Errorf("send the test copy to %s: %w", to, err)
	}
	if err := db.RecordTestSend(ctx, store.TestSend{CampaignID: c.ID, CampaignVersion: c.Version, Variant: m.Variant,
		Lang: msg.Language, MessageID: msg.MessageID, To: to, At: now}); err != nil {
		return err
	}
	fmt.Fprintf(out, "\nA test copy went to %s: %q.\n", to, msg.Subject)
	return nil
}

// inertLinks returns a function that replaces the token of every link to
// the customer pages with one that opens nothing: a test copy goes to a
// marketer, and its unsubscribe button, one-click header or preference link
// must not act for, or show the data of, the customer whose message it is.
func inertLinks(baseURL string) func(string) string {
	re := regexp.MustCompile(regexp.QuoteMeta(strings.TrimRight(baseURL, "/")) + `/(u|p|why|s)/[A-Za-z0-9_-]+`)
	return func(s string) string {
		return re.ReplaceAllStringFunc(s, func(link string) string {
			return link[:strings.LastIndexByte(link, '/')+1] + "test-copy"
		})
	}
}

// occurrence returns the message the campaign would plan for the customer
// at now — the planner's own, when it is due — and says whether it is due
// then and, in words, why or why not.
func (a *app) occurrence(ctx context.Context, db *store.DB, c *campaigns.Campaign, cust courtesy.Customer, now time.Time) (courtesy.Message, bool, string, error) {
	loc := cust.Location(a.cfg.Location())
	var (
		occ campaigns.Occurrence
		d   courtesy.Detail // of a message that is not due
	)
	switch c.Kind {
	case campaigns.Birthday:
		var ok bool
		if occ, ok = c.BirthdayOccurrence(cust, now, loc); ok {
			return planned(scheduler.BirthdayMessage(c, cust.ID, occ, loc, now))
		}
		d.Rule = fmt.Sprintf("the customer's birthday (%s) is not open at this time in %s", orNone(cust.Birthday.String()), loc)
	default:
		events, err := db.CustomerEvents(ctx, cust.ID)
		if err != nil {
			return courtesy.Message{}, false, "", err
		}
		// The newest event that starts this campaign.
		sort.Slice(events, func(i, j int) bool { return events[i].OccurredAt.After(events[j].OccurredAt) })
		d.Rule = "the customer has no event that starts this campaign"
		for _, ev := range events {
			o, open := c.EventOccurrence(ev, now, loc)
			if o.ID == "" {
				continue
			}
			if open {
				return planned(scheduler.EventMessage(c, ev, o, loc, now))
			}
			occ = o
			d = courtesy.Detail{EventID: ev.ID, ItemID: ev.ItemID, Timezone: loc.String(),
				Rule: fmt.Sprintf("%s on %s, due %s until %s", ev.Type, ev.OccurredAt.In(loc).Format("2 January 2006"),
					o.Due.In(loc).Format(time.RFC3339), o.NotAfter.In(loc).Format(time.RFC3339))}
			break
		}
	}
	if occ.ID == "" {
		occ.ID = "preview"
	}
	b, _ := json.Marshal(d)
	m := courtesy.Message{Key: courtesy.MessageKey(c.ID, cust.ID, occ.ID), CampaignID: c.ID, CustomerID: cust.ID,
		Purpose: c.Purpose, CampaignVersion: c.Version, CreatedAt: now, Occurrence: occ.ID,
		DueAt: occ.Due, NotAfter: occ.NotAfter, Detail: string(b)}
	if m.DueAt.IsZero() {
		m.DueAt, m.NotAfter = now, now.Add(time.Hour)
	}
	return m, false, d.Rule, nil
}

// planned is a due message as occurrence returns it.
func planned(m courtesy.Message) (courtesy.Message, bool, string, error) {
	var d courtesy.Detail
	_ = json.Unmarshal([]byte(m.Detail), &d) // the planner wrote it
	return m, true, d.Rule, nil
}

func orNone(s string) string {
	if s == "" {
		return "none on file"
	}
	return s
}

// printChain says, step by step, what the pipeline would decide and why.
func printChain(w io.Writer, ev worker.Evaluation, cust courtesy.Customer) {
	var d courtesy.Detail
	_ = json.Unmarshal([]byte(ev.Message.Detail), &d)
	fmt.Fprintf(w, "Decision:  %s\n", ev.Message.Decision)
	fmt.Fprintf(w, "  rule:     %s\n", d.Rule)
	if d.ConsentID != 0 {
		fmt.Fprintf(w, "  consent:  granted (ledger record %d)\n", d.ConsentID)
	} else if ev.Message.Decision.Reason == courtesy.ReasonNoConsent {
		fmt.Fprintf(w, "  consent:  none in force for %q\n", ev.Message.Purpose)
	}
	if len(d.Limits) > 0 {
		verb := "passed"
		if ev.Message.Decision.Reason == courtesy.ReasonLimit {
			verb = "refused by"
		}
		words := make([]string, len(d.Limits))
		for i, h := range d.Limits {
			// The chain is the owner's, in English like the rest of it.
			words[i] = h.Text
			if h.Count > 0 {
				words[i] = locale.Words{}.Limit(h.Scope, h.Count, h.Window)
			}
		}
		fmt.Fprintf(w, "  limits:   %s %s\n", verb, strings.Join(words, ", "))
	}
	if ev.Message.Decision.Outcome == courtesy.Deferred {
		fmt.Fprintf(w, "  timing:   deferred until %s (%s)\n", ev.Message.DueAt.In(cust.Location(time.UTC)).Format(time.RFC3339), ev.Message.Decision.Reason)
	}
	if d.Finding != "" {
		fmt.Fprintf(w, "  tone:     %s\n", d.Finding)
	} else if ev.Mail != nil {
		fmt.Fprintf(w, "  tone:     no findings\n")
	}
	if ev.Message.Variant != "" {
		fmt.Fprintf(w, "  variant:  %s\n", ev.Message.Variant)
	}
}

func parseAt(s string) (time.Time, error) {
	if s == "" {
		return time.Now(), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return t, usagef("--at %q is not an RFC 3339 time (such as 2026-12-01T10:00:00Z)", s)
	}
	return t, nil
}

func cmdSimulate(inv *invocation, args []string) error {
	fs := inv.flags("simulate")
	from := fs.String("from", "", "the first `DATE` (YYYY-MM-DD); default today")
	days := fs.Int("days", 7, "how many days")
	step := fs.String("step", "1h", "how often a planning round runs in the simulation")
	format := fs.String("format", "table", "table, csv or json")
	if _, err := parsePositional(fs, args, 0, 0); err != nil {
		return err
	}
	if *days < 1 || *days > 366 {
		return usagef("--days %d: want 1 to 366", *days)
	}
	every, err := config.ParseDuration(*step)
	if err != nil || every < time.Minute {
		return usagef("--step %q: want a duration of a minute or more", *step)
	}
	a, err := inv.load()
	if err != nil {
		return err
	}
	defer a.close()
	start := time.Now().In(a.cfg.Location())
	start = time.Date(start.Year(), start.Month(), start.Day(), 0, 0, 0, 0, start.Location())
	if *from != "" {
		if start, err = time.ParseInLocation("2006-01-02", *from, a.cfg.Location()); err != nil {
			return usagef("--from %q is not a date (YYYY-MM-DD)", *from)
		}
	}
	var now time.Time
	a.now = func() time.Time { return now }
	dry, err := a.dryRun()
	if err != nil {
		return err
	}
	p, err := a.planner(nil)
	if err != nil {
		return err
	}
	ctx := a.ctx()
	final := map[string]courtesy.Message{}   // decided
	pending := map[string]courtesy.Message{} // deferred, waiting for their time
	end := start.AddDate(0, 0, *days)
	for now = start; now.Before(end); now = now.Add(every) {
		due, err := p.Due(ctx, now)
		if err != nil {
			return err
		}
		for _, m := range due {
			if _, done := final[m.Key]; done {
				continue
			}
			if _, waiting := pending[m.Key]; waiting {
				continue
			}
			// What was already decided for real stays decided.
			if cur, err := a.db.Message(ctx, m.Key); err == nil && cur.Decision.Outcome.Final() {
				final[m.Key] = courtesy.Message{}
				continue
			}
			pending[m.Key] = m
		}
		for key, m := range pending {
			if m.DueAt.After(now) && m.Decision.Outcome == courtesy.Deferred {
				continue
			}
			ev, err := dry.Evaluate(ctx, m)
			if err != nil {
				return err
			}
			if ev.Message.Decision.Outcome.Final() {
				final[key] = ev.Message
				delete(pending, key)
			} else {
				pending[key] = ev.Message
			}
		}
	}
	var counts tally
	for _, m := range final {
		if m.Key != "" {
			counts.count(m.CampaignID, m.Decision.String())
		}
	}
	for _, m := range pending {
		counts.count(m.CampaignID, "deferred past the end")
	}
	t := counts.table()
	if *format == "table" {
		fmt.Fprintf(inv.stdio.out, "Simulated %d days from %s, a planning round every %s. Nothing was sent or recorded.\n\n", *days, start.Format("2006-01-02"), config.FormatDuration(every))
		if len(t.rows) == 0 {
			fmt.Fprintln(inv.stdio.out, "Nothing would be due.")
			return nil
		}
	}
	return t.write(inv.stdio.out, *format)
}

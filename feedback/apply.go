package feedback

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/consent"
)

// Store is what a Processor reads and writes.
type Store interface {
	Message(ctx context.Context, key string) (courtesy.Message, error)
	MessageByMessageID(ctx context.Context, messageID string) (courtesy.Message, error)
	Customer(ctx context.Context, id string) (courtesy.Customer, error)
	CustomerByEmail(ctx context.Context, email string) (courtesy.Customer, error)
	Suppressed(ctx context.Context, email string) (bool, courtesy.Suppression, error)
	AddSuppression(ctx context.Context, s courtesy.Suppression) error
	AddBounce(ctx context.Context, b courtesy.Bounce) error
	SoftBounceRun(ctx context.Context, emailHash string, since time.Time) (int, time.Time, error)
	Withdraw(ctx context.Context, r courtesy.ConsentRecord, o courtesy.OptOut) (bool, error)
	// Fingerprint is the keyed form an address is kept in beside a
	// suppression or a bounce.
	Fingerprint(email string) string
}

// How a report was matched to what courtesy sent.
const (
	MatchVERP      = "verp"       // the envelope sender it came back to
	MatchMessageID = "message-id" // the original's Message-ID header
	MatchAddress   = "address"    // the recipient is a known customer
)

// Processor applies reports to the store: a hard bounce suppresses the
// address at once, soft bounces do once ShouldSuppress says so, and a
// complaint withdraws every purpose and suppresses the address, whatever the
// customer's consents said, since a person who calls a message spam has
// said no to all of it.
type Processor struct {
	Store Store
	// ReturnPath is the configured envelope sender ("bounce@crumb.example");
	// a report sent back to one of its VERP addresses names its message.
	// Defaults to none: reports are matched by Message-ID or address.
	ReturnPath string
	// SoftLimit and SoftWindow are passed to ShouldSuppress. Default to
	// DefaultSoftLimit and DefaultSoftWindow.
	SoftLimit  int
	SoftWindow time.Duration
	// Now is when a report is taken to have happened: the time it reached
	// courtesy, not the time it claims, so a report replayed from an archive
	// cannot date itself into a soft-bounce run. Defaults to the wall clock.
	Now courtesy.Clock
	// Keys verify the signature of a VERP address (see VERP), newest first.
	// Defaults to none: no VERP address is trusted.
	Keys []consent.Key
	// Logger hears of reports that came back to a VERP address courtesy
	// did not sign. Defaults to slog.Default().
	Logger *slog.Logger
}

// Outcome is what applying one report did.
type Outcome struct {
	Report Report
	// MatchedBy is MatchVERP, MatchMessageID, MatchAddress or "" when the
	// report matched nothing courtesy knows (the address is still
	// suppressed for a hard bounce or a complaint).
	MatchedBy  string
	MessageKey string
	CustomerID string
	CampaignID string
	Variant    string
	// Address is the address acted on: the customer's when the report was
	// matched to one, the reported recipient otherwise.
	Address string
	// Suppressed says the address is suppressed now; WasSuppressed that it
	// already was before this report.
	Suppressed, WasSuppressed bool
	// Withdrawn says a complaint withdrew every purpose (false when they
	// were already withdrawn, or no customer was found).
	Withdrawn bool
	// SoftCount is the number of soft bounces in the current run, and
	// SoftLimit the number that, spanning the window, suppresses.
	SoftCount, SoftLimit int
	// ForgedReturnPath says the report came back to a VERP address that
	// courtesy did not sign; it named no message.
	ForgedReturnPath bool
}

// String is the line the feedback command prints:
// "hard-bounce olivia@example.com 5.1.1 → suppressed (birthday-treat)".
func (o Outcome) String() string {
	var b strings.Builder
	b.WriteString(string(o.Report.Kind))
	b.WriteString(" ")
	b.WriteString(o.Address)
	if o.Report.Status != "" {
		b.WriteString(" " + o.Report.Status)
	} else if o.Report.FeedbackType != "" {
		b.WriteString(" " + o.Report.FeedbackType)
	}
	b.WriteString(" → ")
	var acts []string
	if o.Withdrawn {
		acts = append(acts, "every purpose withdrawn")
	}
	switch {
	case o.Suppressed && o.WasSuppressed:
		acts = append(acts, "already suppressed")
	case o.Suppressed:
		acts = append(acts, "suppressed")
	case o.Report.Kind == SoftBounce:
		acts = append(acts, fmt.Sprintf("recorded, soft bounce %d of %d", o.SoftCount, o.SoftLimit))
	default:
		acts = append(acts, "recorded")
	}
	b.WriteString(strings.Join(acts, ", "))
	switch {
	case o.CampaignID != "":
		b.WriteString(" (" + o.CampaignID + ")")
	case o.MatchedBy == "":
		b.WriteString(" (no matching message or customer)")
	}
	if o.ForgedReturnPath {
		b.WriteString(" [its return path was not signed by courtesy: ignored]")
	}
	return b.String()
}

// Apply applies the reports in order and says what each did. It stops at
// the first store error; the reports before it are applied, and applying
// them again changes nothing more than another bounce row.
func (p *Processor) Apply(ctx context.Context, reports []Report) ([]Outcome, error) {
	if p.Store == nil {
		return nil, errors.New("feedback: no store")
	}
	out := make([]Outcome, 0, len(reports))
	for _, r := range reports {
		o, err := p.apply(ctx, r)
		if err != nil {
			return out, fmt.Errorf("%s for %s: %w", r.Kind, r.Recipient, err)
		}
		out = append(out, o)
	}
	return out, nil
}

func (p *Processor) logger() *slog.Logger {
	if p.Logger == nil {
		return slog.Default()
	}
	return p.Logger
}

func (p *Processor) now() time.Time {
	if p.Now == nil {
		return time.Now()
	}
	return p.Now()
}

func (p *Processor) apply(ctx context.Context, r Report) (Outcome, error) {
	switch r.Kind {
	case HardBounce, SoftBounce, Complaint:
	default:
		return Outcome{}, fmt.Errorf("report kind %q is not a bounce or complaint", r.Kind)
	}
	now := p.now()
	o, cust, err := p.match(ctx, r)
	if err != nil {
		return o, err
	}
	if o.Address == "" {
		return o, errors.New("report names no recipient and matches no message")
	}
	hash := p.Store.Fingerprint(o.Address)
	was, _, err := p.Store.Suppressed(ctx, o.Address)
	if err != nil {
		return o, err
	}
	o.WasSuppressed, o.Suppressed = was, was

	kind := map[Kind]string{HardBounce: "hard", SoftBounce: "soft", Complaint: "complaint"}[r.Kind]
	if err := p.Store.AddBounce(ctx, courtesy.Bounce{
		EmailHash: hash, MessageKey: o.MessageKey, Status: r.Status, Kind: kind, At: now,
	}); err != nil {
		return o, err
	}

	if r.Kind == Complaint && cust != nil {
		changed, err := p.Store.Withdraw(ctx, courtesy.ConsentRecord{
			CustomerID: cust.ID, Purpose: courtesy.AllPurposes, Source: "complaint",
			Notice: "spam complaint (" + r.Source + ")", MessageKey: o.MessageKey, RecordedAt: now,
		}, courtesy.OptOut{CampaignID: o.CampaignID, Variant: o.Variant, At: now})
		if err != nil && !errors.Is(err, courtesy.ErrNotFound) {
			return o, err
		}
		o.Withdrawn = changed
	}

	firstSoft := time.Time{}
	if r.Kind == SoftBounce {
		// A run of soft bounces older than two windows is forgotten: the
		// mailbox took mail in between, or nobody wrote to it.
		o.SoftCount, firstSoft, err = p.Store.SoftBounceRun(ctx, hash, now.Add(-2*p.softWindow()))
		if err != nil {
			return o, err
		}
		o.SoftLimit = p.SoftLimit
		if o.SoftLimit <= 0 {
			o.SoftLimit = DefaultSoftLimit
		}
	}
	if !ShouldSuppress(r.Kind, o.SoftCount, firstSoft, now, p.SoftLimit, p.softWindow()) {
		return o, nil
	}
	// Added even when another suppression is in force: each reason is
	// lifted on its own, and lifting a complaint must not revive an address
	// that bounced.
	reason := map[Kind]string{HardBounce: "hard-bounce", SoftBounce: "soft-bounce", Complaint: "complaint"}[r.Kind]
	if err := p.Store.AddSuppression(ctx, courtesy.Suppression{
		EmailHash: hash, Reason: reason, Source: r.Source, Detail: detail(r, o), At: now,
	}); err != nil {
		return o, err
	}
	o.Suppressed = true
	return o, nil
}

func (p *Processor) softWindow() time.Duration {
	if p.SoftWindow <= 0 {
		return DefaultSoftWindow
	}
	return p.SoftWindow
}

// match finds the message and customer a report is about: by the VERP
// address it came back to, then by the original's Message-ID, then by the
// recipient's address. The customer is nil when none is known (never
// imported, or erased).
func (p *Processor) match(ctx context.Context, r Report) (Outcome, *courtesy.Customer, error) {
	o := Outcome{Report: r, Address: r.Recipient, CampaignID: r.Campaign}
	var msg courtesy.Message
	found := false
	key, err := VERP{ReturnPath: p.ReturnPath, Keys: p.Keys}.MessageKey(r.ReturnPath)
	switch {
	case err == nil:
		m, err := p.Store.Message(ctx, key)
		switch {
		case err == nil:
			msg, found, o.MatchedBy = m, true, MatchVERP
		case !errors.Is(err, courtesy.ErrNotFound):
			return o, nil, err
		}
	case errors.Is(err, ErrForgedVERP):
		// Anyone can write a message key into an address; only courtesy
		// can sign one. The report may still be matched by what else it
		// says.
		o.ForgedReturnPath = true
		p.logger().Warn("feedback: a report came back to a VERP address courtesy did not sign; the address is ignored",
			"return_path", r.ReturnPath, "kind", string(r.Kind), "source", r.Source)
	}
	if !found && strings.Contains(r.MessageID, "@") {
		m, err := p.Store.MessageByMessageID(ctx, r.MessageID)
		switch {
		case err == nil:
			msg, found, o.MatchedBy = m, true, MatchMessageID
		case !errors.Is(err, courtesy.ErrNotFound):
			return o, nil, err
		}
	}
	if found {
		o.MessageKey, o.CampaignID, o.Variant = msg.Key, msg.CampaignID, msg.Variant
		c, err := p.Store.Customer(ctx, msg.CustomerID)
		switch {
		case err == nil:
			// The address courtesy writes to, which is what must stop; a
			// forwarded mailbox may report another one.
			o.CustomerID, o.Address = c.ID, c.Email
			return o, &c, nil
		case !errors.Is(err, courtesy.ErrNotFound):
			return o, nil, err
		}
	}
	if r.Recipient == "" {
		return o, nil, nil
	}
	c, err := p.Store.CustomerByEmail(ctx, r.Recipient)
	switch {
	case err == nil:
		if o.MatchedBy == "" {
			o.MatchedBy = MatchAddress
		}
		o.CustomerID = c.ID
		return o, &c, nil
	case errors.Is(err, courtesy.ErrNotFound):
		return o, nil, nil
	}
	return o, nil, err
}

// detail is what the owner's suppression log says about the report.
func detail(r Report, o Outcome) string {
	parts := []string{r.Source}
	if r.Status != "" {
		parts = append(parts, r.Status)
	}
	if r.FeedbackType != "" {
		parts = append(parts, r.FeedbackType)
	}
	if o.MessageKey != "" {
		parts = append(parts, "message "+o.MessageKey)
	}
	if r.Diagnostic != "" {
		d := strings.Join(strings.Fields(r.Diagnostic), " ")
		if len(d) > 200 {
			d = d[:200] + "…"
		}
		parts = append(parts, d)
	}
	return strings.Join(parts, " ")
}

// Package privacy answers a person's rights over their data: Export gathers
// everything courtesy holds about a customer into one JSON document, and
// Erase removes it, leaving only a keyed fingerprint of the address that
// blocks re-import.
package privacy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/courtesyhq/courtesy"
)

// Source is the part of the store Export reads.
type Source interface {
	Customer(ctx context.Context, id string) (courtesy.Customer, error)
	ConsentHistory(ctx context.Context, customerID string) ([]courtesy.ConsentRecord, error)
	Preferences(ctx context.Context, customerID string) (courtesy.Preferences, error)
	Messages(ctx context.Context, f courtesy.Filter) ([]courtesy.Message, error)
	OptOuts(ctx context.Context, f courtesy.Filter) ([]courtesy.OptOut, error)
	Answers(ctx context.Context, f courtesy.Filter) ([]courtesy.Answer, error)
	Engagements(ctx context.Context, f courtesy.Filter) ([]courtesy.Engagement, error)
	CustomerEvents(ctx context.Context, customerID string) ([]courtesy.Event, error)
	PlatformIDs(ctx context.Context, customerID string) ([]courtesy.PlatformID, error)
}

// Eraser is the part of the store Erase uses.
type Eraser interface {
	Customer(ctx context.Context, id string) (courtesy.Customer, error)
	EraseCustomer(ctx context.Context, id string, email string, at time.Time) (courtesy.Erased, error)
}

// Forgetter is a system beside the store that keeps something under a
// customer's name — their frequency windows, their messages' queued tasks —
// and drops it when the customer is erased. messageKeys are the keys the
// customer's messages had.
type Forgetter interface {
	ForgetCustomer(ctx context.Context, customerID string, messageKeys []string) error
}

// Record is everything held about one person, in a form meant to be read by
// them (and by any tool they hand it to). Field names are stable.
type Record struct {
	Profile     Profile      `json:"profile"`
	Consents    []Consent    `json:"consent_history"`
	Preferences Preferences  `json:"preferences"`
	Messages    []Message    `json:"messages"`
	OptOuts     []OptOut     `json:"opt_outs"`
	Answers     []Answer     `json:"survey_answers"`
	Events      []Event      `json:"events"`
	Engagement  []Engagement `json:"engagement"`
	// PlatformIDs are the ids shop platforms know the person by, which
	// their webhooks are matched with.
	PlatformIDs []PlatformID `json:"platform_ids,omitempty"`
}

// PlatformID is the person's id on a shop platform.
type PlatformID struct {
	Platform string `json:"platform"`
	ID       string `json:"id"`
}

// Profile is the customer row.
type Profile struct {
	ID        string    `json:"id"`
	Email     string    `json:"email"`
	FirstName string    `json:"first_name,omitempty"`
	LastName  string    `json:"last_name,omitempty"`
	Birthday  string    `json:"birthday,omitempty"` // MM-DD: the year is never kept
	Timezone  string    `json:"timezone,omitempty"`
	Locale    string    `json:"locale,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Consent is one ledger record.
type Consent struct {
	Purpose    string     `json:"purpose"` // "*" means every purpose
	Status     string     `json:"status"`
	Basis      string     `json:"basis,omitempty"`
	Source     string     `json:"source,omitempty"`
	Notice     string     `json:"notice,omitempty"`
	MessageKey string     `json:"message_key,omitempty"`
	ExpiresAt  *time.Time `json:"expires_at,omitempty"`
	RecordedAt time.Time  `json:"recorded_at"`
}

// Preferences are the person's own limits.
type Preferences struct {
	PausedUntil  *time.Time `json:"paused_until,omitempty"`
	MaxPerWindow string     `json:"max_per_window,omitempty"`
	UpdatedAt    *time.Time `json:"updated_at,omitempty"`
}

// Message is one planned message and what was decided about it.
type Message struct {
	Key        string          `json:"key"`
	CampaignID string          `json:"campaign_id"`
	Purpose    string          `json:"purpose,omitempty"`
	Variant    string          `json:"variant,omitempty"`
	Decision   string          `json:"decision"`
	Subject    string          `json:"subject,omitempty"`
	Detail     json.RawMessage `json:"detail,omitempty"`
	DueAt      *time.Time      `json:"due_at,omitempty"`
	DecidedAt  *time.Time      `json:"decided_at,omitempty"`
}

// OptOut is one unsubscribe.
type OptOut struct {
	Purpose    string    `json:"purpose"`
	Source     string    `json:"source,omitempty"`
	MessageKey string    `json:"message_key,omitempty"`
	CampaignID string    `json:"campaign_id,omitempty"`
	Reason     string    `json:"reason,omitempty"`
	Comment    string    `json:"comment,omitempty"`
	At         time.Time `json:"at"`
}

// Answer is one survey answer.
type Answer struct {
	MessageKey string    `json:"message_key"`
	CampaignID string    `json:"campaign_id,omitempty"`
	Score      int       `json:"score"`
	Comment    string    `json:"comment,omitempty"`
	At         time.Time `json:"at"`
}

// Event is a purchase or a saved item.
type Event struct {
	Type        string    `json:"type"`
	ItemID      string    `json:"item_id,omitempty"`
	ItemName    string    `json:"item_name,omitempty"`
	ItemURL     string    `json:"item_url,omitempty"`
	OrderID     string    `json:"order_id,omitempty"`
	AmountCents int64     `json:"amount_cents,omitempty"`
	OccurredAt  time.Time `json:"occurred_at"`
}

// Engagement is a first-party action on a message: a "why" page view, a
// preference change.
type Engagement struct {
	Kind       string    `json:"kind"`
	MessageKey string    `json:"message_key,omitempty"`
	CampaignID string    `json:"campaign_id,omitempty"`
	At         time.Time `json:"at"`
}

// Export gathers everything held about the customer. It returns an error
// wrapping courtesy.ErrNotFound when there is no such customer.
func Export(ctx context.Context, st Source, customerID string) (Record, error) {
	c, err := st.Customer(ctx, customerID)
	if err != nil {
		return Record{}, fmt.Errorf("export %s: %w", customerID, err)
	}
	rec := Record{Profile: Profile{
		ID: c.ID, Email: c.Email, FirstName: c.FirstName, LastName: c.LastName,
		Birthday: c.Birthday.String(), Timezone: c.Timezone, Locale: c.Locale,
		CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt,
	}}
	f := courtesy.Filter{CustomerID: customerID}

	history, err := st.ConsentHistory(ctx, customerID)
	if err != nil {
		return Record{}, fmt.Errorf("export %s: consent history: %w", customerID, err)
	}
	rec.Consents = make([]Consent, 0, len(history))
	for _, r := range history {
		rec.Consents = append(rec.Consents, Consent{
			Purpose: r.Purpose, Status: string(r.Status), Basis: r.Basis, Source: r.Source,
			Notice: r.Notice, MessageKey: r.MessageKey, ExpiresAt: optTime(r.ExpiresAt), RecordedAt: r.RecordedAt,
		})
	}

	p, err := st.Preferences(ctx, customerID)
	if err != nil {
		return Record{}, fmt.Errorf("export %s: preferences: %w", customerID, err)
	}
	rec.Preferences = Preferences{PausedUntil: optTime(p.PausedUntil), MaxPerWindow: p.MaxPerWindow, UpdatedAt: optTime(p.UpdatedAt)}

	msgs, err := st.Messages(ctx, f)
	if err != nil {
		return Record{}, fmt.Errorf("export %s: messages: %w", customerID, err)
	}
	rec.Messages = make([]Message, 0, len(msgs))
	for _, m := range msgs {
		rec.Messages = append(rec.Messages, Message{
			Key: m.Key, CampaignID: m.CampaignID, Purpose: m.Purpose, Variant: m.Variant,
			Decision: m.Decision.String(), Subject: m.Subject, Detail: detailJSON(m.Detail),
			DueAt: optTime(m.DueAt), DecidedAt: optTime(m.DecidedAt),
		})
	}

	outs, err := st.OptOuts(ctx, f)
	if err != nil {
		return Record{}, fmt.Errorf("export %s: opt-outs: %w", customerID, err)
	}
	rec.OptOuts = make([]OptOut, 0, len(outs))
	for _, o := range outs {
		rec.OptOuts = append(rec.OptOuts, OptOut{Purpose: o.Purpose, Source: o.Source, MessageKey: o.MessageKey, CampaignID: o.CampaignID, Reason: o.Reason, Comment: o.Comment, At: o.At})
	}

	answers, err := st.Answers(ctx, f)
	if err != nil {
		return Record{}, fmt.Errorf("export %s: survey answers: %w", customerID, err)
	}
	rec.Answers = make([]Answer, 0, len(answers))
	for _, a := range answers {
		rec.Answers = append(rec.Answers, Answer{MessageKey: a.MessageKey, CampaignID: a.CampaignID, Score: a.Score, Comment: a.Comment, At: a.At})
	}

	events, err := st.CustomerEvents(ctx, customerID)
	if err != nil {
		return Record{}, fmt.Errorf("export %s: events: %w", customerID, err)
	}
	rec.Events = make([]Event, 0, len(events))
	for _, e := range events {
		rec.Events = append(rec.Events, Event{Type: string(e.Type), ItemID: e.ItemID, ItemName: e.ItemName, ItemURL: e.ItemURL, OrderID: e.OrderID, AmountCents: e.AmountCents, OccurredAt: e.OccurredAt})
	}

	engs, err := st.Engagements(ctx, f)
	if err != nil {
		return Record{}, fmt.Errorf("export %s: engagement: %w", customerID, err)
	}
	rec.Engagement = make([]Engagement, 0, len(engs))
	for _, e := range engs {
		rec.Engagement = append(rec.Engagement, Engagement{Kind: e.Kind, MessageKey: e.MessageKey, CampaignID: e.CampaignID, At: e.At})
	}

	ids, err := st.PlatformIDs(ctx, customerID)
	if err != nil {
		return Record{}, fmt.Errorf("export %s: platform ids: %w", customerID, err)
	}
	for _, p := range ids {
		rec.PlatformIDs = append(rec.PlatformIDs, PlatformID{Platform: p.Platform, ID: p.ID})
	}
	return rec, nil
}

// Erase removes everything held about the customer, leaving only the keyed
// fingerprint of their address so a later import of it is refused, and
// then has each of also forget the customer. Every forgetter is asked even
// when one fails; the store's erasure stands either way.
func Erase(ctx context.Context, st Eraser, customerID string, now time.Time, also ...Forgetter) error {
	c, err := st.Customer(ctx, customerID)
	if err != nil {
		return fmt.Errorf("erase %s: %w", customerID, err)
	}
	erased, err := st.EraseCustomer(ctx, customerID, c.Email, now)
	if err != nil {
		return fmt.Errorf("erase %s: %w", customerID, err)
	}
	var errs []error
	for _, f := range also {
		errs = append(errs, f.ForgetCustomer(ctx, customerID, erased.MessageKeys))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("erase %s: the store is erased, but: %w", customerID, err)
	}
	return nil
}

func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// detailJSON keeps a message's decision detail as JSON when it is JSON, and
// as a JSON string otherwise, so the export stays one valid document.
func detailJSON(s string) json.RawMessage {
	if s == "" {
		return nil
	}
	if json.Valid([]byte(s)) {
		return json.RawMessage(s)
	}
	b, _ := json.Marshal(s)
	return b
}

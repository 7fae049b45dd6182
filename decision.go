package courtesy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Outcome is the kind of decision taken on a planned message.
type Outcome string

const (
	Planned    Outcome = "planned"    // enqueued, not yet looked at by a worker
	Claimed    Outcome = "claimed"    // a worker is handing it to SMTP right now
	Deferred   Outcome = "deferred"   // waiting for quiet hours or a limit to pass
	Sent       Outcome = "sent"       // accepted by the SMTP server
	Suppressed Outcome = "suppressed" // a rule said no: consent, limit, pause, purchase, fatigue
	Held       Outcome = "held"       // rendered but held back, e.g. by a tone rule
	Failed     Outcome = "failed"     // the SMTP exchange failed for good, or its outcome is unknown
	Expired    Outcome = "expired"    // its window passed before it could be sent
	Control    Outcome = "control"    // kept back as the campaign's control group
)

// Final reports whether no further work will change a decision of this kind.
func (o Outcome) Final() bool {
	switch o {
	case Planned, Claimed, Deferred:
		return false
	}
	return true
}

// Reasons for suppressed, held and failed decisions.
const (
	ReasonNoConsent      = "no-consent"
	ReasonLimit          = "limit"
	ReasonQuietHours     = "quiet-hours"
	ReasonPaused         = "paused"
	ReasonPurchased      = "purchased"
	ReasonFatigue        = "fatigue"
	ReasonAddress        = "suppressed-address" // the address bounced or complained
	ReasonUnknownOutcome = "unknown-outcome"    // a worker died between claim and SMTP reply
	ReasonErased         = "erased"
	ReasonCustomerPaused = "customer-paused" // the customer paused messages on the preference page
	ReasonPriority       = "priority"        // a more important message to the same customer goes first
	ReasonDisabled       = "disabled"        // the campaign was removed or disabled after planning
)

// Decision is an outcome with its reason, written "suppressed:no-consent".
type Decision struct {
	Outcome Outcome
	Reason  string
}

func (d Decision) String() string {
	if d.Reason == "" {
		return string(d.Outcome)
	}
	return string(d.Outcome) + ":" + d.Reason
}

// ParseDecision reads the form String writes.
func ParseDecision(s string) Decision {
	o, r, _ := strings.Cut(s, ":")
	return Decision{Outcome: Outcome(o), Reason: r}
}

// MessageKey is the idempotency key of one occurrence of a campaign for one
// customer: birthday the year, reminder the interest event, survey the
// purchase. The store holds exactly one message row per key.
func MessageKey(campaignID, customerID, occurrence string) string {
	return campaignID + ":" + customerID + ":" + occurrence
}

// Message is the record of one planned message and the decision taken on it.
type Message struct {
	Key             string
	CampaignID      string
	CampaignVersion string // hash of the campaign's YAML and templates
	CustomerID      string
	Occurrence      string
	Purpose         string
	Variant         string
	Decision        Decision
	Detail          string // JSON: the decision chain, the data used, the finding that held it
	MessageID       string // RFC 5322 Message-ID once built
	Subject         string
	DueAt           time.Time // when it was planned to go
	NotAfter        time.Time // dropped rather than sent after this
	CreatedAt       time.Time
	ClaimedAt       time.Time
	DecidedAt       time.Time
	Attempts        int
}

// SentRecord is one entry of a customer's send log: a message that was
// sent, or may have been. Frequency limits are rebuilt from it when Redis
// has lost their windows.
type SentRecord struct {
	Key        string // the message key
	CampaignID string
	At         time.Time // when it was handed to SMTP
}

// Fired is what started a message, as data: the "why" page words it in the
// reader's language, where Rule has it in the business's.
type Fired struct {
	Kind string    `json:"kind"` // "birthday", "saved" or "bought"
	On   time.Time `json:"on"`   // the birthday, or when the item was saved or bought
	Zone string    `json:"zone"` // the customer's time zone, in which On is a day
	Item string    `json:"item,omitempty"`
}

// Detail is what a decision relied on, kept as JSON on the message row so the
// "why did I get this" page and the owner's logs can say it in plain words.
type Detail struct {
	Rule      string     `json:"rule,omitempty"`       // the rule that fired, in plain words
	Fired     *Fired     `json:"fired,omitempty"`      // the same, for the page to say in the reader's language
	Data      []string   `json:"data,omitempty"`       // the customer data fields it used
	Limits    []LimitHit `json:"limits,omitempty"`     // the limits it passed, or the one that refused
	ConsentID int64      `json:"consent_id,omitempty"` // the consent record relied on
	Timezone  string     `json:"timezone,omitempty"`
	EventID   int64      `json:"event_id,omitempty"` // the interest or purchase that triggered it
	ItemID    string     `json:"item_id,omitempty"`
	Finding   string     `json:"finding,omitempty"` // the tone finding that held it
	Error     string     `json:"error,omitempty"`   // the SMTP reply that failed it
}

// The scopes of a LimitHit: whose limit it is.
const (
	LimitGlobal     = "global"     // the business's, counting every campaign together
	LimitCampaign   = "campaign"   // the campaign's own
	LimitPreference = "preference" // the customer's own, from the preference page
)

// LimitHit is a frequency limit a message passed, or the one that refused
// it, as data: "at most Count messages in any Window", counted over Scope.
// The "why" page words it in the reader's language. Rows written before
// limits were kept as data hold English words instead, which Text keeps and
// the JSON writes back as it found it.
type LimitHit struct {
	Scope  string
	Count  int
	Window time.Duration
	Text   string // the words of an older row; then the rest is zero
}

type limitHitJSON struct {
	Scope  string `json:"scope"`
	Count  int    `json:"count"`
	Window string `json:"window"` // a Go duration: "168h0m0s"
}

// MarshalJSON writes {"scope","count","window"}, or the old words as a
// string.
func (h LimitHit) MarshalJSON() ([]byte, error) {
	if h.Text != "" && h.Count == 0 {
		return json.Marshal(h.Text)
	}
	return json.Marshal(limitHitJSON{Scope: h.Scope, Count: h.Count, Window: h.Window.String()})
}

// UnmarshalJSON reads what MarshalJSON writes, and the plain strings of
// older rows.
func (h *LimitHit) UnmarshalJSON(data []byte) error {
	if b := bytes.TrimSpace(data); len(b) > 0 && b[0] == '"' {
		*h = LimitHit{}
		return json.Unmarshal(b, &h.Text)
	}
	var v limitHitJSON
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	w, err := time.ParseDuration(v.Window)
	if err != nil {
		return fmt.Errorf("limit window %q: %w", v.Window, err)
	}
	*h = LimitHit{Scope: v.Scope, Count: v.Count, Window: w}
	return nil
}

// ReportMessage is a decided message as the owner's report reads it, with
// the locale and time zone of its customer (empty once the customer is
// erased) for the segment audit.
type ReportMessage struct {
	Key             string
	CampaignID      string
	CampaignVersion string
	CustomerID      string
	Purpose         string
	Variant         string
	Decision        Decision
	DecidedAt       time.Time
	Locale          string
	Timezone        string
}

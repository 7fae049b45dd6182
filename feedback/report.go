package feedback

import (
	"net/mail"
	"strings"
	"time"
)

// Kind is what a report says happened to a message.
type Kind string

const (
	// HardBounce is a permanent failure (RFC 3464 Action: failed with a 5.x.x
	// status, SES Permanent, Postmark HardBounce): the address does not take
	// mail and should not be written to again.
	HardBounce Kind = "hard-bounce"
	// SoftBounce is a temporary failure (a 4.x.x status, Action: delayed, SES
	// Transient): a full mailbox, a greylisting server. One is no reason to
	// stop; see ShouldSuppress.
	SoftBounce Kind = "soft-bounce"
	// Complaint is a recipient marking a message as spam.
	Complaint Kind = "complaint"
	// Delivered names a successful delivery. Parsers skip those rather than
	// report them; the kind exists so callers can name it.
	Delivered Kind = "delivered"
)

// Sources of a report.
const (
	SourceDSN      = "dsn"
	SourceARF      = "arf"
	SourceSES      = "ses"
	SourcePostmark = "postmark"
)

// Report is one recipient's bounce or complaint.
type Report struct {
	Kind Kind
	// Recipient is the address the message was sent to, with its domain in
	// lower case (the local part is kept as written: it may be case-sensitive).
	Recipient string
	// Status is the enhanced status code, "5.1.1"; empty for complaints.
	Status string
	// Diagnostic is the remote server's own words, for the owner's log.
	Diagnostic string
	// MessageID is the original message's Message-ID, "<id@domain>", when the
	// report carries it; a provider's own message id otherwise.
	MessageID string
	// ReturnPath is the (VERP) address the report was sent to, when visible.
	ReturnPath string
	// Campaign is the X-Courtesy-Campaign header of the original, when present.
	Campaign string
	// FeedbackType is the ARF feedback type of a complaint: abuse, fraud, …
	FeedbackType string
	// Source is where the report came from: dsn, arf, ses or postmark.
	Source string
	// At is when the report says it happened; zero when it does not say.
	At time.Time
}

// campaignHeader is the header courtesy's mailer stamps on every message so
// that a bounce or complaint can be counted against its campaign.
const campaignHeader = "X-Courtesy-Campaign"

// normaliseAddress strips angle brackets and display names and lower-cases
// the domain. It returns "" when s holds no address.
func normaliseAddress(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	if a, err := mail.ParseAddress(s); err == nil {
		s = a.Address
	} else {
		s = strings.TrimSuffix(strings.TrimPrefix(s, "<"), ">")
		s = strings.TrimSpace(s)
	}
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || at == len(s)-1 {
		return ""
	}
	return s[:at] + "@" + strings.ToLower(s[at+1:])
}

// normaliseMessageID puts an RFC 5322 Message-ID in the "<id@domain>" form
// courtesy stores. A provider's own id (no "@") is returned as it is.
func normaliseMessageID(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	if i := strings.IndexByte(s, '<'); i >= 0 {
		if j := strings.IndexByte(s[i:], '>'); j > 0 {
			return s[i : i+j+1]
		}
	}
	if strings.Contains(s, "@") && !strings.ContainsAny(s, " \t") {
		return "<" + s + ">"
	}
	return s
}

// parseTime reads an RFC 5322 date (DSN and ARF fields) or an RFC 3339
// timestamp (webhooks); zero when s is neither.
func parseTime(s string) time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t
	}
	if t, err := mail.ParseDate(s); err == nil {
		return t
	}
	return time.Time{}
}

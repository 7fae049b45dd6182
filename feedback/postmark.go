package feedback

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

type postmarkRecord struct {
	RecordType  string `json:"RecordType"`
	Type        string `json:"Type"`
	MessageID   string `json:"MessageID"`
	Email       string `json:"Email"`
	Details     string `json:"Details"`
	Description string `json:"Description"`
	BouncedAt   string `json:"BouncedAt"`
	Content     string `json:"Content"`
}

// postmarkKinds maps Postmark's bounce types to kinds. Types not listed
// (AutoResponder, Subscribe, AddressChange, ChallengeVerification, …) are
// not about deliverability and yield no report. Blocked and DMARCPolicy
// refuse the sender, not the address, so they count as soft.
var postmarkKinds = map[string]Kind{
	"HardBounce":          HardBounce,
	"BadEmailAddress":     HardBounce,
	"ManuallyDeactivated": HardBounce,
	"SoftBounce":          SoftBounce,
	"Transient":           SoftBounce,
	"DnsError":            SoftBounce,
	"Blocked":             SoftBounce,
	"DMARCPolicy":         SoftBounce,
	"SpamComplaint":       Complaint,
	"SpamNotification":    Complaint,
}

// ParsePostmark reads a Postmark bounce or spam complaint webhook. Other
// record types (Delivery, Open, Click, SubscriptionChange) yield no report.
// When the payload includes the bounced message (Content), its Message-ID
// and X-Courtesy-Campaign headers are used; otherwise MessageID is
// Postmark's own id.
func ParsePostmark(body []byte) ([]Report, error) {
	var rec postmarkRecord
	if err := json.Unmarshal(body, &rec); err != nil {
		return nil, fmt.Errorf("Postmark webhook is not JSON: %w", err)
	}
	switch rec.RecordType {
	case "Bounce", "SpamComplaint":
	case "":
		return nil, errors.New("Postmark webhook has no RecordType")
	default:
		return nil, nil
	}
	kind, ok := postmarkKinds[rec.Type]
	if rec.RecordType == "SpamComplaint" {
		kind, ok = Complaint, true
	}
	if !ok {
		return nil, nil
	}
	addr := normaliseAddress(rec.Email)
	if addr == "" {
		return nil, fmt.Errorf("Postmark %s has no Email", rec.RecordType)
	}
	r := Report{
		Kind:      kind,
		Recipient: addr,
		MessageID: rec.MessageID,
		Source:    SourcePostmark,
		At:        parseTime(rec.BouncedAt),
	}
	if kind != Complaint {
		r.Diagnostic = rec.Details
		if r.Diagnostic == "" {
			r.Diagnostic = rec.Description
		}
		r.Status = statusIn(rec.Details)
	} else {
		r.FeedbackType = "abuse"
	}
	if rec.Content != "" {
		h, _ := readHeader([]byte(strings.TrimLeft(rec.Content, "\r\n")))
		if id := normaliseMessageID(h.Get("Message-Id")); id != "" {
			r.MessageID = id
		}
		r.Campaign = strings.TrimSpace(h.Get(campaignHeader))
	}
	return []Report{r}, nil
}

// statusIn finds an enhanced status code in a server's reply text, "550
// 5.1.1 user unknown" → "5.1.1"; "" when there is none.
func statusIn(s string) string {
	for _, f := range strings.Fields(s) {
		f = strings.Trim(f, "()[],;:")
		if statusCode.MatchString(f) {
			return f
		}
	}
	return ""
}

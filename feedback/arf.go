package feedback

import (
	"errors"
	"fmt"
	"net/mail"
	"strings"
)

// parseARF reads an RFC 5965 abuse feedback report.
//
// Feedback types "not-spam" (RFC 6650: the recipient took a message out of
// the spam folder) and "auth-failure" (RFC 6591: an authentication failure
// seen by the receiver) are not complaints by a person and yield no reports.
func parseARF(parts []part, env envelope) ([]Report, error) {
	fr, ok := findPart(parts, "message/feedback-report")
	if !ok {
		return nil, errors.New("feedback report has no message/feedback-report part")
	}
	groups, err := fieldGroups(fr.body)
	if err != nil {
		return nil, fmt.Errorf("feedback-report part: %w", err)
	}
	if len(groups) == 0 {
		return nil, errors.New("feedback-report part is empty")
	}
	fields := groups[0]
	ft := strings.ToLower(strings.TrimSpace(fields.Get("Feedback-Type")))
	if ft == "" {
		return nil, errors.New("feedback-report part has no Feedback-Type")
	}
	if ft == "not-spam" || ft == "auth-failure" {
		return nil, nil
	}
	orig := readOriginal(parts)
	at := firstTime(parseTime(fields.Get("Arrival-Date")), parseTime(fields.Get("Received-Date")), env.date)

	var recipients []string
	for _, v := range fields.Values("Original-Rcpt-To") {
		if a := normaliseAddress(typedValue(v)); a != "" {
			recipients = append(recipients, a)
		}
	}
	if len(recipients) == 0 && orig.to != "" {
		// Without Original-Rcpt-To the original's To is the best guess; it
		// is the person courtesy wrote to, since it sends one copy each.
		if list, err := mail.ParseAddressList(orig.to); err == nil {
			for _, a := range list {
				if n := normaliseAddress(a.Address); n != "" {
					recipients = append(recipients, n)
				}
			}
		}
	}
	if len(recipients) == 0 {
		if orig.messageID == "" {
			return nil, errors.New("feedback report names neither the recipient nor the original Message-ID")
		}
		recipients = []string{""} // the caller finds the recipient by Message-ID
	}
	reports := make([]Report, 0, len(recipients))
	for _, rcpt := range recipients {
		reports = append(reports, Report{
			Kind:         Complaint,
			Recipient:    rcpt,
			MessageID:    orig.messageID,
			ReturnPath:   env.returnPath,
			Campaign:     orig.campaign,
			FeedbackType: ft,
			Source:       SourceARF,
			At:           at,
		})
	}
	return reports, nil
}

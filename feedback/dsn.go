package feedback

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// statusCode is an RFC 3463 enhanced status code: class.subject.detail.
var statusCode = regexp.MustCompile(`^[245]\.[0-9]{1,3}\.[0-9]{1,3}$`)

// parseDSN reads an RFC 3464 delivery status notification.
func parseDSN(parts []part, env envelope) ([]Report, error) {
	ds, ok := findPart(parts, "message/delivery-status", "message/global-delivery-status")
	if !ok {
		return nil, errors.New("delivery status report has no message/delivery-status part")
	}
	groups, err := fieldGroups(ds.body)
	if err != nil {
		return nil, fmt.Errorf("delivery-status part: %w", err)
	}
	if len(groups) == 0 {
		return nil, errors.New("delivery-status part is empty")
	}
	perMessage := groups[0]
	recipients := groups[1:]
	if perMessage.Get("Final-Recipient") != "" {
		// Some MTAs leave out the per-message group; its first group is then
		// already a recipient.
		recipients = groups
	}
	if len(recipients) == 0 {
		return nil, errors.New("delivery-status part has no Final-Recipient")
	}
	orig := readOriginal(parts)
	arrival := parseTime(perMessage.Get("Arrival-Date"))

	var reports []Report
	for i, rcpt := range recipients {
		final := typedValue(rcpt.Get("Final-Recipient"))
		if final == "" {
			return nil, fmt.Errorf("delivery-status recipient %d has no Final-Recipient", i+1)
		}
		addr := normaliseAddress(typedValue(rcpt.Get("Original-Recipient")))
		if addr == "" {
			addr = normaliseAddress(final)
		}
		if addr == "" {
			return nil, fmt.Errorf("delivery-status recipient %d: Final-Recipient %q is not an address", i+1, final)
		}
		action := strings.ToLower(firstWord(rcpt.Get("Action")))
		if action == "" {
			return nil, fmt.Errorf("delivery-status recipient %s has no Action", addr)
		}
		status := firstWord(rcpt.Get("Status"))
		if status == "" {
			return nil, fmt.Errorf("delivery-status recipient %s has no Status", addr)
		}
		if !statusCode.MatchString(status) {
			return nil, fmt.Errorf("delivery-status recipient %s: Status %q is not an enhanced status code", addr, status)
		}
		var kind Kind
		switch action {
		case "failed":
			// A 4.x.x failure is an MTA giving up on a temporary condition
			// (a full mailbox for days); the address may well work later.
			kind = HardBounce
			if status[0] != '5' {
				kind = SoftBounce
			}
		case "delayed":
			kind = SoftBounce
		case "delivered", "relayed", "expanded":
			continue
		default:
			return nil, fmt.Errorf("delivery-status recipient %s: unknown Action %q", addr, action)
		}
		reports = append(reports, Report{
			Kind:       kind,
			Recipient:  addr,
			Status:     status,
			Diagnostic: typedValue(rcpt.Get("Diagnostic-Code")),
			MessageID:  orig.messageID,
			ReturnPath: env.returnPath,
			Campaign:   orig.campaign,
			Source:     SourceDSN,
			// The last attempt is when the bounce happened; the arrival is
			// when the original reached the reporting MTA, maybe days before.
			At: firstTime(parseTime(rcpt.Get("Last-Attempt-Date")), arrival, env.date),
		})
	}
	return reports, nil
}

func firstWord(s string) string {
	f := strings.Fields(s)
	if len(f) == 0 {
		return ""
	}
	return f[0]
}

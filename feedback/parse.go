package feedback

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Parse reads a report in any form courtesy takes: a raw RFC 3464 or RFC
// 5965 message, an Amazon SNS delivery of an SES notification, or a Postmark
// webhook, told apart by their content, so a saved webhook body can be fed
// to the same command as a bounce message. An SNS subscription confirmation
// is an error: it holds no report, and its URL is for the owner to visit.
func Parse(data []byte) ([]Report, error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil, fmt.Errorf("empty input: want a bounce or complaint report")
	}
	if trimmed[0] != '{' {
		return ParseMessage(bytes.NewReader(data))
	}
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(trimmed, &probe); err != nil {
		return nil, fmt.Errorf("webhook body is not JSON: %w", err)
	}
	if _, ok := probe["RecordType"]; ok {
		return ParsePostmark(trimmed)
	}
	n, err := ParseSES(trimmed)
	if err != nil {
		return nil, err
	}
	if n.Type == SNSSubscriptionConfirmation {
		return nil, fmt.Errorf("an SNS subscription confirmation holds no report; to receive SES notifications, visit %s", n.SubscribeURL)
	}
	return n.Reports, nil
}

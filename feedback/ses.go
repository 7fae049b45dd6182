package feedback

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// SNS message types.
const (
	SNSNotification             = "Notification"
	SNSSubscriptionConfirmation = "SubscriptionConfirmation"
	SNSUnsubscribeConfirmation  = "UnsubscribeConfirmation"
)

// Notification is what an Amazon SNS delivery to the SES webhook says.
type Notification struct {
	// Type is the SNS message type: Notification, SubscriptionConfirmation
	// or UnsubscribeConfirmation.
	Type string
	// Reports are the bounces and complaints of a Notification.
	Reports []Report
	// SubscribeURL and Token are set for a SubscriptionConfirmation: the
	// caller confirms the subscription by fetching the URL (after checking
	// it is an amazonaws.com address) or calling ConfirmSubscription with
	// the token. This package fetches nothing.
	SubscribeURL string
	Token        string
	// TopicArn names the SNS topic, for the caller to check it is the one
	// it subscribed to.
	TopicArn string
}

type snsEnvelope struct {
	Type         string `json:"Type"`
	Message      string `json:"Message"`
	Token        string `json:"Token"`
	TopicArn     string `json:"TopicArn"`
	SubscribeURL string `json:"SubscribeURL"`
}

type sesMessage struct {
	NotificationType string `json:"notificationType"`
	EventType        string `json:"eventType"` // the same, under event publishing
	Mail             struct {
		MessageID string `json:"messageId"`
		Source    string `json:"source"`
		Headers   []struct {
			Name  string `json:"name"`
			Value string `json:"value"`
		} `json:"headers"`
		CommonHeaders struct {
			MessageID string `json:"messageId"`
		} `json:"commonHeaders"`
	} `json:"mail"`
	Bounce *struct {
		BounceType        string `json:"bounceType"`
		BounceSubType     string `json:"bounceSubType"`
		Timestamp         string `json:"timestamp"`
		BouncedRecipients []struct {
			EmailAddress   string `json:"emailAddress"`
			Status         string `json:"status"`
			DiagnosticCode string `json:"diagnosticCode"`
		} `json:"bouncedRecipients"`
	} `json:"bounce"`
	Complaint *struct {
		ComplaintFeedbackType string `json:"complaintFeedbackType"`
		Timestamp             string `json:"timestamp"`
		ArrivalDate           string `json:"arrivalDate"`
		ComplainedRecipients  []struct {
			EmailAddress string `json:"emailAddress"`
		} `json:"complainedRecipients"`
	} `json:"complaint"`
}

// ParseSES reads the body of an Amazon SNS HTTP delivery carrying an SES
// notification. A Bounce yields one Report per bounced recipient
// (Permanent → hard, Transient and Undetermined → soft), a Complaint one per
// complained recipient; other notification types (Delivery, Send, …) yield
// none. A body that is already the SES JSON (SNS raw message delivery) is
// read too.
func ParseSES(body []byte) (Notification, error) {
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(body, &probe); err != nil {
		return Notification{}, fmt.Errorf("SNS message is not JSON: %w", err)
	}
	if _, raw := probe["notificationType"]; raw {
		return parseSESMessage(body)
	}
	if _, raw := probe["eventType"]; raw {
		return parseSESMessage(body)
	}
	var env snsEnvelope
	if err := json.Unmarshal(body, &env); err != nil {
		return Notification{}, fmt.Errorf("SNS message: %w", err)
	}
	switch env.Type {
	case SNSSubscriptionConfirmation, SNSUnsubscribeConfirmation:
		if env.Type == SNSSubscriptionConfirmation && env.SubscribeURL == "" && env.Token == "" {
			return Notification{}, errors.New("SNS SubscriptionConfirmation has neither SubscribeURL nor Token")
		}
		return Notification{Type: env.Type, SubscribeURL: env.SubscribeURL, Token: env.Token, TopicArn: env.TopicArn}, nil
	case SNSNotification:
		n, err := parseSESMessage([]byte(env.Message))
		n.TopicArn = env.TopicArn
		return n, err
	case "":
		return Notification{}, errors.New("SNS message has no Type")
	default:
		return Notification{}, fmt.Errorf("SNS message has unknown Type %q", env.Type)
	}
}

func parseSESMessage(b []byte) (Notification, error) {
	var m sesMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return Notification{}, fmt.Errorf("SES message is not JSON: %w", err)
	}
	typ := m.NotificationType
	if typ == "" {
		typ = m.EventType
	}
	if typ == "" {
		return Notification{}, errors.New("SES message has no notificationType")
	}
	// SES replaces the Message-ID header unless the sender set one; the
	// original headers carry the one courtesy stored.
	var messageID, campaign string
	for _, h := range m.Mail.Headers {
		switch {
		case strings.EqualFold(h.Name, "Message-ID"):
			messageID = normaliseMessageID(h.Value)
		case strings.EqualFold(h.Name, campaignHeader):
			campaign = strings.TrimSpace(h.Value)
		}
	}
	if messageID == "" {
		messageID = normaliseMessageID(m.Mail.CommonHeaders.MessageID)
	}
	if messageID == "" {
		messageID = m.Mail.MessageID
	}
	base := Report{
		MessageID:  messageID,
		ReturnPath: normaliseAddress(m.Mail.Source),
		Campaign:   campaign,
		Source:     SourceSES,
	}
	n := Notification{Type: SNSNotification}
	switch typ {
	case "Bounce":
		if m.Bounce == nil {
			return Notification{}, errors.New("SES Bounce notification has no bounce object")
		}
		if len(m.Bounce.BouncedRecipients) == 0 {
			return Notification{}, errors.New("SES bounce has no bouncedRecipients")
		}
		kind := SoftBounce
		switch m.Bounce.BounceType {
		case "Permanent":
			kind = HardBounce
		case "Transient", "Undetermined":
		default:
			return Notification{}, fmt.Errorf("SES bounce has unknown bounceType %q", m.Bounce.BounceType)
		}
		at := parseTime(m.Bounce.Timestamp)
		for i, br := range m.Bounce.BouncedRecipients {
			addr := normaliseAddress(br.EmailAddress)
			if addr == "" {
				return Notification{}, fmt.Errorf("SES bounced recipient %d has no emailAddress", i+1)
			}
			r := base
			r.Kind, r.Recipient, r.At = kind, addr, at
			r.Status = firstWord(br.Status)
			r.Diagnostic = typedValue(br.DiagnosticCode)
			if r.Diagnostic == "" {
				r.Diagnostic = m.Bounce.BounceSubType
			}
			n.Reports = append(n.Reports, r)
		}
	case "Complaint":
		if m.Complaint == nil {
			return Notification{}, errors.New("SES Complaint notification has no complaint object")
		}
		if len(m.Complaint.ComplainedRecipients) == 0 {
			return Notification{}, errors.New("SES complaint has no complainedRecipients")
		}
		at := firstTime(parseTime(m.Complaint.ArrivalDate), parseTime(m.Complaint.Timestamp))
		for i, cr := range m.Complaint.ComplainedRecipients {
			addr := normaliseAddress(cr.EmailAddress)
			if addr == "" {
				return Notification{}, fmt.Errorf("SES complained recipient %d has no emailAddress", i+1)
			}
			r := base
			r.Kind, r.Recipient, r.At = Complaint, addr, at
			r.FeedbackType = m.Complaint.ComplaintFeedbackType
			n.Reports = append(n.Reports, r)
		}
	}
	return n, nil
}

package feedback

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// mustTime parses an RFC 3339 timestamp.
func mustTime(tb testing.TB, s string) time.Time {
	tb.Helper()
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		tb.Fatalf("parse %q: %v", s, err)
	}
	return t
}

func readFixture(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

type parser func([]byte) ([]Report, error)

func message(b []byte) ([]Report, error) { return ParseMessage(bytes.NewReader(b)) }

func ses(b []byte) ([]Report, error) {
	n, err := ParseSES(b)
	return n.Reports, err
}

func TestFixtures(t *testing.T) {
	tests := []struct {
		name    string
		file    string
		parse   parser
		want    []Report
		wantErr string
	}{
		{
			name:  "RFC 3464 DSN, 5.1.1 user unknown",
			file:  "dsn-hard-5.1.1.eml",
			parse: message,
			want: []Report{{
				Kind:       HardBounce,
				Recipient:  "Jo.Baker@mail.example.net",
				Status:     "5.1.1",
				Diagnostic: "550 5.1.1 <Jo.Baker@mail.example.net>: Recipient address rejected: User unknown in virtual mailbox table",
				MessageID:  "<7f3c0a9e41b2d5c8@crumb.example>",
				ReturnPath: "bounce+a1B2c3D4e5F6-_x9@crumb.example",
				Campaign:   "birthday-treat",
				Source:     SourceDSN,
				At:         mustTime(t, "2026-03-10T09:30:58Z"),
			}},
		},
		{
			name:  "RFC 3464 DSN, delayed 4.2.2 mailbox full",
			file:  "dsn-soft-4.2.2.eml",
			parse: message,
			want: []Report{{
				Kind:       SoftBounce,
				Recipient:  "sam@full.example",
				Status:     "4.2.2",
				Diagnostic: "452 4.2.2 Mailbox full",
				MessageID:  "<c0ffee42@crumb.example>",
				ReturnPath: "bounce+Zm9vYmFy@crumb.example",
				Campaign:   "saved-item-reminder",
				Source:     SourceDSN,
				At:         mustTime(t, "2026-03-11T13:05:44Z"),
			}},
		},
		{
			name:  "RFC 3464 DSN in base64, delivered skipped, failed 4.x soft",
			file:  "dsn-mixed.eml",
			parse: message,
			want: []Report{
				{
					Kind:       HardBounce,
					Recipient:  "gone@example.com",
					Status:     "5.1.1",
					Diagnostic: "550 No such user",
					ReturnPath: "bounce+mixedTok@crumb.example",
					Source:     SourceDSN,
					At:         mustTime(t, "2026-03-12T01:00:00Z"),
				},
				{
					Kind:       SoftBounce,
					Recipient:  "slow@example.com",
					Status:     "4.4.7",
					Diagnostic: "delivery temporarily suspended: connection timed out",
					ReturnPath: "bounce+mixedTok@crumb.example",
					Source:     SourceDSN,
					At:         mustTime(t, "2026-03-12T05:59:00Z"),
				},
			},
		},
		{
			name:  "RFC 5965 ARF abuse report with the original",
			file:  "arf-abuse.eml",
			parse: message,
			want: []Report{{
				Kind:         Complaint,
				Recipient:    "Pat@mailbox.example",
				MessageID:    "<b1rthd4y.9f2e@crumb.example>",
				ReturnPath:   "bounce+Q2FrZTEyMw@crumb.example",
				Campaign:     "birthday-treat",
				FeedbackType: "abuse",
				Source:       SourceARF,
				At:           mustTime(t, "2026-03-15T18:38:55Z"),
			}},
		},
		{
			name:  "SES permanent bounce",
			file:  "ses-bounce.json",
			parse: ses,
			want: []Report{{
				Kind:       HardBounce,
				Recipient:  "Lee@nowhere.example",
				Status:     "5.1.1",
				Diagnostic: "550 5.1.1 user unknown",
				MessageID:  "<nps-5521@crumb.example>",
				ReturnPath: "bounce+U0VTdG9r@crumb.example",
				Campaign:   "post-purchase-nps",
				Source:     SourceSES,
				At:         mustTime(t, "2026-03-16T10:02:03.123Z"),
			}},
		},
		{
			name:  "SES complaint without a Message-ID header keeps the SES id",
			file:  "ses-complaint.json",
			parse: ses,
			want: []Report{{
				Kind:         Complaint,
				Recipient:    "robin@mailbox.example",
				MessageID:    "0102018e2b9e0000-bbbbcccc-dddd-eeee-ffff-000011112222-000000",
				ReturnPath:   "bounce+Um9iaW4@crumb.example",
				Campaign:     "saved-item-reminder",
				FeedbackType: "abuse",
				Source:       SourceSES,
				At:           mustTime(t, "2026-03-17T20:14:11Z"),
			}},
		},
		{
			name:  "SES subscription confirmation has no reports",
			file:  "ses-subscription.json",
			parse: ses,
		},
		{
			name:  "Postmark hard bounce with content",
			file:  "postmark-bounce.json",
			parse: ParsePostmark,
			want: []Report{{
				Kind:       HardBounce,
				Recipient:  "Kim@gone.example",
				Status:     "5.1.1",
				Diagnostic: "smtp;550 5.1.1 The email account that you tried to reach does not exist.",
				MessageID:  "<kim-bday-2026@crumb.example>",
				Campaign:   "birthday-treat",
				Source:     SourcePostmark,
				At:         mustTime(t, "2026-03-18T09:31:10.2735393-04:00"),
			}},
		},
		{
			name:  "Postmark spam complaint",
			file:  "postmark-spam.json",
			parse: ParsePostmark,
			want: []Report{{
				Kind:         Complaint,
				Recipient:    "alex@mailbox.example",
				MessageID:    "00000000-0000-0000-0000-000000000000",
				FeedbackType: "abuse",
				Source:       SourcePostmark,
				At:           mustTime(t, "2026-03-19T14:00:00Z"),
			}},
		},
		{
			name:    "plain text mail is not a report",
			file:    "plain.eml",
			parse:   message,
			wantErr: "not a delivery status or feedback report: Content-Type text/plain",
		},
		{
			name:    "DSN without recipients",
			file:    "dsn-no-recipient.eml",
			parse:   message,
			wantErr: "delivery-status part has no Final-Recipient",
		},
		{
			name:    "truncated SNS envelope",
			file:    "ses-truncated.json",
			parse:   ses,
			wantErr: "SNS message is not JSON",
		},
		{
			name:    "SNS envelope carrying truncated SES JSON",
			file:    "ses-message-not-json.json",
			parse:   ses,
			wantErr: "SES message is not JSON",
		},
		{
			name:    "truncated Postmark webhook",
			file:    "postmark-truncated.json",
			parse:   ParsePostmark,
			wantErr: "Postmark webhook is not JSON",
		},
	}
	covered := map[string]bool{}
	for _, tt := range tests {
		covered[tt.file] = true
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.parse(readFixture(t, tt.file))
			checkResult(t, got, err, tt.want, tt.wantErr)
		})
	}
	// Every fixture is in the table, so none is left unchecked.
	files, err := filepath.Glob(filepath.Join("testdata", "*.*"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if !covered[filepath.Base(f)] {
			t.Errorf("fixture %s is not in the table", f)
		}
	}
}

func checkResult(tb testing.TB, got []Report, err error, want []Report, wantErr string) {
	tb.Helper()
	if wantErr != "" {
		if err == nil || !strings.Contains(err.Error(), wantErr) {
			tb.Fatalf("error = %v, want one containing %q", err, wantErr)
		}
		if got != nil {
			tb.Errorf("reports alongside an error: %+v", got)
		}
		return
	}
	if err != nil {
		tb.Fatalf("unexpected error: %v", err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		tb.Errorf("reports (-want +got):\n%s", diff)
	}
}

func TestParseSESSubscriptionConfirmation(t *testing.T) {
	got, err := ParseSES(readFixture(t, "ses-subscription.json"))
	if err != nil {
		t.Fatal(err)
	}
	const token = "2336412f37fb687f5d51e6e241d09c805a5a57b30d712f794cc5f6a988666d92768dd60a747ba6f3beb71854e285d6ad02428b09ceece29417f1f02d609c582afbacc99c583a916b9981dd2728f4ae6fdb82efd087cc3b7849e05798d2d2785c03b0879594eeac82c01f235d0e717736"
	want := Notification{
		Type:         SNSSubscriptionConfirmation,
		SubscribeURL: "https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:eu-west-1:123456789012:courtesy-feedback&Token=" + token,
		Token:        token,
		TopicArn:     "arn:aws:sns:eu-west-1:123456789012:courtesy-feedback",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("notification (-want +got):\n%s", diff)
	}
}

func TestParseSESRawDelivery(t *testing.T) {
	// With SNS raw message delivery the body is the SES JSON itself.
	body := `{"notificationType":"Bounce","bounce":{"bounceType":"Transient","bounceSubType":"MailboxFull",
	"bouncedRecipients":[{"emailAddress":"a@B.example"},{"emailAddress":"c@d.example","status":"4.2.2"}],
	"timestamp":"2026-03-16T10:00:00Z"},"mail":{"messageId":"sesid","source":"bounce+t@crumb.example"}}`
	got, err := ParseSES([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	at := mustTime(t, "2026-03-16T10:00:00Z")
	want := Notification{Type: SNSNotification, Reports: []Report{
		{Kind: SoftBounce, Recipient: "a@b.example", Diagnostic: "MailboxFull", MessageID: "sesid", ReturnPath: "bounce+t@crumb.example", Source: SourceSES, At: at},
		{Kind: SoftBounce, Recipient: "c@d.example", Status: "4.2.2", Diagnostic: "MailboxFull", MessageID: "sesid", ReturnPath: "bounce+t@crumb.example", Source: SourceSES, At: at},
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("notification (-want +got):\n%s", diff)
	}
}

func TestParseSESRefusals(t *testing.T) {
	tests := []struct {
		name, body, wantErr string
	}{
		{"no type", `{"Message":"{}"}`, "SNS message has no Type"},
		{"unknown type", `{"Type":"Gossip"}`, `unknown Type "Gossip"`},
		{"no notificationType", `{"Type":"Notification","Message":"{}"}`, "SES message has no notificationType"},
		{"bounce object missing", `{"notificationType":"Bounce"}`, "has no bounce object"},
		{"bounce without recipients", `{"notificationType":"Bounce","bounce":{"bounceType":"Permanent","bouncedRecipients":[]}}`, "SES bounce has no bouncedRecipients"},
		{"recipient without address", `{"notificationType":"Bounce","bounce":{"bounceType":"Permanent","bouncedRecipients":[{"status":"5.1.1"}]}}`, "SES bounced recipient 1 has no emailAddress"},
		{"unknown bounce type", `{"notificationType":"Bounce","bounce":{"bounceType":"Sideways","bouncedRecipients":[{"emailAddress":"a@b.example"}]}}`, `unknown bounceType "Sideways"`},
		{"complaint without recipients", `{"notificationType":"Complaint","complaint":{}}`, "SES complaint has no complainedRecipients"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ses([]byte(tt.body))
			checkResult(t, got, err, nil, tt.wantErr)
		})
	}
}

func TestParseIgnoresNonFailures(t *testing.T) {
	tests := []struct {
		name  string
		parse parser
		body  string
	}{
		{"SES delivery", ses, `{"notificationType":"Delivery","mail":{},"delivery":{"recipients":["a@b.example"]}}`},
		{"Postmark delivery", ParsePostmark, `{"RecordType":"Delivery","Recipient":"a@b.example","MessageID":"x"}`},
		{"Postmark auto-responder", ParsePostmark, `{"RecordType":"Bounce","Type":"AutoResponder","Email":"a@b.example"}`},
		{"ARF not-spam", message, arf("not-spam", "Original-Rcpt-To: a@b.example\n", "Message-ID: <m@crumb.example>\n")},
		{"DSN of successes only", message, dsn("Final-Recipient: rfc822; a@b.example\nAction: delivered\nStatus: 2.0.0\n")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.parse([]byte(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 0 {
				t.Errorf("got %d reports, want none: %+v", len(got), got)
			}
		})
	}
}

// dsn builds a delivery status report whose per-recipient groups are rcpts.
func dsn(rcpts string) string {
	return "From: MAILER-DAEMON@mx.example\nTo: bounce+t@crumb.example\n" +
		"Content-Type: multipart/report; report-type=delivery-status; boundary=B\n\n" +
		"--B\nContent-Type: text/plain\n\nhuman text\n\n" +
		"--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example\n\n" + rcpts + "\n--B--\n"
}

// arf builds a feedback report with the given type, extra fields and
// original headers (none when empty).
func arf(feedbackType, fields, origHeaders string) string {
	s := "From: fbl@isp.example\nTo: bounce+t@crumb.example\n" +
		"Content-Type: multipart/report; report-type=feedback-report; boundary=B\n\n" +
		"--B\nContent-Type: text/plain\n\nan abuse report\n\n" +
		"--B\nContent-Type: message/feedback-report\n\n"
	if feedbackType != "" {
		s += "Feedback-Type: " + feedbackType + "\n"
	}
	s += "Version: 1\n" + fields
	if origHeaders != "" {
		s += "\n--B\nContent-Type: text/rfc822-headers\n\n" + origHeaders
	}
	return s + "\n--B--\n"
}

func TestParseMessageCases(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		want    []Report
		wantErr string
	}{
		{
			name: "recipient group without per-message group",
			body: "To: bounce+t@crumb.example\nContent-Type: multipart/report; report-type=delivery-status; boundary=B\n\n" +
				"--B\nContent-Type: message/delivery-status\n\nFinal-Recipient: rfc822; x@Y.example\nAction: failed\nStatus: 5.2.1\n\n--B--\n",
			want: []Report{{Kind: HardBounce, Recipient: "x@y.example", Status: "5.2.1", ReturnPath: "bounce+t@crumb.example", Source: SourceDSN}},
		},
		{
			name:    "recipient without Final-Recipient",
			body:    dsn("Action: failed\nStatus: 5.1.1\n"),
			wantErr: "delivery-status recipient 1 has no Final-Recipient",
		},
		{
			name:    "recipient without Action",
			body:    dsn("Final-Recipient: rfc822; a@b.example\nStatus: 5.1.1\n"),
			wantErr: "delivery-status recipient a@b.example has no Action",
		},
		{
			name:    "recipient without Status",
			body:    dsn("Final-Recipient: rfc822; a@b.example\nAction: failed\n"),
			wantErr: "delivery-status recipient a@b.example has no Status",
		},
		{
			name:    "Status that is not a code",
			body:    dsn("Final-Recipient: rfc822; a@b.example\nAction: failed\nStatus: 550\n"),
			wantErr: `Status "550" is not an enhanced status code`,
		},
		{
			name:    "unknown Action",
			body:    dsn("Final-Recipient: rfc822; a@b.example\nAction: exploded\nStatus: 5.0.0\n"),
			wantErr: `unknown Action "exploded"`,
		},
		{
			name:    "one bad recipient spoils the report",
			body:    dsn("Final-Recipient: rfc822; a@b.example\nAction: failed\nStatus: 5.1.1\n\nFinal-Recipient: rfc822; c@d.example\nAction: failed\n"),
			wantErr: "delivery-status recipient c@d.example has no Status",
		},
		{
			name:    "malformed field line",
			body:    dsn("Final-Recipient rfc822 a@b.example\n"),
			wantErr: "delivery-status part: malformed MIME header",
		},
		{
			name: "no delivery-status part",
			body: "Content-Type: multipart/report; report-type=delivery-status; boundary=B\n\n" +
				"--B\nContent-Type: text/plain\n\nsorry\n--B--\n",
			wantErr: "delivery status report has no message/delivery-status part",
		},
		{
			name:    "other report types are refused",
			body:    "Content-Type: multipart/report; report-type=disposition-notification; boundary=B\n\n--B\n\nx\n--B--\n",
			wantErr: "not a delivery status or feedback report: Content-Type multipart/report; report-type=disposition-notification",
		},
		{
			name:    "no Content-Type means text/plain",
			body:    "Subject: hi\n\nhello\n",
			wantErr: "not a delivery status or feedback report: Content-Type text/plain",
		},
		{
			name:    "not a message at all",
			body:    "\x00\x01garbage",
			wantErr: "report is not a mail message",
		},
		{
			name: "ARF recipient from the original's To",
			body: arf("fraud", "", "Message-ID: <m1@crumb.example>\nTo: Ann <ann@ISP.example>\nX-Courtesy-Campaign: c1\n"),
			want: []Report{{Kind: Complaint, Recipient: "ann@isp.example", MessageID: "<m1@crumb.example>", ReturnPath: "bounce+t@crumb.example", Campaign: "c1", FeedbackType: "fraud", Source: SourceARF}},
		},
		{
			name: "ARF with a redacted recipient still names the message",
			body: arf("abuse", "", "Message-ID: <m2@crumb.example>\n"),
			want: []Report{{Kind: Complaint, MessageID: "<m2@crumb.example>", ReturnPath: "bounce+t@crumb.example", FeedbackType: "abuse", Source: SourceARF}},
		},
		{
			name:    "ARF naming neither recipient nor message",
			body:    arf("abuse", "", ""),
			wantErr: "feedback report names neither the recipient nor the original Message-ID",
		},
		{
			name:    "ARF without Feedback-Type",
			body:    arf("", "Original-Rcpt-To: a@b.example\n", ""),
			wantErr: "feedback-report part has no Feedback-Type",
		},
		{
			name: "ARF received date when there is no arrival date",
			body: arf("abuse", "Original-Rcpt-To: a@b.example\nReceived-Date: Mon, 2 Mar 2026 10:00:00 +0100\n", ""),
			want: []Report{{Kind: Complaint, Recipient: "a@b.example", ReturnPath: "bounce+t@crumb.example", FeedbackType: "abuse", Source: SourceARF, At: mustTime(t, "2026-03-02T09:00:00Z")}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseMessage(strings.NewReader(tt.body))
			checkResult(t, got, err, tt.want, tt.wantErr)
		})
	}
}

func TestParseMessageRefusesOversize(t *testing.T) {
	body := "Content-Type: text/plain\n\n" + strings.Repeat("x", MaxMessageSize)
	_, err := ParseMessage(strings.NewReader(body))
	if err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("error = %v, want a size refusal", err)
	}
}

func TestParsePostmarkRefusals(t *testing.T) {
	tests := []struct{ name, body, wantErr string }{
		{"no record type", `{"Type":"HardBounce","Email":"a@b.example"}`, "Postmark webhook has no RecordType"},
		{"no email", `{"RecordType":"Bounce","Type":"HardBounce"}`, "Postmark Bounce has no Email"},
		{"not an object", `[1,2]`, "Postmark webhook is not JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParsePostmark([]byte(tt.body))
			checkResult(t, got, err, nil, tt.wantErr)
		})
	}
}

func TestParsePostmarkKinds(t *testing.T) {
	tests := []struct {
		typ  string
		want Kind
	}{
		{"HardBounce", HardBounce},
		{"BadEmailAddress", HardBounce},
		{"SoftBounce", SoftBounce},
		{"Transient", SoftBounce},
		{"DnsError", SoftBounce},
		{"Blocked", SoftBounce},
	}
	for _, tt := range tests {
		t.Run(tt.typ, func(t *testing.T) {
			got, err := ParsePostmark([]byte(`{"RecordType":"Bounce","Type":"` + tt.typ + `","Email":"a@b.example","Details":"451 4.7.1 try later"}`))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || got[0].Kind != tt.want || got[0].Status != "4.7.1" {
				t.Errorf("got %+v, want one %s with status 4.7.1", got, tt.want)
			}
		})
	}
}

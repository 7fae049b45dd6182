package web

import "context"

// Kinds of transactional message the web pages send.
const (
	// KindLink is a fresh set of links, asked for from an expired page.
	KindLink = "link"
	// KindConfirmation is the double opt-in message of a sign-up.
	KindConfirmation = "confirmation"
)

// Transactional is a message a person asked for by their own act — a fresh
// link, the confirmation of a sign-up. It is not marketing: it needs no
// consent and neither frequency limits nor quiet hours hold it back, which
// is why it may only ever be the direct answer to a request, never planned.
type Transactional struct {
	// Kind says what it is, for the record and the metrics: KindLink,
	// KindConfirmation.
	Kind string
	// To is the recipient's address; ToName their name, optional.
	To     string
	ToName string
	// Locale is the BCP 47 language the subject and bodies are written in;
	// empty means the business's default.
	Locale  string
	Subject string
	Text    string // required
	HTML    string // optional; sent as the alternative to Text
	// UnsubscribeURL is the RFC 8058 one-click link the message carries:
	// every message sent carries one. For a customer it is their
	// unsubscribe link.
	UnsubscribeURL string
	// CustomerID is the customer the message concerns, when there is one.
	CustomerID string
}

// Notifier sends transactional messages: over the same SMTP path as every
// other message (DKIM included) and within the provider's send rate.
type Notifier interface {
	Notify(ctx context.Context, m Transactional) error
}

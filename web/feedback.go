package web

import (
	"context"
	"fmt"
	"io"
	"net/http"

	"github.com/courtesyhq/courtesy/feedback"
)

// FeedbackApplier applies bounce and complaint reports to the store.
type FeedbackApplier interface {
	Apply(ctx context.Context, reports []feedback.Report) ([]feedback.Outcome, error)
}

var _ FeedbackApplier = (*feedback.Processor)(nil)

// feedbackResult is the answer to a report: one line per recipient, as the
// feedback command prints them.
type feedbackResult struct {
	Applied  int      `json:"applied"`
	Outcomes []string `json:"outcomes"`
	// Note tells the sender of an SNS subscription confirmation what
	// happens next.
	Note string `json:"note,omitempty"`
}

// feedbackPost takes a raw RFC 3464 bounce or RFC 5965 complaint, as a mail
// server's pipe or a script would post it, behind an API key.
func (s *Server) feedbackPost(w http.ResponseWriter, r *http.Request) {
	if !s.authorized(r) {
		s.failJSON(w, r, errUnauthorized)
		return
	}
	s.applyFeedback(w, r, func(body []byte) ([]feedback.Report, string, error) {
		reports, err := feedback.Parse(body)
		return reports, "", err
	})
}

// sesHook takes an Amazon SNS delivery of SES bounce and complaint
// notifications. A subscription confirmation is logged for the owner to
// confirm by hand: fetching its URL on the word of an unsigned request would
// let anyone who knows the secret subscribe this endpoint to their topic,
// and the SNS signature is not verified here.
func (s *Server) sesHook(w http.ResponseWriter, r *http.Request) {
	if !s.webhookAuthorized(w, r) {
		return
	}
	s.applyFeedback(w, r, func(body []byte) ([]feedback.Report, string, error) {
		n, err := feedback.ParseSES(body)
		if err != nil {
			return nil, "", err
		}
		switch n.Type {
		case feedback.SNSSubscriptionConfirmation:
			s.cfg.Logger.Warn("Amazon SNS asks to confirm the SES feedback subscription: visit the URL to confirm it",
				"topic", n.TopicArn, "subscribe_url", n.SubscribeURL)
			return nil, "subscription confirmation logged; the owner confirms it by visiting its SubscribeURL", nil
		case feedback.SNSUnsubscribeConfirmation:
			s.cfg.Logger.Warn("Amazon SNS unsubscribed the SES feedback endpoint", "topic", n.TopicArn)
			return nil, "unsubscribe confirmation logged", nil
		}
		return n.Reports, "", nil
	})
}

// postmarkHook takes Postmark's bounce and spam complaint webhooks.
func (s *Server) postmarkHook(w http.ResponseWriter, r *http.Request) {
	if !s.webhookAuthorized(w, r) {
		return
	}
	s.applyFeedback(w, r, func(body []byte) ([]feedback.Report, string, error) {
		reports, err := feedback.ParsePostmark(body)
		return reports, "", err
	})
}

// applyFeedback reads the whole body, parses all of it before applying any
// of it (a malformed report changes nothing: 422 with the reason), then
// applies it. A store failure is a 5xx, so the provider delivers it again.
func (s *Server) applyFeedback(w http.ResponseWriter, r *http.Request, parse func([]byte) ([]feedback.Report, string, error)) {
	if s.deps.Feedback == nil {
		s.failJSON(w, r, fmt.Errorf("no feedback processor configured: %w", errUnavailable))
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		s.failJSON(w, r, err)
		return
	}
	reports, note, err := parse(body)
	if err != nil {
		s.failJSON(w, r, problems{{Message: err.Error()}})
		return
	}
	outs, err := s.deps.Feedback.Apply(r.Context(), reports)
	if err != nil {
		s.failJSON(w, r, err)
		return
	}
	res := feedbackResult{Applied: len(outs), Outcomes: []string{}, Note: note}
	for _, o := range outs {
		res.Outcomes = append(res.Outcomes, o.String())
	}
	writeJSON(w, http.StatusOK, res)
}

// webhookAuthorized checks the password of HTTP basic authentication (any
// user name) against WebhookSecret; both SNS and Postmark send credentials
// written into the webhook URL as https://user:secret@host/hooks/… . With no
// secret configured every request is refused. It answers the refusal itself.
func (s *Server) webhookAuthorized(w http.ResponseWriter, r *http.Request) bool {
	_, pass, ok := r.BasicAuth()
	if ok && s.webhook.match(pass) {
		return true
	}
	s.logFailure(r, http.StatusUnauthorized, errUnauthorized)
	w.Header().Set("WWW-Authenticate", `Basic realm="courtesy webhooks", charset="UTF-8"`)
	writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "unauthorized"})
	return false
}

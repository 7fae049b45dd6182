package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/consent"
)

// Past its life, a preference, why or survey link is refused, and its page
// offers to email a fresh one to the address on file: beyond unsubscribing,
// the mailbox is the authentication. Whoever presses the button gets the
// same answer, whatever happens next — sent, limited, erased, failed — so
// the page tells a stranger holding an old link nothing, and the most they
// can do is send the customer a few emails a day about their own links.

// freshSendTimeout bounds the work done after the answer has gone.
const freshSendTimeout = time.Minute

// freshActions are the links that expire, in the order a token is tried.
var freshActions = []consent.Action{consent.ActionPreferences, consent.ActionWhy, consent.ActionSurvey}

type expiredView struct{ Action string }

type freshMail struct {
	Business, PostalAddress, FirstName string
	Link, Unsubscribe                  string
	Days                               int
	L                                  tongue
}

// offersFreshLinks says whether an expired page can offer a fresh link.
func (s *Server) offersFreshLinks() bool { return s.deps.Notify != nil && s.deps.Counter != nil }

// expired shows the page of an expired link, with its button.
func (s *Server) expired(w http.ResponseWriter, r *http.Request) {
	t := s.visitorTongue(r)
	if tok, err := s.expiringToken(r.PathValue("token")); err == nil {
		t = s.tongueFor(r, tok.CustomerID)
	}
	s.pages.render(w, t, http.StatusNotFound, "expired", expiredView{Action: "/fresh/" + r.PathValue("token")})
}

// freshPost answers the expired page's button.
func (s *Server) freshPost(w http.ResponseWriter, r *http.Request) {
	if !s.offersFreshLinks() {
		s.notFound(w, r)
		return
	}
	tok, err := s.expiringToken(r.PathValue("token"))
	if err == nil {
		err = s.sameOrigin(r)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.background.Add(1)
	go func() {
		defer s.background.Done()
		ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), freshSendTimeout)
		defer cancel()
		if err := s.sendFreshLink(ctx, tok); err != nil {
			s.cfg.Logger.Warn("fresh link not sent", "customer", tok.CustomerID, "err", err)
		}
	}()
	t := s.tongueFor(r, tok.CustomerID)
	s.pages.render(w, t, http.StatusOK, "after", afterView{
		Heading: t.T("joined.title"),
		Text:    t.T("fresh.sent_text"),
	})
}

// expiringToken verifies a preference, why or survey token, expired or not:
// only a good signature matters here.
func (s *Server) expiringToken(raw string) (consent.Token, error) {
	var last error
	for _, a := range freshActions {
		tok, err := s.deps.Signer.Verify(a, raw, s.now())
		if err == nil || errors.Is(err, consent.ErrExpired) {
			return tok, nil
		}
		last = err
		if !errors.Is(err, consent.ErrWrongAction) {
			break
		}
	}
	return consent.Token{}, last
}

// sendFreshLink emails the customer a fresh token for the page tok opened,
// within Config.FreshLinkLimit, and records that it did.
func (s *Server) sendFreshLink(ctx context.Context, tok consent.Token) error {
	q := s.cfg.FreshLinkLimit
	ok, err := s.deps.Counter.Take(ctx, counterFresh+tok.CustomerID, q.Count, q.Window, s.now())
	if err != nil {
		return err // no count, no email
	}
	if !ok {
		return fmt.Errorf("%w: more than %d fresh links in %s", errRateLimited, q.Count, q.Window)
	}
	c, err := s.deps.Store.Customer(ctx, tok.CustomerID)
	if err != nil {
		return heldNothing(err)
	}
	now := s.now()
	fresh := tok
	fresh.IssuedAt = now
	base := strings.TrimRight(s.cfg.BaseURL, "/")
	unsub := fresh
	unsub.Action = consent.ActionUnsubscribe
	data := freshMail{
		Business: s.cfg.BusinessName, PostalAddress: s.cfg.PostalAddress, FirstName: c.FirstName,
		Link:        base + actionPaths[tok.Action] + s.deps.Signer.Sign(fresh),
		Unsubscribe: base + actionPaths[consent.ActionUnsubscribe] + s.deps.Signer.Sign(unsub),
		Days:        int(s.deps.Signer.TTL() / (24 * time.Hour)),
		L:           s.mailTongue(c.Locale, c.Location(s.cfg.Location)),
	}
	subject, text, err := renderMail("fresh", data)
	if err != nil {
		return err
	}
	if err := s.deps.Notify.Notify(ctx, Transactional{
		Kind: KindLink, To: c.Email, ToName: strings.TrimSpace(c.FirstName + " " + c.LastName), Locale: data.L.Lang(),
		Subject: subject, Text: text, UnsubscribeURL: data.Unsubscribe, CustomerID: c.ID,
	}); err != nil {
		return err
	}
	return s.deps.Store.RecordEngagement(ctx, courtesy.Engagement{CustomerID: c.ID, MessageKey: tok.MessageKey,
		CampaignID: campaignOf(tok.MessageKey), Kind: "link-emailed", At: now})
}

// renderMail renders a mail template's subject and text.
func renderMail(name string, data any) (subject, text string, err error) {
	t := mailTemplates.Lookup(name + ".txt")
	if t == nil {
		return "", "", fmt.Errorf("no mail template %s", name)
	}
	var sb, tb bytes.Buffer
	if err := t.ExecuteTemplate(&sb, "subject", data); err != nil {
		return "", "", fmt.Errorf("mail %s: %w", name, err)
	}
	if err := t.ExecuteTemplate(&tb, "text", data); err != nil {
		return "", "", fmt.Errorf("mail %s: %w", name, err)
	}
	return strings.TrimSpace(sb.String()), strings.TrimLeft(tb.String(), "\n"), nil
}

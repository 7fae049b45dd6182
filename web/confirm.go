package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/consent"
	"github.com/courtesyhq/courtesy/signup"
	"github.com/courtesyhq/courtesy/store"
)

// SourceSignup is the consent source of a confirmed sign-up.
const SourceSignup = "signup-form"

// SignupStore is what confirming a sign-up reads and writes.
type SignupStore interface {
	CustomerByEmail(ctx context.Context, email string) (courtesy.Customer, error)
	AddressErased(ctx context.Context, email string) (bool, error)
}

var _ SignupStore = (*store.DB)(nil)

type confirmationData struct {
	Business, PostalAddress string
	FirstName               string
	Purposes                []string
	Link                    string
	Expires                 string
	L                       tongue
}

// confirmationMessage is the double opt-in message for tok: the one link
// that confirms it, and what happens if it is ignored.
func (s *Server) confirmationMessage(t tongue, tok signup.Token, sealed string) (Transactional, error) {
	base := strings.TrimRight(s.cfg.BaseURL, "/")
	d := confirmationData{
		Business: s.cfg.BusinessName, PostalAddress: s.cfg.PostalAddress, FirstName: tok.FirstName,
		Link:    base + "/c/" + sealed,
		Expires: t.Date(tok.IssuedAt.Add(s.deps.Signup.Sealer.TTL())),
		L:       t,
	}
	for _, p := range tok.Purposes {
		d.Purposes = append(d.Purposes, s.purposeTitleIn(t, p))
	}
	var buf bytes.Buffer
	if err := mailTemplates.ExecuteTemplate(&buf, "confirmation.txt", d); err != nil {
		return Transactional{}, fmt.Errorf("confirmation message: %w", err)
	}
	subject, text, _ := strings.Cut(buf.String(), "\n")
	return Transactional{
		Kind: KindConfirmation, To: tok.Email, ToName: tok.FirstName, Locale: t.Lang(),
		Subject: strings.TrimSpace(subject), Text: strings.TrimLeft(text, "\n"),
		UnsubscribeURL: base + "/c/" + sealed + "/decline",
	}, nil
}

type confirmView struct {
	Action    string
	Email     string
	FirstName string
	Birthday  string
	Purposes  []string
	// Notice is the text the sign-up was made under, which the consent
	// will record: shown again where the person says yes, since a sign-up
	// a shop's backend started may not have shown it.
	Notice string
}

// openSignup opens the path's sign-up token. A token sealed under a notice
// the page no longer shows is refused like any other: the person agreed
// to words that are not ours any more.
func (s *Server) openSignup(r *http.Request) (signup.Token, error) {
	if s.deps.Signup == nil {
		return signup.Token{}, fmt.Errorf("%w: sign-ups are not set up", errUnavailable)
	}
	tok, err := s.deps.Signup.Sealer.Open(r.PathValue("token"), s.now())
	if err != nil {
		return tok, err
	}
	text, _ := s.cfg.Signup.notice(tok.NoticeLocale)
	if tok.NoticeVersion != s.cfg.Signup.NoticeVersion || tok.NoticeHash != signup.NoticeDigest(text) {
		return tok, fmt.Errorf("%w: made under notice %q, which is no longer shown", signup.ErrInvalid, tok.NoticeVersion)
	}
	return tok, nil
}

// confirmGet shows what the sign-up asked for and a Confirm button. It
// records nothing: mail scanners open every link.
func (s *Server) confirmGet(w http.ResponseWriter, r *http.Request) {
	tok, err := s.openSignup(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	t := s.localeTongue(r, tok.Locale)
	v := confirmView{Action: r.URL.Path, Email: tok.Email, FirstName: tok.FirstName}
	v.Notice, _ = s.cfg.Signup.notice(tok.NoticeLocale)
	if !tok.Birthday.IsZero() {
		v.Birthday = t.DayMonth(tok.Birthday.Month, tok.Birthday.Day)
	}
	for _, p := range tok.Purposes {
		v.Purposes = append(v.Purposes, s.purposeTitleIn(t, p))
	}
	s.pages.render(w, t, http.StatusOK, "confirm", v)
}

type confirmedView struct {
	Purposes       []string
	Profile        []field
	PreferencesURL string
}

// confirmPost turns the sign-up into a customer and one granted consent per
// purpose ticked, each recording the notice shown and the time. The
// confirmation's key marks the records it made, so confirming again
// changes nothing.
func (s *Server) confirmPost(w http.ResponseWriter, r *http.Request) {
	tok, err := s.openSignup(r)
	if err == nil {
		err = s.sameOrigin(r)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ctx := r.Context()
	erased, err := s.deps.Store.AddressErased(ctx, tok.Email)
	if err != nil {
		s.fail(w, r, fmt.Errorf("check erasure: %w", err))
		return
	}
	if erased {
		s.fail(w, r, fmt.Errorf("sign-up of an erased address: %w", courtesy.ErrErased))
		return
	}
	c, err := s.confirm(ctx, tok)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	t := s.tongueFor(r, c.ID)
	v := confirmedView{
		Profile: profileFields(t, c),
		// The page's link inherits the confirmation's issue time: no page
		// mints a fresher link than the one that opened it.
		PreferencesURL: "/p/" + s.deps.Signer.Sign(consent.Token{
			Action: consent.ActionPreferences, CustomerID: c.ID, MessageKey: confirmationKey(c.ID, tok), IssuedAt: tok.IssuedAt,
		}),
	}
	for _, p := range tok.Purposes {
		v.Purposes = append(v.Purposes, s.purposeTitleIn(t, p))
	}
	s.pages.render(w, t, http.StatusOK, "confirmed", v)
}

// confirmationKey names one confirmation message: the consents it led to
// carry it, which is how a second confirmation knows it is one.
func confirmationKey(customerID string, tok signup.Token) string {
	return courtesy.MessageKey(KindConfirmation, customerID, strconv.FormatInt(tok.IssuedAt.Unix(), 10))
}

// confirm records the sign-up and returns the customer as it now stands.
func (s *Server) confirm(ctx context.Context, tok signup.Token) (courtesy.Customer, error) {
	now := s.now()
	c, err := s.deps.Store.CustomerByEmail(ctx, tok.Email)
	switch {
	case errors.Is(err, courtesy.ErrNotFound):
		c = courtesy.Customer{ID: s.deps.Signup.Sealer.CustomerID(tok.Email), Email: tok.Email, CreatedAt: now}
	case err != nil:
		return c, fmt.Errorf("look up the customer: %w", err)
	}
	key := confirmationKey(c.ID, tok)
	hist, err := s.deps.Store.ConsentHistory(ctx, c.ID)
	if err != nil && !errors.Is(err, courtesy.ErrNotFound) {
		return c, fmt.Errorf("consent history: %w", err)
	}
	done := map[string]bool{}
	for _, h := range hist {
		if h.MessageKey == key {
			done[h.Purpose] = true
		}
	}
	if len(done) == len(tok.Purposes) {
		return c, nil // confirmed before
	}
	if len(done) == 0 {
		// What the person gave fills in; what they left empty keeps what
		// the shop already had.
		if tok.FirstName != "" {
			c.FirstName = tok.FirstName
		}
		if !tok.Birthday.IsZero() {
			c.Birthday = tok.Birthday
		}
		if tok.Locale != "" {
			c.Locale = tok.Locale
		}
		c.UpdatedAt = now
		rowErrs, err := s.deps.Store.UpsertCustomers(ctx, []courtesy.Customer{c})
		if err == nil {
			err = rowErrs[0]
		}
		if err != nil {
			return c, fmt.Errorf("save the customer: %w", err)
		}
	}
	notice := s.cfg.Signup.noticeRecord(tok.NoticeLocale)
	for _, p := range tok.Purposes {
		if done[p] {
			continue
		}
		if _, err := s.deps.Store.AppendConsent(ctx, courtesy.ConsentRecord{
			CustomerID: c.ID, Purpose: p, Status: courtesy.Granted, Basis: "consent", Source: SourceSignup,
			Notice: notice, MessageKey: key, RecordedAt: now,
		}); err != nil {
			return c, fmt.Errorf("record consent to %s: %w", p, err)
		}
	}
	// The sign-up, for a welcome campaign and the owner's count of
	// confirmations; the confirmation message, now that it led somewhere,
	// for the owner to see.
	if _, _, err := s.deps.Store.AddEvent(ctx, courtesy.Event{CustomerID: c.ID, Type: courtesy.Signup, OrderID: key, OccurredAt: now}); err != nil {
		return c, fmt.Errorf("record the sign-up: %w", err)
	}
	if err := s.deps.Store.RecordEngagement(ctx, courtesy.Engagement{
		CustomerID: c.ID, MessageKey: key, CampaignID: KindConfirmation, Kind: KindConfirmation, At: tok.IssuedAt,
	}); err != nil {
		return c, fmt.Errorf("record the confirmation: %w", err)
	}
	return c, nil
}

// declinePost is the confirmation message's one-click unsubscribe (RFC
// 8058). Nothing was stored, so there is nothing to withdraw: an ignored
// confirmation is the end of it. It answers 200 whatever the token, as a
// mail provider expects.
func (s *Server) declinePost(w http.ResponseWriter, r *http.Request) {
	s.pages.render(w, s.visitorTongue(r), http.StatusOK, "declined", nil)
}

package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/consent"
)

// WhyDetail is the part of a message's Detail JSON the "why" page explains.
// The worker writes it; other keys in Detail are ignored here.
type WhyDetail struct {
	// Rule is the rule that fired, in plain words: "today is your birthday
	// in Europe/London".
	Rule string `json:"rule"`
	// Fired is the same as data, which the page words in the reader's
	// language; messages planned before it was kept have Rule only.
	Fired *courtesy.Fired `json:"fired"`
	// Data names the fields of the customer's data the decision used.
	Data []string `json:"data"`
	// Limits are the limits the message passed, or the one that refused
	// it, as data the page words in the reader's language; older rows have
	// them in English words, shown as they are.
	Limits []courtesy.LimitHit `json:"limits"`
	// ConsentID is the ledger record the send relied on.
	ConsentID int64 `json:"consent_id"`
}

type whyView struct {
	Action         string
	Campaign       string
	Subject        string
	Sent           time.Time
	Decision       string
	Detail         WhyDetail
	Consent        *courtesy.ConsentRecord
	ConsentTopic   string
	UnsubscribeURL string
	PreferencesURL string
}

// whyGet explains the message. It records nothing, not even that it was
// seen: mail scanners open every link, and a count of them would pass for
// the customers' interest.
func (s *Server) whyGet(w http.ResponseWriter, r *http.Request) {
	tok, err := s.verify(r, consent.ActionWhy)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ctx := r.Context()
	m, err := s.deps.Store.Message(ctx, tok.MessageKey)
	if err != nil {
		s.fail(w, r, heldNothing(err))
		return
	}
	if m.CustomerID != tok.CustomerID {
		// A token only ever names its own message; this is a wiring error
		// and must not show one person another's message.
		s.fail(w, r, fmt.Errorf("why: message %s is not %s's: %w", m.Key, tok.CustomerID, consent.ErrInvalidToken))
		return
	}
	var d WhyDetail
	if m.Detail != "" {
		if err := json.Unmarshal([]byte(m.Detail), &d); err != nil {
			s.cfg.Logger.Warn("why: message detail is not JSON", "key", m.Key, "err", err)
		}
	}
	hist, err := s.deps.Store.ConsentHistory(ctx, tok.CustomerID)
	if err != nil {
		s.fail(w, r, heldNothing(err))
		return
	}
	t := s.tongueFor(r, tok.CustomerID)
	v := whyView{
		Action:   r.URL.Path,
		Campaign: s.campaignName(t, m.CampaignID), Subject: m.Subject, Sent: m.DecidedAt,
		Decision: m.Decision.String(), Detail: d, ConsentTopic: s.purposeTitleIn(t, m.Purpose),
		UnsubscribeURL: s.link(consent.ActionUnsubscribe, tok),
		PreferencesURL: s.link(consent.ActionPreferences, tok),
	}
	if rec, ok := reliedOn(hist, d.ConsentID, m); ok {
		v.Consent = &rec
	}
	s.pages.render(w, t, http.StatusOK, "why", v)
}

// reliedOn finds the consent record the message relied on: the one its
// detail names, or else the one in force when it was decided.
func reliedOn(hist []courtesy.ConsentRecord, id int64, m courtesy.Message) (courtesy.ConsentRecord, bool) {
	if id != 0 {
		for _, r := range hist {
			if r.ID == id {
				return r, true
			}
		}
	}
	at := m.DecidedAt
	if at.IsZero() {
		at = m.CreatedAt
	}
	st := consent.Current(hist, m.Purpose, at)
	return st.Relied, st.Relied.ID != 0
}

// whyPost records that the customer read the explanation: the button on
// the page, pressed by a person, is the engagement a GET cannot prove.
func (s *Server) whyPost(w http.ResponseWriter, r *http.Request) {
	tok, ok := s.verifyPost(w, r, consent.ActionWhy)
	if !ok {
		return
	}
	err := s.deps.Store.RecordEngagement(r.Context(), courtesy.Engagement{CustomerID: tok.CustomerID, MessageKey: tok.MessageKey, CampaignID: campaignOf(tok.MessageKey), Kind: "why-view", At: s.now()})
	if err != nil {
		s.fail(w, r, heldNothing(fmt.Errorf("record why-view: %w", err)))
		return
	}
	t := s.tongueFor(r, tok.CustomerID)
	s.pages.render(w, t, http.StatusOK, "after", afterView{
		Heading: t.T("thanks.title"), Text: t.T("why.thanks_text"),
		PreferencesURL: s.link(consent.ActionPreferences, tok),
	})
}

package web

import (
	"context"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/consent"
)

// Sources the unsubscribe path records, telling the mail client's one-click
// POST from a person pressing the button on the page.
const (
	sourceOneClick = "one-click"
	sourcePage     = "unsubscribe-page"
)

// leaveReasons are the answers offered to "What made you leave?", in the
// themes the owner's report tallies.
var leaveReasons = []option{
	{Value: "too-many", Label: "Too many messages"},
	{Value: "not-relevant", Label: "Not relevant to me"},
	{Value: "intrusive", Label: "It felt intrusive"},
	{Value: "other", Label: "Something else"},
}

// reasonsIn are leaveReasons in the reader's language.
func reasonsIn(t tongue) []option {
	out := make([]option, len(leaveReasons))
	for i, o := range leaveReasons {
		out[i] = option{Value: o.Value, Label: t.T("reason." + o.Value)}
	}
	return out
}

type option struct{ Value, Label string }

const maxComment = 2000

type unsubscribeView struct {
	Action         string // the form's target: this same path
	PurposeTitle   string
	Email          string // masked
	Already        bool
	PreferencesURL string
}

type unsubscribedView struct {
	Action         string
	PurposeTitle   string
	All            bool
	Reasons        []option
	PreferencesURL string
}

type afterView struct {
	Heading        string
	Text           string
	PreferencesURL string
}

// unsubscribeGet shows the page with the one button. It changes nothing:
// mail scanners open every link.
func (s *Server) unsubscribeGet(w http.ResponseWriter, r *http.Request) {
	tok, err := s.verify(r, consent.ActionUnsubscribe)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	t := s.tongueFor(r, tok.CustomerID)
	v := unsubscribeView{
		Action:         r.URL.Path,
		PurposeTitle:   s.purposeTitleIn(t, tok.Purpose),
		PreferencesURL: s.link(consent.ActionPreferences, tok),
	}
	// What follows only makes the page friendlier; failing it must not stand
	// between a person and the button.
	if c, err := s.deps.Store.Customer(r.Context(), tok.CustomerID); err == nil {
		v.Email = maskEmail(c.Email)
	}
	if hist, err := s.deps.Store.ConsentHistory(r.Context(), tok.CustomerID); err == nil {
		v.Already = !consent.Current(hist, purposeOrAll(tok.Purpose), s.now()).Granted
	}
	s.pages.render(w, t, http.StatusOK, "unsubscribe", v)
}

// unsubscribePost is the RFC 8058 one-click endpoint and the page's own
// form. It answers 200 with a page, never a redirect, and only once the
// withdrawal is committed.
func (s *Server) unsubscribePost(w http.ResponseWriter, r *http.Request) {
	tok, err := s.verify(r, consent.ActionUnsubscribe)
	if err != nil {
		// A signed one-click POST is never rate limited — a mail provider
		// relays many people's unsubscribes from few addresses — but guessing
		// at tokens is.
		if !s.limiter.allow(s.clientIP(r), s.now()) {
			err = errRateLimited
		}
		s.fail(w, r, err)
		return
	}
	if !s.customerAllows(r, tok.CustomerID) {
		s.fail(w, r, errRateLimited)
		return
	}
	// A body that does not parse is still a one-click unsubscribe: RFC 8058
	// asks only for the POST.
	parseAnyForm(r, s.cfg.MaxBody)
	switch r.PostFormValue("step") {
	case "reason":
		s.leaveReason(w, r, tok)
	case "undo":
		s.undoUnsubscribe(w, r, tok)
	default:
		s.unsubscribe(w, r, tok)
	}
}

func (s *Server) unsubscribe(w http.ResponseWriter, r *http.Request, tok consent.Token) {
	ctx := r.Context()
	now := s.now()
	purpose := purposeOrAll(tok.Purpose)
	all := r.PostFormValue("stop") == "all"
	if all {
		purpose = courtesy.AllPurposes
	}
	source, notice := sourceOneClick, "one-click unsubscribe from the mail client (RFC 8058)"
	if r.PostFormValue("via") == "page" {
		source, notice = sourcePage, "unsubscribe page: "+s.stopLabel(purpose)
	}
	oo := courtesy.OptOut{CustomerID: tok.CustomerID, Purpose: purpose, Source: source, MessageKey: tok.MessageKey, At: now}
	if tok.MessageKey != "" {
		// The opt-out is attributed to the message's campaign and variant;
		// without them it still counts.
		if m, err := s.deps.Store.Message(ctx, tok.MessageKey); err == nil {
			oo.CampaignID, oo.Variant = m.CampaignID, m.Variant
		} else if !errors.Is(err, courtesy.ErrNotFound) {
			s.cfg.Logger.Warn("unsubscribe: message lookup failed; recording the opt-out without its campaign", "err", err)
		}
	}
	rec := courtesy.ConsentRecord{
		CustomerID: tok.CustomerID, Purpose: purpose, Status: courtesy.Withdrawn,
		Source: source, Notice: notice, MessageKey: tok.MessageKey, RecordedAt: now,
	}
	changed, err := false, error(nil)
	if !s.withdrawnAlready(ctx, tok.CustomerID, purpose) {
		changed, err = s.deps.Store.Withdraw(ctx, rec, oo)
	}
	switch {
	case errors.Is(err, courtesy.ErrErased), errors.Is(err, courtesy.ErrNotFound):
		// Nothing is held about this person, so nothing can be sent: the
		// request is already satisfied.
	case err != nil:
		s.fail(w, r, fmt.Errorf("%w: withdraw: %w", errUnavailable, err))
		return
	case changed:
		s.metrics.optOuts.WithLabelValues(source).Inc()
	}
	t := s.tongueFor(r, tok.CustomerID)
	s.pages.render(w, t, http.StatusOK, "unsubscribed", unsubscribedView{
		Action:         r.URL.Path,
		PurposeTitle:   s.purposeTitleIn(t, purpose),
		All:            all,
		Reasons:        reasonsIn(t),
		PreferencesURL: s.link(consent.ActionPreferences, tok),
	})
}

// leaveReason stores the optional answer to "What made you leave?" on the
// opt-out this message led to.
func (s *Server) leaveReason(w http.ResponseWriter, r *http.Request, tok consent.Token) {
	if err := s.sameOrigin(r); err != nil {
		s.fail(w, r, err)
		return
	}
	reason := r.PostFormValue("reason")
	if !validOption(leaveReasons, reason) {
		reason = ""
	}
	comment := clip(strings.TrimSpace(r.PostFormValue("comment")), maxComment)
	t := s.tongueFor(r, tok.CustomerID)
	done := afterView{Heading: t.T("after.reason_heading"), Text: t.T("after.reason_text"), PreferencesURL: s.link(consent.ActionPreferences, tok)}
	if reason == "" && comment == "" {
		s.pages.render(w, t, http.StatusOK, "after", done)
		return
	}
	outs, err := s.deps.Store.OptOuts(r.Context(), courtesy.Filter{CustomerID: tok.CustomerID})
	if err != nil {
		s.fail(w, r, fmt.Errorf("opt-outs of %s: %w", tok.CustomerID, err))
		return
	}
	if o, ok := optOutFor(outs, tok.MessageKey); ok {
		if err := s.deps.Store.SetOptOutReason(r.Context(), o.ID, reason, comment); err != nil {
			s.fail(w, r, fmt.Errorf("set opt-out reason: %w", err))
			return
		}
	}
	s.pages.render(w, t, http.StatusOK, "after", done)
}

// optOutFor picks the opt-out the message led to, or else the person's
// latest. outs come newest first.
func optOutFor(outs []courtesy.OptOut, messageKey string) (courtesy.OptOut, bool) {
	for _, o := range outs {
		if messageKey != "" && o.MessageKey == messageKey {
			return o, true
		}
	}
	if len(outs) > 0 {
		return outs[0], true
	}
	return courtesy.OptOut{}, false
}

// undoUnsubscribe re-grants what the page just withdrew, for the person who
// pressed the button by mistake. Consent is only recorded from the person's
// own act, so an undo may only revert the withdrawal this same link made,
// from the page itself, within undoWindow, and once; anything else is
// refused with a page that says where to turn instead.
func (s *Server) undoUnsubscribe(w http.ResponseWriter, r *http.Request, tok consent.Token) {
	if err := s.provenSameOrigin(r); err != nil {
		s.fail(w, r, err)
		return
	}
	purpose := purposeOrAll(tok.Purpose)
	if r.PostFormValue("stop") == "all" {
		purpose = courtesy.AllPurposes
	}
	hist, err := s.deps.Store.ConsentHistory(r.Context(), tok.CustomerID)
	if err != nil {
		s.fail(w, r, heldNothing(fmt.Errorf("undo unsubscribe: %w", err)))
		return
	}
	if err := undoable(hist, tok.MessageKey, purpose, s.now()); err != nil {
		s.fail(w, r, err)
		return
	}
	_, err = s.deps.Store.AppendConsent(r.Context(), courtesy.ConsentRecord{
		CustomerID: tok.CustomerID, Purpose: purpose, Status: courtesy.Granted, Basis: "consent",
		Source: sourcePage, Notice: "undo on the unsubscribe page: " + s.keepLabel(purpose),
		MessageKey: tok.MessageKey, RecordedAt: s.now(),
	})
	if err != nil {
		s.fail(w, r, fmt.Errorf("undo unsubscribe: %w", err))
		return
	}
	t := s.tongueFor(r, tok.CustomerID)
	s.pages.render(w, t, http.StatusOK, "after", afterView{
		Heading:        t.T("after.back_heading"),
		Text:           t.T("after.kept_text", s.purposeTitleIn(t, purpose)),
		PreferencesURL: s.link(consent.ActionPreferences, tok),
	})
}

// withdrawnAlready reports whether a withdrawal of purpose (or of
// everything) is already in force, so repeating it writes nothing. When the
// history cannot be read it says no, and the store decides.
func (s *Server) withdrawnAlready(ctx context.Context, customerID, purpose string) bool {
	hist, err := s.deps.Store.ConsentHistory(ctx, customerID)
	if err != nil {
		return false
	}
	return consent.Current(hist, purpose, s.now()).Relied.Status == courtesy.Withdrawn
}

func (s *Server) stopLabel(purpose string) string {
	if purpose == courtesy.AllPurposes {
		return "Stop all messages from " + s.cfg.BusinessName
	}
	return "Unsubscribe from " + s.purposeTitle(purpose)
}

func (s *Server) keepLabel(purpose string) string {
	if purpose == courtesy.AllPurposes {
		return "Start messages from " + s.cfg.BusinessName + " again"
	}
	return "Keep getting " + s.purposeTitle(purpose)
}

// parseAnyForm reads a urlencoded or multipart body into r.PostForm. Errors
// are dropped: callers treat missing fields as absent.
func parseAnyForm(r *http.Request, maxMemory int64) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "multipart/form-data" {
		_ = r.ParseMultipartForm(min(maxMemory, 1<<20))
		return
	}
	_ = r.ParseForm()
}

func purposeOrAll(p string) string {
	if p == "" {
		return courtesy.AllPurposes // a link that names no purpose stops everything
	}
	return p
}

func validOption(opts []option, v string) bool {
	for _, o := range opts {
		if o.Value == v {
			return true
		}
	}
	return false
}

func clip(s string, n int) string {
	s = strings.ToValidUTF8(s, "")
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}

// maskEmail shows enough of an address for a person to recognise it, and
// not enough for someone the email was forwarded to.
func maskEmail(e string) string {
	local, domain, ok := strings.Cut(e, "@")
	if !ok || local == "" {
		return ""
	}
	r, _ := utf8.DecodeRuneInString(local)
	return string(r) + "•••@" + domain
}

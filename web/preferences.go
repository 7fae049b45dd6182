package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/consent"
	"github.com/courtesyhq/courtesy/privacy"
	"github.com/courtesyhq/courtesy/throttle"
)

const sourcePreferences = "preferences"

var frequencyOptions = []option{
	{Value: "", Label: "any"},
	{Value: throttle.OnePerWeek.String(), Label: "week"},
	{Value: throttle.OnePerMonth.String(), Label: "month"},
}

// frequenciesIn are the frequency choices in the reader's language.
func frequenciesIn(t tongue) []option {
	out := make([]option, len(frequencyOptions))
	for i, o := range frequencyOptions {
		out[i] = option{Value: o.Value, Label: t.T("pref.freq." + o.Label)}
	}
	return out
}

type purposeRow struct {
	ID, Title, Description string
	On                     bool
}

type field struct{ Label, Value string }

type historyRow struct {
	When    time.Time
	Purpose string
	Status  string
	How     string
	Notice  string
}

type messageRow struct {
	When     time.Time
	Campaign string
	Subject  string
	WhyURL   string
}

type prefsView struct {
	Action      string
	Saved       bool
	StoppedAll  time.Time // when a "stop everything" is in force
	Purposes    []purposeRow
	PausedUntil time.Time
	Frequency   string
	Frequencies []option
	Profile     []field
	History     []historyRow
	Messages    []messageRow
	ExportURL   string
	EraseURL    string
}

func (s *Server) preferencesGet(w http.ResponseWriter, r *http.Request) {
	tok, err := s.verify(r, consent.ActionPreferences)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.showPreferences(w, r, tok, false)
}

func (s *Server) showPreferences(w http.ResponseWriter, r *http.Request, tok consent.Token, saved bool) {
	ctx := r.Context()
	now := s.now()
	c, err := s.deps.Store.Customer(ctx, tok.CustomerID)
	if err != nil {
		s.fail(w, r, heldNothing(err))
		return
	}
	hist, err := s.deps.Store.ConsentHistory(ctx, tok.CustomerID)
	if err != nil {
		s.fail(w, r, fmt.Errorf("consent history: %w", err))
		return
	}
	prefs, err := s.deps.Store.Preferences(ctx, tok.CustomerID)
	if err != nil {
		s.fail(w, r, fmt.Errorf("preferences: %w", err))
		return
	}
	msgs, err := s.deps.Store.Messages(ctx, courtesy.Filter{CustomerID: tok.CustomerID, Outcomes: []courtesy.Outcome{courtesy.Sent}, Limit: 20})
	if err != nil {
		s.fail(w, r, fmt.Errorf("messages: %w", err))
		return
	}
	t := s.tongueFor(r, tok.CustomerID)
	v := prefsView{
		Action:      r.URL.Path,
		Saved:       saved,
		Frequency:   prefs.MaxPerWindow,
		Frequencies: frequenciesIn(t),
		ExportURL:   "/p/" + r.PathValue("token") + "/export",
		EraseURL:    "/p/" + r.PathValue("token") + "/erase",
	}
	if prefs.PausedUntil.After(now) {
		v.PausedUntil = prefs.PausedUntil
	}
	if all := consent.Current(hist, courtesy.AllPurposes, now); all.Relied.Status == courtesy.Withdrawn {
		v.StoppedAll = all.Relied.RecordedAt
	}
	for _, p := range s.cfg.Purposes {
		v.Purposes = append(v.Purposes, purposeRow{ID: p.ID, Title: p.TitleIn(t.chosen()), Description: p.DescriptionIn(t.chosen()), On: consent.Current(hist, p.ID, now).Granted})
	}
	v.Profile = profileFields(t, c)
	sorted := consent.Sorted(hist)
	for i := len(sorted) - 1; i >= 0; i-- { // newest first
		h := sorted[i]
		v.History = append(v.History, historyRow{When: h.RecordedAt, Purpose: s.purposeTitleIn(t, h.Purpose), Status: string(h.Status), How: h.Source, Notice: h.Notice})
	}
	for _, m := range msgs {
		when := m.DecidedAt
		if when.IsZero() {
			when = m.DueAt
		}
		v.Messages = append(v.Messages, messageRow{
			When: when, Campaign: s.campaignName(t, m.CampaignID), Subject: m.Subject,
			WhyURL: s.linkFor(consent.ActionWhy, tok, m.Purpose, m.Key),
		})
	}
	s.pages.render(w, t, http.StatusOK, "preferences", v)
}

func profileFields(t tongue, c courtesy.Customer) []field {
	fs := []field{{t.T("profile.email"), c.Email}}
	add := func(label, v string) {
		if v != "" {
			fs = append(fs, field{label, v})
		}
	}
	add(t.T("profile.first_name"), c.FirstName)
	add(t.T("profile.last_name"), c.LastName)
	if !c.Birthday.IsZero() {
		fs = append(fs, field{t.T("profile.birthday"), t.T("profile.birthday_value", t.DayMonth(c.Birthday.Month, c.Birthday.Day))})
	}
	add(t.T("profile.timezone"), c.Timezone)
	add(t.T("profile.language"), c.Locale)
	return fs
}

// heldNothing turns "no such customer" into the page that says we hold
// nothing: a signed link proves the person was known, so they were erased.
func heldNothing(err error) error {
	if errors.Is(err, courtesy.ErrNotFound) {
		return fmt.Errorf("%w: %w", courtesy.ErrErased, err)
	}
	return err
}

func (s *Server) preferencesPost(w http.ResponseWriter, r *http.Request) {
	tok, ok := s.verifyPost(w, r, consent.ActionPreferences)
	if !ok {
		return
	}
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, fmt.Errorf("%w: %w", errInvalid, err))
		return
	}
	var changed bool
	var err error
	if r.PostFormValue("step") == "stopall" {
		changed, err = s.withdraw(r, tok, courtesy.AllPurposes, "preference page: stop all messages")
	} else {
		changed, err = s.savePreferences(r, tok)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if changed {
		if err := s.deps.Store.RecordEngagement(r.Context(), courtesy.Engagement{CustomerID: tok.CustomerID, MessageKey: tok.MessageKey, CampaignID: campaignOf(tok.MessageKey), Kind: "preference-change", At: s.now()}); err != nil {
			s.cfg.Logger.Warn("record engagement", "err", err)
		}
	}
	s.showPreferences(w, r, tok, true)
}

// savePreferences applies the form: a consent record for every purpose whose
// switch moved, and the pause and frequency.
func (s *Server) savePreferences(r *http.Request, tok consent.Token) (bool, error) {
	if err := s.checkPreferenceForm(r.PostForm); err != nil {
		return false, err
	}
	ctx := r.Context()
	now := s.now()
	hist, err := s.deps.Store.ConsentHistory(ctx, tok.CustomerID)
	if err != nil {
		return false, heldNothing(err)
	}
	want := r.PostForm["purpose"]
	changed := false
	for _, p := range s.cfg.Purposes {
		on := slices.Contains(want, p.ID)
		if on == consent.Current(hist, p.ID, now).Granted {
			continue
		}
		changed = true
		if !on {
			if _, err := s.withdraw(r, tok, p.ID, "preference page: "+p.Title+" off"); err != nil {
				return false, err
			}
			continue
		}
		if _, err := s.deps.Store.AppendConsent(ctx, courtesy.ConsentRecord{
			CustomerID: tok.CustomerID, Purpose: p.ID, Status: courtesy.Granted, Basis: "consent",
			Source: sourcePreferences, Notice: "preference page: " + p.Title + " — " + p.Description,
			MessageKey: tok.MessageKey, RecordedAt: now,
		}); err != nil {
			return false, fmt.Errorf("grant %s: %w", p.ID, err)
		}
	}

	prefs, err := s.deps.Store.Preferences(ctx, tok.CustomerID)
	if err != nil {
		return false, fmt.Errorf("preferences: %w", err)
	}
	next := prefs
	next.CustomerID = tok.CustomerID
	switch r.PostFormValue("pause") {
	case "30":
		next.PausedUntil = now.AddDate(0, 0, 30)
	case "90":
		next.PausedUntil = now.AddDate(0, 0, 90)
	case "none":
		next.PausedUntil = time.Time{}
	}
	if f := r.PostFormValue("frequency"); validOption(frequencyOptions, f) {
		next.MaxPerWindow = f
	}
	if !next.PausedUntil.Equal(prefs.PausedUntil) || next.MaxPerWindow != prefs.MaxPerWindow {
		changed = true
		next.UpdatedAt = now
		if err := s.deps.Store.SetPreferences(ctx, next); err != nil {
			return false, fmt.Errorf("set preferences: %w", err)
		}
	}
	return changed, nil
}

// checkPreferenceForm refuses a form the page could not have sent, before
// anything is written: a pause, frequency or purpose it does not offer.
func (s *Server) checkPreferenceForm(f url.Values) error {
	switch f.Get("pause") {
	case "", "keep", "none", "30", "90":
	default:
		return fmt.Errorf("%w: pause %q is not one the page offers", errInvalid, f.Get("pause"))
	}
	if fr, sent := f["frequency"]; sent && (len(fr) != 1 || !validOption(frequencyOptions, fr[0])) {
		return fmt.Errorf("%w: frequency %q is not one the page offers", errInvalid, fr)
	}
	for _, p := range f["purpose"] {
		if _, ok := s.cfg.Purposes.Get(p); !ok {
			return fmt.Errorf("%w: purpose %q is not one the page offers", errInvalid, p)
		}
	}
	return nil
}

// withdraw records a withdrawal made on the preference page, with its
// opt-out attributed to the message whose link led there.
func (s *Server) withdraw(r *http.Request, tok consent.Token, purpose, notice string) (bool, error) {
	now := s.now()
	oo := courtesy.OptOut{CustomerID: tok.CustomerID, Purpose: purpose, Source: sourcePreferences, MessageKey: tok.MessageKey, At: now}
	if tok.MessageKey != "" {
		if m, err := s.deps.Store.Message(r.Context(), tok.MessageKey); err == nil {
			oo.CampaignID, oo.Variant = m.CampaignID, m.Variant
		}
	}
	changed, err := s.deps.Store.Withdraw(r.Context(), courtesy.ConsentRecord{
		CustomerID: tok.CustomerID, Purpose: purpose, Status: courtesy.Withdrawn,
		Source: sourcePreferences, Notice: notice, MessageKey: tok.MessageKey, RecordedAt: now,
	}, oo)
	if err != nil {
		return false, fmt.Errorf("withdraw %s: %w", purpose, err)
	}
	if changed {
		s.metrics.optOuts.WithLabelValues(sourcePreferences).Inc()
	}
	return changed, nil
}

// campaignOf reads the campaign id out of a message key
// (campaign:customer:occurrence).
func campaignOf(key string) string {
	id, _, ok := strings.Cut(key, ":")
	if !ok {
		return ""
	}
	return id
}

func (s *Server) exportGet(w http.ResponseWriter, r *http.Request) {
	tok, err := s.verify(r, consent.ActionPreferences)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rec, err := privacy.Export(r.Context(), s.deps.Store, tok.CustomerID)
	if err != nil {
		s.fail(w, r, heldNothing(err))
		return
	}
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="my-data-%s.json"`, s.now().Format("2006-01-02")))
	writeJSON(w, http.StatusOK, rec)
}

type eraseView struct {
	Action         string
	PreferencesURL string
	Email          string
}

func (s *Server) eraseGet(w http.ResponseWriter, r *http.Request) {
	tok, err := s.verify(r, consent.ActionPreferences)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	c, err := s.deps.Store.Customer(r.Context(), tok.CustomerID)
	if err != nil {
		s.fail(w, r, heldNothing(err))
		return
	}
	s.pages.render(w, s.tongueFor(r, tok.CustomerID), http.StatusOK, "erase", eraseView{Action: r.URL.Path, PreferencesURL: "/p/" + r.PathValue("token"), Email: c.Email})
}

func (s *Server) erasePost(w http.ResponseWriter, r *http.Request) {
	tok, ok := s.verifyPost(w, r, consent.ActionPreferences)
	if !ok {
		return
	}
	if r.PostFormValue("confirm") != "yes" {
		// The confirmation step: nothing is erased without it.
		s.eraseGet(w, r)
		return
	}
	t := s.tongueFor(r, tok.CustomerID) // while there is still a customer to speak to
	if err := privacy.Erase(r.Context(), s.deps.Store, tok.CustomerID, s.now(), s.deps.Forget...); err != nil {
		s.fail(w, r, heldNothing(err))
		return
	}
	s.pages.render(w, t, http.StatusOK, "after", afterView{
		Heading: t.T("erase.done.heading"),
		Text:    t.T("erase.done.text"),
	})
}

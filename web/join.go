package web

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/courtesyhq/courtesy/signup"
)

// SignupConfig is the wording the sign-up page shows.
type SignupConfig struct {
	// NoticeVersion names NoticeText; every consent given through the page
	// records both. Defaults to "1".
	NoticeVersion string
	// NoticeText is what a person agrees to, shown beside the boxes.
	// Defaults to config.DefaultNotice's text.
	NoticeText string
	// NoticeTexts is the notice per BCP 47 locale, when the shop writes it
	// so: each reader of /join gets the one of their language. Defaults to
	// none.
	NoticeTexts map[string]string
	// PrivacyURL is the shop's privacy policy. Defaults to none.
	PrivacyURL string
}

// AddressGate bounds how many confirmations one address is sent.
type AddressGate interface {
	Allow(ctx context.Context, addressKey string, now time.Time) (bool, error)
}

// SignupTally counts sign-ups started, without keeping them.
type SignupTally interface {
	Started(ctx context.Context, now time.Time) error
}

// Signups is what the sign-up pages need besides the store and a Notifier.
type Signups struct {
	Sealer *signup.Sealer
	Gate   AddressGate
	Tally  SignupTally
}

// honeypot is the form field no person fills in: it is hidden from them,
// and bots fill in every field they find.
const honeypot = "website"

type joinView struct {
	Action   string
	Purposes []purposeRow
	Notice   string
	// NoticeLocale is the locale Notice is written under, "" for the
	// default text: the form sends it back, so the sign-up records what
	// was shown.
	NoticeLocale string
	Version      string
	PrivacyURL   string
	Errors       map[string]*signup.FieldError // by field
	Email        string
	FirstName    string
	Month, Day   string
	Months       []option
}

func (s *Server) joinView(t tongue, only []string) joinView {
	v := joinView{
		Action: "/join", Version: s.cfg.Signup.NoticeVersion,
		PrivacyURL: s.cfg.Signup.PrivacyURL, Errors: map[string]*signup.FieldError{},
	}
	v.Notice, v.NoticeLocale = s.cfg.Signup.noticeFor(t.chosen())
	for _, p := range s.cfg.Purposes {
		if len(only) == 0 || slices.Contains(only, p.ID) {
			v.Purposes = append(v.Purposes, purposeRow{ID: p.ID, Title: p.TitleIn(t.chosen()), Description: p.DescriptionIn(t.chosen())})
		}
	}
	if len(v.Purposes) == 0 { // ?purposes= named none we have: offer them all
		return s.joinView(t, nil)
	}
	v.Months = monthsIn(t)
	return v
}

// monthsIn are the choices of the birthday's month in t's language.
func monthsIn(t tongue) []option {
	out := make([]option, 12)
	for i := range out {
		out[i] = option{Value: fmt.Sprintf("%02d", i+1), Label: t.words.Month(time.Month(i + 1))}
	}
	return out
}

func (s *Server) joinGet(w http.ResponseWriter, r *http.Request) {
	if s.deps.Signup == nil || s.deps.Notify == nil {
		s.fail(w, r, fmt.Errorf("%w: sign-ups are not set up", errUnavailable))
		return
	}
	var only []string
	if q := r.URL.Query().Get("purposes"); q != "" {
		only = strings.Split(q, ",")
	}
	t := switching(r, s.visitorTongue(r))
	v := s.joinView(t, only)
	v.Action = joinAction(r)
	s.pages.render(w, t, http.StatusOK, "join", v)
}

// joinPost starts a sign-up. It may come from a form on another site, so it
// is the one form POST that is not held to the same-origin rule: all it can
// do is send one confirmation to the address given, within that address's
// limits. Its answer is the same whoever the address belongs to, and it
// reads nothing from the store.
func (s *Server) joinPost(w http.ResponseWriter, r *http.Request) {
	if s.deps.Signup == nil || s.deps.Notify == nil {
		s.fail(w, r, fmt.Errorf("%w: sign-ups are not set up", errUnavailable))
		return
	}
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, fmt.Errorf("%w: %v", errInvalid, err))
		return
	}
	f := r.PostForm
	t := s.localeTongue(r, f.Get("locale"))
	if f.Get(honeypot) != "" {
		s.cfg.Logger.Info("sign-up refused: the hidden field was filled in", "route", r.Pattern)
		s.pages.render(w, t, http.StatusOK, "joined", nil)
		return
	}
	form := signup.Form{
		Email: f.Get("email"), FirstName: f.Get("first_name"), Birthday: birthdayField(f.Get("birthday_month"), f.Get("birthday_day")),
		Locale: f.Get("locale"), Purposes: f["purpose"],
	}
	if form.Locale == "" {
		form.Locale = langParam(r)
	}
	if form.Locale == "" {
		form.Locale = browserLocale(r)
	}
	req, errs := signup.Check(form, s.cfg.Purposes.IDs())
	if v := f.Get("notice"); v != "" && v != s.cfg.Signup.NoticeVersion {
		errs = append(errs, signup.FieldError{Field: "notice", Code: "changed", Message: "the wording has changed since the form was made"})
	}
	if errs != nil {
		t = switching(r, t)
		v := s.joinView(t, nil)
		v.Action = joinAction(r)
		v.Email, v.FirstName = f.Get("email"), f.Get("first_name")
		v.Month, v.Day = f.Get("birthday_month"), f.Get("birthday_day")
		for i := range v.Purposes {
			v.Purposes[i].On = slices.Contains(f["purpose"], v.Purposes[i].ID)
		}
		for _, e := range errs {
			v.Errors[e.Field] = &e
		}
		s.pages.render(w, t, http.StatusUnprocessableEntity, "join", v)
		return
	}
	if err := s.startSignup(r.Context(), req, f.Get("notice_locale"), t); err != nil {
		s.fail(w, r, err)
		return
	}
	s.pages.render(w, t, http.StatusOK, "joined", nil)
}

// joinAction is where the form posts: back to /join, in the language the
// reader chose, if they chose one.
func joinAction(r *http.Request) string {
	if lp := langParam(r); lp != "" {
		return "/join?lang=" + lp
	}
	return "/join"
}

// birthdayField joins the month and day selects into MM-DD; either alone
// is kept as it is, so the check names the field.
func birthdayField(month, day string) string {
	month, day = strings.TrimSpace(month), strings.TrimSpace(day)
	if month == "" && day == "" {
		return ""
	}
	if len(day) == 1 {
		day = "0" + day
	}
	return month + "-" + day
}

// browserLocale is the first language the browser asks for, when it is one
// a tag can name.
func browserLocale(r *http.Request) string {
	first, _, _ := strings.Cut(r.Header.Get("Accept-Language"), ",")
	first, _, _ = strings.Cut(first, ";")
	first = strings.TrimSpace(first)
	if !signup.ValidLocale(first) {
		return ""
	}
	return first
}

// startSignup sends the confirmation of req, if the address's limits allow
// one now. Whether they did is not the caller's to tell: the answer to the
// person is the same. The message goes after the answer, so no answer waits
// on the SMTP server for some addresses and not for others. noticeLocale is
// the locale of the notice the person was shown, "" for the default text;
// t is the language they were answered in, which the confirmation speaks.
func (s *Server) startSignup(ctx context.Context, req signup.Request, noticeLocale string, t tongue) error {
	now := s.now()
	sg := s.deps.Signup
	if sg.Tally != nil {
		if err := sg.Tally.Started(ctx, now); err != nil {
			s.cfg.Logger.Warn("count a sign-up", "err", err)
		}
	}
	ok, err := sg.Gate.Allow(ctx, sg.Sealer.AddressKey(req.Email), now)
	if err != nil {
		return fmt.Errorf("%w: %v", errUnavailable, err)
	}
	if !ok {
		s.cfg.Logger.Info("sign-up confirmation not sent: the address had its share")
		return nil
	}
	text, shown := s.cfg.Signup.notice(noticeLocale)
	tok := signup.Token{
		Request: req, NoticeVersion: s.cfg.Signup.NoticeVersion,
		NoticeHash: signup.NoticeDigest(text), NoticeLocale: shown, IssuedAt: now,
	}
	m, err := s.confirmationMessage(t, tok, sg.Sealer.Seal(tok))
	if err != nil {
		return err
	}
	s.background.Add(1)
	go func() {
		defer s.background.Done()
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), freshSendTimeout)
		defer cancel()
		if err := s.deps.Notify.Notify(ctx, m); err != nil {
			s.cfg.Logger.Warn("sign-up confirmation not sent", "err", err)
		}
	}()
	return nil
}

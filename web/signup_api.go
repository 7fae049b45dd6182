package web

import (
	"fmt"
	"net/http"

	"github.com/courtesyhq/courtesy/signup"
)

// signupIn is a sign-up a shop's backend starts for a person, who then
// confirms it from the message like any other.
type signupIn struct {
	Email     string   `json:"email"`
	FirstName string   `json:"first_name"`
	Birthday  string   `json:"birthday"`
	Locale    string   `json:"locale"`
	Purposes  []string `json:"purposes"`
}

// apiSignups starts the double opt-in of one sign-up. It answers 202 when
// the request is valid, whether or not the address's limits let a
// confirmation go now: the backend learns no more than the page does.
func (s *Server) apiSignups(w http.ResponseWriter, r *http.Request) {
	if !s.authorized(r) {
		s.failJSON(w, r, errUnauthorized)
		return
	}
	if s.deps.Signup == nil || s.deps.Notify == nil {
		s.failJSON(w, r, fmt.Errorf("%w: sign-ups are not set up", errUnavailable))
		return
	}
	in, err := decodeItems[signupIn](r)
	if err == nil && len(in) != 1 {
		err = problems{{Index: 0, Message: "one sign-up per request"}}
	}
	if err != nil {
		s.failJSON(w, r, err)
		return
	}
	// The person's language is the one the request names, else the one
	// their browser asked the shop for, when the backend passes it on;
	// else the business's. The confirmation speaks it, and the notice is
	// the one /join shows a reader of it: the text the sign-up records.
	form := signup.Form{
		Email: in[0].Email, FirstName: in[0].FirstName, Birthday: in[0].Birthday, Locale: in[0].Locale, Purposes: in[0].Purposes,
	}
	if form.Locale == "" {
		form.Locale = browserLocale(r)
	}
	req, errs := signup.Check(form, s.cfg.Purposes.IDs())
	if errs != nil {
		var ps problems
		for _, e := range errs {
			ps = append(ps, problem{Index: 0, Field: e.Field, Message: e.Message})
		}
		s.failJSON(w, r, ps)
		return
	}
	t := s.localeTongue(r, in[0].Locale)
	_, shown := s.cfg.Signup.noticeFor(t.chosen())
	if err := s.startSignup(r.Context(), req, shown, t); err != nil {
		s.failJSON(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]string{"status": "a confirmation goes to the address unless it had one lately"})
}

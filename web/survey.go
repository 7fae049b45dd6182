package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/consent"
)

type surveyView struct {
	Action   string
	Scores   []scoreOption
	Comment  string
	Missing  bool
	Question string
}

type scoreOption struct {
	Value    int
	Selected bool
}

type thanksView struct {
	Detractor bool
	ReplyTo   string
}

// surveyGet shows the question with the score from the email's link
// pre-selected. It records nothing: link scanners open all eleven links.
func (s *Server) surveyGet(w http.ResponseWriter, r *http.Request) {
	tok, err := s.verify(r, consent.ActionSurvey)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	score, _ := parseScore(r.URL.Query().Get("score"))
	t := s.tongueFor(r, tok.CustomerID)
	s.pages.render(w, t, http.StatusOK, "survey", s.surveyView(t, r, score, "", false))
}

func (s *Server) surveyView(t tongue, r *http.Request, score int, comment string, missing bool) surveyView {
	v := surveyView{Action: r.URL.Path, Comment: comment, Missing: missing, Question: t.T("nps.question", s.cfg.BusinessName)}
	for n := 0; n <= 10; n++ {
		v.Scores = append(v.Scores, scoreOption{Value: n, Selected: n == score})
	}
	return v
}

// surveyPost records the answer; one per message, a later one replaces it.
func (s *Server) surveyPost(w http.ResponseWriter, r *http.Request) {
	tok, ok := s.verifyPost(w, r, consent.ActionSurvey)
	if !ok {
		return
	}
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, fmt.Errorf("%w: %w", errInvalid, err))
		return
	}
	comment := clip(strings.TrimSpace(r.PostFormValue("comment")), maxComment)
	score, ok := parseScore(r.PostFormValue("score"))
	if !ok {
		t := s.tongueFor(r, tok.CustomerID)
		s.pages.render(w, t, http.StatusUnprocessableEntity, "survey", s.surveyView(t, r, -1, comment, true))
		return
	}
	a := courtesy.Answer{MessageKey: tok.MessageKey, CustomerID: tok.CustomerID, CampaignID: campaignOf(tok.MessageKey), Score: score, Comment: comment, At: s.now()}
	if m, err := s.deps.Store.Message(r.Context(), tok.MessageKey); err == nil {
		a.CampaignID, a.Variant = m.CampaignID, m.Variant
	}
	if err := s.deps.Store.RecordAnswer(r.Context(), a); err != nil {
		s.fail(w, r, heldNothing(fmt.Errorf("record answer: %w", err)))
		return
	}
	s.pages.render(w, s.tongueFor(r, tok.CustomerID), http.StatusOK, "thanks", thanksView{Detractor: score <= 6, ReplyTo: s.cfg.ReplyTo})
}

func parseScore(v string) (int, bool) {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 0 || n > 10 {
		return -1, false
	}
	return n, true
}

package web

import (
	"github.com/courtesyhq/courtesy/locale"
	"net/http"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/consent"
)

// verify checks the request's path token for the action.
func (s *Server) verify(r *http.Request, a consent.Action) (consent.Token, error) {
	return s.deps.Signer.Verify(a, r.PathValue("token"), s.now())
}

// verifyPost is verify for a form posted back to a customer page: the post
// must also come from this site, within the customer's limit. When it
// returns false it has answered.
func (s *Server) verifyPost(w http.ResponseWriter, r *http.Request, a consent.Action) (consent.Token, bool) {
	tok, err := s.verify(r, a)
	if err == nil {
		err = s.sameOrigin(r)
	}
	if err == nil && !s.customerAllows(r, tok.CustomerID) {
		err = errRateLimited
	}
	if err != nil {
		s.fail(w, r, err)
		return consent.Token{}, false
	}
	return tok, true
}

var actionPaths = map[consent.Action]string{
	consent.ActionUnsubscribe: "/u/",
	consent.ActionPreferences: "/p/",
	consent.ActionWhy:         "/why/",
	consent.ActionSurvey:      "/s/",
}

// link returns a site-relative path to another page for the same person and
// message. Its token keeps from's issue time: no page mints a link that
// outlives the one that opened it.
func (s *Server) link(a consent.Action, from consent.Token) string {
	return actionPaths[a] + s.deps.Signer.Derive(from, a)
}

// linkFor is link to another message of the same person.
func (s *Server) linkFor(a consent.Action, from consent.Token, purpose, messageKey string) string {
	return actionPaths[a] + s.deps.Signer.DeriveFor(from, a, messageKey, purpose)
}

// purposeTitle is a purpose's title in the business's own words, as
// records keep it.
func (s *Server) purposeTitle(id string) string { return s.purposeTitleIn(tongue{}, id) }

// purposeTitleIn is a purpose's title in the reader's language where the
// business wrote one.
func (s *Server) purposeTitleIn(t tongue, id string) string {
	if id == courtesy.AllPurposes || id == "" {
		return t.T("why.all_messages")
	}
	if p, ok := s.cfg.Purposes.Get(id); ok {
		return p.TitleIn(t.chosen())
	}
	return id
}

// campaignName is a campaign's name in the reader's language where the
// business wrote one.
func (s *Server) campaignName(t tongue, id string) string {
	if n := locale.ChooseOr(s.cfg.LocalNames[id], t.chosen(), s.cfg.CampaignNames[id]); n != "" {
		return n
	}
	return id
}

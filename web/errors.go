package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/consent"
	"github.com/courtesyhq/courtesy/signup"
	"github.com/courtesyhq/courtesy/store"
)

// Kinds of failure a handler reports; status maps them, and every other
// error, to an HTTP status.
var (
	errInvalid      = errors.New("invalid input")
	errUnauthorized = errors.New("unauthorized")
	errCrossOrigin  = errors.New("cross-origin form post")
	errRateLimited  = errors.New("rate limited")
	errUnavailable  = errors.New("temporarily unavailable")
	// errNotUndoable (undo.go) maps to 409.
)

// status is the one place errors become HTTP statuses.
func status(err error) int {
	var tooBig *http.MaxBytesError
	switch {
	case errors.Is(err, consent.ErrInvalidToken), errors.Is(err, signup.ErrInvalid):
		return http.StatusNotFound // one answer for every bad link: nothing to enumerate
	case errors.As(err, &tooBig):
		return http.StatusRequestEntityTooLarge
	case errors.Is(err, errUnauthorized):
		return http.StatusUnauthorized
	case errors.Is(err, errCrossOrigin):
		return http.StatusForbidden
	case errors.Is(err, errRateLimited):
		return http.StatusTooManyRequests
	case errors.Is(err, errInvalid):
		return http.StatusUnprocessableEntity
	case errors.Is(err, errNotUndoable):
		return http.StatusConflict
	case errors.Is(err, courtesy.ErrErased): // before ErrNotFound: see heldNothing
		return http.StatusGone
	case errors.Is(err, courtesy.ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, errUnavailable), errors.Is(err, context.DeadlineExceeded), store.IsUnavailable(err):
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// fail answers a page request that went wrong with the error page for its
// status. The page never shows err: it goes to the log.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	code := status(err)
	s.logFailure(r, code, err)
	if code == http.StatusTooManyRequests {
		w.Header().Set("Retry-After", "10")
	}
	if errors.Is(err, consent.ErrExpired) && s.offersFreshLinks() {
		s.expired(w, r)
		return
	}
	t := switchingHere(s.visitorTongue(r))
	page := errorView(t, code)
	if errors.Is(err, consent.ErrExpired) {
		// Only a correctly signed link can have expired, so saying so tells
		// a guesser nothing.
		page.Heading = t.T("error.expired.heading")
		page.Text = t.T("error.expired.text")
	}
	s.pages.render(w, t, code, "error", page)
}

// failJSON answers an API request that went wrong.
func (s *Server) failJSON(w http.ResponseWriter, r *http.Request, err error) {
	code := status(err)
	s.logFailure(r, code, err)
	body := map[string]any{"error": strings.ToLower(http.StatusText(code))}
	var pe problems
	if errors.As(err, &pe) {
		body["problems"] = pe
	}
	if code == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="courtesy"`)
	}
	writeJSON(w, code, body)
}

func (s *Server) logFailure(r *http.Request, code int, err error) {
	// The token is a credential of the person it was sent to: log the route,
	// never the path.
	level := s.cfg.Logger.Warn
	if code >= 500 {
		level = s.cfg.Logger.Error
	}
	level("request failed", "route", r.Pattern, "method", r.Method, "status", code, "err", err)
}

// errorPage is what the generic error page says for a status.
type errorPage struct {
	Status  int
	Heading string
	Text    string
}

// errorView is what the error page says for a status, in t's language.
func errorView(t tongue, code int) errorPage {
	page := func(kind, text string) errorPage {
		return errorPage{code, t.T("error." + kind + ".heading"), t.T("error." + text + ".text")}
	}
	switch code {
	case http.StatusNotFound:
		return page("notfound", "notfound")
	case http.StatusForbidden:
		return page("forbidden", "forbidden")
	case http.StatusTooManyRequests:
		return page("toomany", "toomany")
	case http.StatusConflict:
		return page("conflict", "conflict")
	case http.StatusRequestEntityTooLarge:
		return page("toolarge", "toolarge")
	case http.StatusUnprocessableEntity, http.StatusBadRequest:
		return page("invalid", "invalid")
	case http.StatusGone:
		return page("gone", "gone")
	case http.StatusServiceUnavailable:
		return page("unavailable", "retry")
	}
	return page("internal", "retry")
}

// problem is one thing wrong with an API request: which item, which field.
type problem struct {
	Index   int    `json:"index"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

// problems is an error listing every problem found in a request.
type problems []problem

func (ps problems) Error() string {
	parts := make([]string, len(ps))
	for i, p := range ps {
		parts[i] = fmt.Sprintf("item %d: %s: %s", p.Index, p.Field, p.Message)
	}
	return strings.Join(parts, "; ")
}

func (ps problems) Unwrap() error { return errInvalid }

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

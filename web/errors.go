package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

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
	case errors.Is(err, store.ErrErased): // before ErrNotFound: see heldNothing
		return http.StatusGone
	case errors.Is(err, store.ErrNotFound):
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
	page := errorView(code)
	if errors.Is(err, consent.ErrExpired) {
		// Only a correctly signed link can have expired, so saying so tells
		// a guesser nothing.
		page.Heading = "This link has expired"
		page.Text = "For your safety, the links to your preferences, surveys and explanations last a few months. The unsubscribe link in any of our emails always works, and our newest email has fresh links for the rest."
	}
	s.pages.render(w, code, "error", page)
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

func errorView(code int) errorPage {
	switch code {
	case http.StatusNotFound:
		return errorPage{code, "This link doesn't work", "The links in our emails are personal and made to last; this one may have been cut short or changed on the way. Try opening it again from the email, or simply reply to that email and a person will sort it out."}
	case http.StatusForbidden:
		return errorPage{code, "Please use the page itself", "For your safety this form only works from our own page. Open the link from your email again and use the buttons there."}
	case http.StatusTooManyRequests:
		return errorPage{code, "One moment, please", "We've had a lot of requests from your connection just now. Please wait a few seconds and try again."}
	case http.StatusConflict:
		return errorPage{code, "This can't be undone here", "An unsubscribe can be undone only from the page that made it, once, and for ten minutes after. To hear from us again, choose what you'd like on your preference page: its link is in our newest email."}
	case http.StatusRequestEntityTooLarge:
		return errorPage{code, "That was too much to send", "Please shorten what you wrote and try again."}
	case http.StatusUnprocessableEntity, http.StatusBadRequest:
		return errorPage{code, "Something was missing", "Please go back and check the form."}
	case http.StatusGone:
		return errorPage{code, "We hold nothing about you", "Your data was erased at your request. There is nothing more to change."}
	case http.StatusServiceUnavailable:
		return errorPage{code, "We couldn't save that just now", "Nothing went through. Please try again in a minute; if it keeps happening, reply to any of our emails."}
	}
	return errorPage{code, "Something went wrong on our side", "Nothing went through. Please try again in a minute; if it keeps happening, reply to any of our emails."}
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

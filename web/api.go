package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/mail"
	"strconv"
	"strings"
	"time"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/locale"
)

// The JSON the ingest API takes mirrors the CSV columns of the import
// command, one object per row; a request holds one object or an array.

type customerIn struct {
	ID        string `json:"id"`
	Email     string `json:"email"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	Birthday  string `json:"birthday"`
	Timezone  string `json:"timezone"`
	Locale    string `json:"locale"`
}

type consentIn struct {
	CustomerID string `json:"customer_id"`
	Purpose    string `json:"purpose"`
	Status     string `json:"status"`
	Basis      string `json:"basis"`
	Source     string `json:"source"`
	Notice     string `json:"notice"`
	RecordedAt string `json:"recorded_at"`
	ExpiresAt  string `json:"expires_at"`
}

type eventIn struct {
	CustomerID string          `json:"customer_id"`
	Type       string          `json:"type"`
	ItemID     string          `json:"item_id"`
	ItemName   string          `json:"item_name"`
	ItemURL    string          `json:"item_url"`
	OrderID    string          `json:"order_id"`
	Amount     json.RawMessage `json:"amount"`
	OccurredAt string          `json:"occurred_at"`
}

// decodeItems reads one object or an array of them, refusing unknown fields
// and naming the item and field at fault.
func decodeItems[T any](r *http.Request) ([]T, error) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, fmt.Errorf("read body: %w", err)
	}
	body = bytes.TrimSpace(body)
	var raws []json.RawMessage
	switch {
	case len(body) == 0:
		return nil, problems{{Index: 0, Message: "empty body: want a JSON object or an array of them"}}
	case body[0] == '[':
		if err := json.Unmarshal(body, &raws); err != nil {
			return nil, problems{{Index: 0, Message: "not a JSON array of objects: " + err.Error()}}
		}
	default:
		raws = []json.RawMessage{body}
	}
	items := make([]T, len(raws))
	var ps problems
	for i, raw := range raws {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&items[i]); err != nil {
			ps = append(ps, jsonProblem(i, err))
		}
	}
	if len(ps) > 0 {
		return nil, ps
	}
	return items, nil
}

func jsonProblem(i int, err error) problem {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return problem{Index: i, Field: te.Field, Message: "want a " + te.Type.String()}
	}
	if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return problem{Index: i, Field: strings.Trim(f, `"`), Message: "unknown field"}
	}
	return problem{Index: i, Message: "not a JSON object: " + err.Error()}
}

// api wraps an ingest handler: bearer key first, then the body limit's and
// the validation's answers as JSON.
func (s *Server) api(w http.ResponseWriter, r *http.Request, handle func() (any, error)) {
	if !s.authorized(r) {
		s.failJSON(w, r, errUnauthorized)
		return
	}
	out, err := handle()
	if err != nil {
		s.failJSON(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

type ingestResult struct {
	Accepted int       `json:"accepted"`
	Rejected []problem `json:"rejected,omitempty"`
	IDs      []int64   `json:"ids,omitempty"`
	Inserted []bool    `json:"inserted,omitempty"`
}

func (s *Server) apiCustomers(w http.ResponseWriter, r *http.Request) {
	s.api(w, r, func() (any, error) {
		in, err := decodeItems[customerIn](r)
		if err != nil {
			return nil, err
		}
		cs := make([]courtesy.Customer, len(in))
		var ps problems
		for i, c := range in {
			var p *problem
			cs[i], p = validCustomer(i, c)
			if p != nil {
				ps = append(ps, *p)
			}
		}
		if len(ps) > 0 {
			return nil, ps
		}
		rowErrs, err := s.deps.Store.UpsertCustomers(r.Context(), cs)
		if err != nil {
			return nil, fmt.Errorf("upsert customers: %w", err)
		}
		res := ingestResult{}
		for i := range cs {
			if i < len(rowErrs) && rowErrs[i] != nil {
				msg := "not stored"
				if errors.Is(rowErrs[i], courtesy.ErrErased) {
					msg = "this address was erased at its owner's request and cannot be added again"
				}
				res.Rejected = append(res.Rejected, problem{Index: i, Field: "email", Message: msg})
				continue
			}
			res.Accepted++
		}
		return res, nil
	})
}

func validCustomer(i int, c customerIn) (courtesy.Customer, *problem) {
	bad := func(field, msg string) (courtesy.Customer, *problem) {
		return courtesy.Customer{}, &problem{Index: i, Field: field, Message: msg}
	}
	out := courtesy.Customer{
		ID: strings.TrimSpace(c.ID), Email: strings.TrimSpace(c.Email),
		FirstName: strings.TrimSpace(c.FirstName), LastName: strings.TrimSpace(c.LastName),
		Timezone: strings.TrimSpace(c.Timezone), Locale: strings.TrimSpace(c.Locale),
	}
	if out.ID == "" {
		return bad("id", "required")
	}
	if out.Email == "" {
		return bad("email", "required")
	}
	if a, err := mail.ParseAddress(out.Email); err != nil || a.Address != out.Email || !strings.Contains(a.Address, ".") {
		return bad("email", fmt.Sprintf("%q is not an email address", out.Email))
	}
	md, err := courtesy.ParseMonthDay(c.Birthday)
	if err != nil {
		return bad("birthday", err.Error())
	}
	out.Birthday = md
	if out.Timezone != "" {
		if _, err := time.LoadLocation(out.Timezone); err != nil || out.Timezone == "Local" {
			return bad("timezone", fmt.Sprintf("%q is not an IANA time zone such as Europe/London", out.Timezone))
		}
	}
	if out.Locale != "" {
		if out.Locale, err = locale.Normalize(out.Locale); err != nil {
			return bad("locale", err.Error())
		}
	}
	return out, nil
}

func (s *Server) apiConsents(w http.ResponseWriter, r *http.Request) {
	s.api(w, r, func() (any, error) {
		in, err := decodeItems[consentIn](r)
		if err != nil {
			return nil, err
		}
		recs := make([]courtesy.ConsentRecord, len(in))
		var ps problems
		for i, c := range in {
			var p *problem
			recs[i], p = s.validConsent(i, c)
			if p != nil {
				ps = append(ps, *p)
			}
		}
		if len(ps) > 0 {
			return nil, ps
		}
		res := ingestResult{}
		for i, rec := range recs {
			id, err := s.deps.Store.AppendConsent(r.Context(), rec)
			switch {
			case errors.Is(err, courtesy.ErrErased):
				res.Rejected = append(res.Rejected, problem{Index: i, Field: "customer_id", Message: "this customer's data was erased"})
			case errors.Is(err, courtesy.ErrNotFound):
				res.Rejected = append(res.Rejected, problem{Index: i, Field: "customer_id", Message: "no such customer"})
			case err != nil:
				return nil, fmt.Errorf("append consent %d: %w", i, err)
			default:
				res.Accepted++
				res.IDs = append(res.IDs, id)
			}
		}
		return res, nil
	})
}

func (s *Server) validConsent(i int, c consentIn) (courtesy.ConsentRecord, *problem) {
	bad := func(field, msg string) (courtesy.ConsentRecord, *problem) {
		return courtesy.ConsentRecord{}, &problem{Index: i, Field: field, Message: msg}
	}
	rec := courtesy.ConsentRecord{
		CustomerID: strings.TrimSpace(c.CustomerID), Purpose: strings.TrimSpace(c.Purpose),
		Status: courtesy.ConsentStatus(strings.TrimSpace(c.Status)), Basis: strings.TrimSpace(c.Basis),
		Source: strings.TrimSpace(c.Source), Notice: strings.TrimSpace(c.Notice),
	}
	if rec.CustomerID == "" {
		return bad("customer_id", "required")
	}
	if _, ok := s.cfg.Purposes.Get(rec.Purpose); !ok && rec.Purpose != courtesy.AllPurposes {
		return bad("purpose", fmt.Sprintf("%q is not a configured purpose (have %s)", rec.Purpose, strings.Join(s.cfg.Purposes.IDs(), ", ")))
	}
	if rec.Status != courtesy.Granted && rec.Status != courtesy.Withdrawn {
		return bad("status", "want granted or withdrawn")
	}
	switch rec.Basis {
	case "", "consent", "soft-opt-in", "implied":
	default:
		return bad("basis", "want consent, soft-opt-in or implied")
	}
	if rec.Source == "" {
		rec.Source = "api"
	}
	if rec.Status == courtesy.Granted && rec.Notice == "" {
		return bad("notice", "required for a grant: the wording, or its version, the person agreed to")
	}
	var err error
	if rec.RecordedAt, err = parseTime(c.RecordedAt, s.now()); err != nil {
		return bad("recorded_at", err.Error())
	}
	if rec.RecordedAt.After(s.now().Add(5 * time.Minute)) {
		return bad("recorded_at", "is in the future")
	}
	if c.ExpiresAt != "" {
		if rec.ExpiresAt, err = parseTime(c.ExpiresAt, time.Time{}); err != nil {
			return bad("expires_at", err.Error())
		}
	}
	return rec, nil
}

func (s *Server) apiEvents(w http.ResponseWriter, r *http.Request) {
	s.api(w, r, func() (any, error) {
		in, err := decodeItems[eventIn](r)
		if err != nil {
			return nil, err
		}
		evs := make([]courtesy.Event, len(in))
		var ps problems
		for i, e := range in {
			var p *problem
			evs[i], p = s.validEvent(i, e)
			if p != nil {
				ps = append(ps, *p)
			}
		}
		if len(ps) > 0 {
			return nil, ps
		}
		res := ingestResult{}
		for i, e := range evs {
			id, inserted, err := s.deps.Store.AddEvent(r.Context(), e)
			switch {
			case errors.Is(err, courtesy.ErrNotFound):
				res.Rejected = append(res.Rejected, problem{Index: i, Field: "customer_id", Message: "no such customer"})
			case errors.Is(err, courtesy.ErrErased):
				res.Rejected = append(res.Rejected, problem{Index: i, Field: "customer_id", Message: "this customer's data was erased"})
			case err != nil:
				return nil, fmt.Errorf("add event %d: %w", i, err)
			default:
				res.Accepted++
				res.IDs = append(res.IDs, id)
				res.Inserted = append(res.Inserted, inserted)
			}
		}
		return res, nil
	})
}

func (s *Server) validEvent(i int, e eventIn) (courtesy.Event, *problem) {
	bad := func(field, msg string) (courtesy.Event, *problem) {
		return courtesy.Event{}, &problem{Index: i, Field: field, Message: msg}
	}
	ev := courtesy.Event{
		CustomerID: strings.TrimSpace(e.CustomerID), Type: courtesy.EventType(strings.TrimSpace(e.Type)),
		ItemID: strings.TrimSpace(e.ItemID), ItemName: strings.TrimSpace(e.ItemName),
		ItemURL: strings.TrimSpace(e.ItemURL), OrderID: strings.TrimSpace(e.OrderID),
	}
	if ev.CustomerID == "" {
		return bad("customer_id", "required")
	}
	switch ev.Type {
	case courtesy.Interest:
		if ev.ItemID == "" {
			return bad("item_id", "required for an interest event")
		}
	case courtesy.Purchase:
	default:
		return bad("type", "want interest or purchase")
	}
	if ev.ItemURL != "" && !strings.HasPrefix(ev.ItemURL, "https://") && !strings.HasPrefix(ev.ItemURL, "http://") {
		return bad("item_url", "want an http(s) URL")
	}
	cents, err := parseAmount(e.Amount)
	if err != nil {
		return bad("amount", err.Error())
	}
	ev.AmountCents = cents
	if ev.OccurredAt, err = parseTime(e.OccurredAt, s.now()); err != nil {
		return bad("occurred_at", err.Error())
	}
	return ev, nil
}

// parseTime reads RFC 3339, or a bare date (midnight UTC); "" gives def.
func parseTime(v string, def time.Time) (time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return def, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	if t, err := time.Parse("2006-01-02", v); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%q is not a time (want RFC 3339, e.g. 2026-11-28T09:30:00Z)", v)
}

// parseAmount reads a decimal amount such as 12.5, "12.50" or 1250 (in the
// currency's unit) into cents.
func parseAmount(raw json.RawMessage) (int64, error) {
	v := strings.TrimSpace(string(raw))
	if v == "" || v == "null" {
		return 0, nil
	}
	if unq, err := strconv.Unquote(v); err == nil {
		v = strings.TrimSpace(unq)
	}
	if v == "" {
		return 0, nil
	}
	whole, frac, _ := strings.Cut(v, ".")
	if len(frac) > 2 {
		return 0, fmt.Errorf("%q has more than two decimals", v)
	}
	if !digits(whole) || frac != "" && !digits(frac) || len(whole) > 15 {
		return 0, fmt.Errorf("%q is not an amount such as 12.50", v)
	}
	w, _ := strconv.ParseInt(whole, 10, 64)
	f := int64(0)
	if frac != "" {
		f, _ = strconv.ParseInt(frac+strings.Repeat("0", 2-len(frac)), 10, 64)
	}
	return w*100 + f, nil
}

func digits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// Package csvimport reads the customers, consents and events CSV files an
// owner exports from a till or a shop system. Every row is checked on its
// own: a bad row becomes a diagnostic naming its line and column, and every
// good row is kept.
package csvimport

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"strconv"
	"strings"
	"time"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/locale"
)

// Columns of each kind of file, as the contract names them. Only the first
// columns listed in required must be present; the others may be left out.
var (
	CustomerColumns = []string{"id", "email", "first_name", "last_name", "birthday", "timezone", "locale"}
	ConsentColumns  = []string{"customer_id", "purpose", "status", "source", "notice", "recorded_at"}
	EventColumns    = []string{"customer_id", "type", "item_id", "item_name", "item_url", "order_id", "amount", "occurred_at"}
)

// Row is one parsed line: its 1-based line number in the file and its value.
type Row[T any] struct {
	Line  int
	Value T
}

// reader walks a CSV file by header name.
type reader struct {
	name   string
	csv    *csv.Reader
	index  map[string]int
	fields []string
	line   int
}

// newReader reads the header of a file whose columns are known (nil: any
// column, the others ignored) and of which required must be present.
func newReader(name string, r io.Reader, known, required []string) (*reader, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if err == io.EOF {
		return nil, courtesy.Diagnostic{File: name, Line: 1, Severity: courtesy.SeverityError, Message: "the file is empty; the first line must name the columns"}
	}
	if err != nil {
		return nil, courtesy.Diagnostic{File: name, Line: 1, Severity: courtesy.SeverityError, Message: err.Error()}
	}
	rd := &reader{name: name, csv: cr, index: map[string]int{}}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if known != nil && !contains(known, h) {
			return nil, courtesy.Diagnostic{File: name, Line: 1, Col: i + 1, Field: h, Severity: courtesy.SeverityError,
				Message: fmt.Sprintf("unknown column; the columns are %s", strings.Join(known, ","))}
		}
		rd.index[h] = i
	}
	for _, req := range required {
		if _, ok := rd.index[strings.ToLower(req)]; !ok {
			return nil, courtesy.Diagnostic{File: name, Line: 1, Field: req, Severity: courtesy.SeverityError, Message: "required column is missing"}
		}
	}
	return rd, nil
}

// next reads the next record; it returns io.EOF at the end and a diagnostic
// for a line the CSV syntax cannot read.
func (rd *reader) next() error {
	rec, err := rd.csv.Read()
	if err == io.EOF {
		return io.EOF
	}
	if err != nil {
		// FieldPos panics after a failed Read: the record has no fields.
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			rd.line = pe.Line
			return courtesy.Diagnostic{File: rd.name, Line: pe.Line, Col: pe.Column, Severity: courtesy.SeverityError, Message: pe.Err.Error()}
		}
		return err
	}
	rd.line, _ = rd.csv.FieldPos(0)
	rd.fields = rec
	return nil
}

func (rd *reader) get(col string) string {
	i, ok := rd.index[col]
	if !ok || i >= len(rd.fields) {
		return ""
	}
	return strings.TrimSpace(rd.fields[i])
}

func (rd *reader) bad(col, format string, args ...any) courtesy.Diagnostic {
	c := 0
	if i, ok := rd.index[col]; ok {
		c = i + 1
	}
	return courtesy.Diagnostic{File: rd.name, Line: rd.line, Col: c, Field: col, Severity: courtesy.SeverityError, Message: fmt.Sprintf(format, args...)}
}

// each calls parse for every record and collects the good rows in batches
// for fn; problems are returned, one per bad row, after the whole file.
func each[T any](rd *reader, batch int, parse func(*reader) (T, error), fn func([]Row[T]) error) (courtesy.Diagnostics, error) {
	var diags courtesy.Diagnostics
	var rows []Row[T]
	for {
		err := rd.next()
		if err == io.EOF {
			break
		}
		if err == nil && isBlank(rd.fields) {
			continue
		}
		var v T
		if err == nil {
			v, err = parse(rd)
		}
		var d courtesy.Diagnostic
		if errors.As(err, &d) {
			diags = append(diags, d)
			continue
		}
		if err != nil {
			return diags, fmt.Errorf("%s:%d: %w", rd.name, rd.line, err)
		}
		rows = append(rows, Row[T]{Line: rd.line, Value: v})
		if len(rows) >= batch {
			if err := fn(rows); err != nil {
				return diags, err
			}
			rows = rows[:0]
		}
	}
	if len(rows) > 0 {
		if err := fn(rows); err != nil {
			return diags, err
		}
	}
	return diags, nil
}

// Customers reads a customers file, calling fn with batches of good rows.
func Customers(name string, r io.Reader, batch int, fn func([]Row[courtesy.Customer]) error) (courtesy.Diagnostics, error) {
	rd, err := newReader(name, r, CustomerColumns, CustomerColumns[:2])
	if err != nil {
		return diagOrErr(err)
	}
	return each(rd, batch, parseCustomer, fn)
}

func parseCustomer(rd *reader) (courtesy.Customer, error) {
	c := courtesy.Customer{
		ID:        rd.get("id"),
		FirstName: rd.get("first_name"),
		LastName:  rd.get("last_name"),
		Timezone:  rd.get("timezone"),
		Locale:    rd.get("locale"),
	}
	if c.ID == "" {
		return c, rd.bad("id", "is empty")
	}
	email, err := NormalizeEmail(rd.get("email"))
	if err != nil {
		return c, rd.bad("email", "%v", err)
	}
	c.Email = email
	if c.Birthday, err = courtesy.ParseMonthDay(rd.get("birthday")); err != nil {
		return c, rd.bad("birthday", "%v", err)
	}
	if c.Timezone != "" {
		if _, err := time.LoadLocation(c.Timezone); err != nil || c.Timezone == "Local" {
			return c, rd.bad("timezone", "%q is not an IANA time zone (such as Europe/London)", c.Timezone)
		}
	}
	if c.Locale != "" {
		tag, err := locale.Parse(c.Locale)
		if err != nil {
			return c, rd.bad("locale", "%v", err)
		}
		c.Locale = tag.String() // one spelling: en_GB is stored as en-GB
	}
	return c, nil
}

// Consents reads a consents file.
func Consents(name string, r io.Reader, batch int, fn func([]Row[courtesy.ConsentRecord]) error) (courtesy.Diagnostics, error) {
	rd, err := newReader(name, r, ConsentColumns, ConsentColumns[:3])
	if err != nil {
		return diagOrErr(err)
	}
	return each(rd, batch, parseConsent, fn)
}

func parseConsent(rd *reader) (courtesy.ConsentRecord, error) {
	c := courtesy.ConsentRecord{
		CustomerID: rd.get("customer_id"),
		Purpose:    rd.get("purpose"),
		Status:     courtesy.ConsentStatus(strings.ToLower(rd.get("status"))),
		Source:     rd.get("source"),
		Notice:     rd.get("notice"),
	}
	if c.CustomerID == "" {
		return c, rd.bad("customer_id", "is empty")
	}
	if c.Purpose == "" {
		return c, rd.bad("purpose", "is empty")
	}
	if c.Status != courtesy.Granted && c.Status != courtesy.Withdrawn {
		return c, rd.bad("status", "%q is not granted or withdrawn", rd.get("status"))
	}
	if c.Source == "" {
		c.Source = "import"
	}
	t, err := parseTime(rd.get("recorded_at"))
	if err != nil {
		return c, rd.bad("recorded_at", "%v", err)
	}
	c.RecordedAt = t
	return c, nil
}

// Events reads an events file.
func Events(name string, r io.Reader, batch int, fn func([]Row[courtesy.Event]) error) (courtesy.Diagnostics, error) {
	rd, err := newReader(name, r, EventColumns, []string{"customer_id", "type", "occurred_at"})
	if err != nil {
		return diagOrErr(err)
	}
	return each(rd, batch, parseEvent, fn)
}

func parseEvent(rd *reader) (courtesy.Event, error) {
	e := courtesy.Event{
		CustomerID: rd.get("customer_id"),
		Type:       courtesy.EventType(strings.ToLower(rd.get("type"))),
		ItemID:     rd.get("item_id"),
		ItemName:   rd.get("item_name"),
		ItemURL:    rd.get("item_url"),
		OrderID:    rd.get("order_id"),
	}
	if e.CustomerID == "" {
		return e, rd.bad("customer_id", "is empty")
	}
	switch e.Type {
	case courtesy.Interest:
		if e.ItemID == "" {
			return e, rd.bad("item_id", "an interest needs the item it is about")
		}
	case courtesy.Purchase:
	default:
		return e, rd.bad("type", "%q is not interest or purchase", rd.get("type"))
	}
	if e.ItemURL != "" && !strings.HasPrefix(e.ItemURL, "https://") && !strings.HasPrefix(e.ItemURL, "http://") {
		return e, rd.bad("item_url", "%q is not an http(s) URL", e.ItemURL)
	}
	if a := rd.get("amount"); a != "" {
		cents, err := ParseAmount(a)
		if err != nil {
			return e, rd.bad("amount", "%v", err)
		}
		e.AmountCents = cents
	}
	t, err := parseTime(rd.get("occurred_at"))
	if err != nil {
		return e, rd.bad("occurred_at", "%v", err)
	}
	if t.IsZero() {
		return e, rd.bad("occurred_at", "is empty")
	}
	e.OccurredAt = t
	return e, nil
}

// NormalizeEmail checks an address and returns it trimmed, with its domain
// in lower case. Display names are refused: the column holds an address.
func NormalizeEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", errors.New("is empty")
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return "", fmt.Errorf("%q is not an email address", s)
	}
	local, domain, ok := strings.Cut(a.Address, "@")
	if !ok || local == "" || !strings.Contains(domain, ".") || strings.HasSuffix(domain, ".") {
		return "", fmt.Errorf("%q is not an email address", s)
	}
	return local + "@" + strings.ToLower(domain), nil
}

// ParseAmount reads "12.50" as 1250 cents.
func ParseAmount(s string) (int64, error) {
	whole, frac, _ := strings.Cut(strings.TrimSpace(s), ".")
	if len(frac) > 2 {
		return 0, fmt.Errorf("%q has more than two decimals", s)
	}
	for len(frac) < 2 {
		frac += "0"
	}
	n, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%q is not an amount", s)
	}
	return n, nil
}

// parseTime reads RFC 3339 or a plain date (midnight UTC); empty is zero.
func parseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a time (want RFC 3339, such as 2026-11-28T10:00:00Z)", s)
}

func diagOrErr(err error) (courtesy.Diagnostics, error) {
	var d courtesy.Diagnostic
	if errors.As(err, &d) {
		return courtesy.Diagnostics{d}, nil
	}
	return nil, err
}

func isBlank(fields []string) bool {
	for _, f := range fields {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

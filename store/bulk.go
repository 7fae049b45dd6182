package store

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/courtesyhq/courtesy"
)

// bulkBatch is how many rows one multi-row INSERT of AddEvents or
// AppendConsents carries: one statement per few hundred rows instead of a
// round trip per row is what makes a million-row import take seconds
// rather than minutes on PostgreSQL.
const bulkBatch = 500

// AddEvents stores many events in one transaction, as AddEvent does one:
// an event already stored (the same customer, type, item, order and time)
// is left as it is. A row naming an unknown customer, or missing its
// customer, type or time, gets an error in rowErrs at its index (wrapping
// ErrNotFound for an unknown customer) and the other rows still land. err
// is non-nil only when nothing was stored.
func (db *DB) AddEvents(ctx context.Context, es []courtesy.Event) (rowErrs []error, err error) {
	rowErrs = make([]error, len(es))
	err = db.inTx(ctx, func(tx conn) error {
		for first := 0; first < len(es); first += bulkBatch {
			batch := es[first:min(first+bulkBatch, len(es))]
			ids := make([]string, len(batch))
			for i, e := range batch {
				ids[i] = e.CustomerID
			}
			known, err := knownCustomers(ctx, tx, ids)
			if err != nil {
				return err
			}
			var args []any
			n := 0
			for i, e := range batch {
				switch {
				case e.CustomerID == "" || e.Type == "" || e.OccurredAt.IsZero():
					rowErrs[first+i] = errors.New("add event: needs a customer, a type and a time")
					continue
				case !known[e.CustomerID]:
					rowErrs[first+i] = fmt.Errorf("add event: customer %s: %w", e.CustomerID, courtesy.ErrNotFound)
					continue
				}
				args = append(args, e.CustomerID, string(e.Type), e.ItemID, e.ItemName, e.ItemURL, e.OrderID,
					e.AmountCents, micros(e.OccurredAt))
				n++
			}
			if n == 0 {
				continue
			}
			_, err = tx.exec(ctx, `INSERT INTO events (customer_id, type, item_id, item_name, item_url, order_id,
				amount_cents, occurred_at) VALUES `+valueRows(n, 8)+`
				ON CONFLICT (customer_id, type, item_id, order_id, occurred_at) DO NOTHING`, args...)
			if err != nil {
				return fmt.Errorf("add events: %w", err)
			}
		}
		return nil
	})
	return rowErrs, err
}

// AppendConsents adds many records to the consent ledger in one
// transaction, for imports. A record for an unknown customer (an erased
// one has no customer row) or without a purpose and a status gets an error
// in rowErrs at its index and the other rows still land. err is non-nil
// only when nothing was stored.
func (db *DB) AppendConsents(ctx context.Context, rs []courtesy.ConsentRecord) (rowErrs []error, err error) {
	rowErrs = make([]error, len(rs))
	err = db.inTx(ctx, func(tx conn) error {
		for first := 0; first < len(rs); first += bulkBatch {
			batch := rs[first:min(first+bulkBatch, len(rs))]
			ids := make([]string, len(batch))
			for i, r := range batch {
				ids[i] = r.CustomerID
			}
			known, err := knownCustomers(ctx, tx, ids)
			if err != nil {
				return err
			}
			var args []any
			n := 0
			for i, r := range batch {
				if err := checkConsent(r); err != nil {
					rowErrs[first+i] = err
					continue
				}
				if !known[r.CustomerID] {
					rowErrs[first+i] = fmt.Errorf("append consent: customer %s: %w", r.CustomerID, courtesy.ErrNotFound)
					continue
				}
				args = append(args, r.CustomerID, r.Purpose, string(r.Status), r.Basis, r.Source, r.Notice,
					r.MessageKey, micros(r.ExpiresAt), micros(r.RecordedAt))
				n++
			}
			if n == 0 {
				continue
			}
			_, err = tx.exec(ctx, `INSERT INTO consent_ledger (customer_id, purpose, status, basis, source, notice,
				message_key, expires_at, recorded_at) VALUES `+valueRows(n, 9), args...)
			if err != nil {
				return fmt.Errorf("append consents: %w", err)
			}
		}
		return nil
	})
	return rowErrs, err
}

// knownCustomers returns which of the IDs name a stored customer.
func knownCustomers(ctx context.Context, c conn, ids []string) (map[string]bool, error) {
	known := make(map[string]bool, len(ids))
	var args []any
	for _, id := range ids {
		if _, dup := known[id]; !dup && id != "" {
			known[id] = false
			args = append(args, id)
		}
	}
	if len(args) == 0 {
		return known, nil
	}
	rs, err := c.query(ctx, `SELECT id FROM customers WHERE id IN (`+placeholders(len(args))+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("look up customers: %w", err)
	}
	defer rs.Close()
	for rs.Next() {
		var id string
		if err := rs.Scan(&id); err != nil {
			return nil, fmt.Errorf("look up customers: %w", err)
		}
		known[id] = true
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("look up customers: %w", err)
	}
	return known, nil
}

// valueRows returns n groups of cols placeholders, "(?, ?), (?, ?)", for a
// multi-row VALUES list.
func valueRows(n, cols int) string {
	one := "(" + placeholders(cols) + ")"
	return strings.TrimSuffix(strings.Repeat(one+", ", n), ", ")
}

package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/courtesyhq/courtesy"
)

const eventCols = `id, customer_id, type, item_id, item_name, item_url, order_id, amount_cents, occurred_at`

func scanEvent(s scanner) (courtesy.Event, error) {
	var (
		e        courtesy.Event
		typ      string
		occurred int64
	)
	if err := s.Scan(&e.ID, &e.CustomerID, &typ, &e.ItemID, &e.ItemName, &e.ItemURL, &e.OrderID, &e.AmountCents,
		&occurred); err != nil {
		return e, err
	}
	e.Type = courtesy.EventType(typ)
	e.OccurredAt = fromMicros(occurred)
	return e, nil
}

func scanEvents(rows *sql.Rows) ([]courtesy.Event, error) {
	defer rows.Close()
	var out []courtesy.Event
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// AddEvent stores an event once: the same customer, type, item, order and
// time again returns the stored event's ID with inserted false, so a
// re-imported file adds nothing. An unknown customer is ErrNotFound.
func (db *DB) AddEvent(ctx context.Context, e courtesy.Event) (id int64, inserted bool, err error) {
	return addEvent(ctx, db.writer(), e)
}

// The casts tell PostgreSQL the types of parameters in a SELECT list.
// The customer must exist, so an event arriving after an erasure does not
// bring the person's data back.
const (
	addEventSQL = `INSERT INTO events (customer_id, type, item_id, item_name, item_url, order_id,
		amount_cents, occurred_at) SELECT ?, ?, ?, ?, ?, ?, CAST(? AS BIGINT), CAST(? AS BIGINT) WHERE EXISTS (SELECT 1 FROM customers WHERE id = ?)
		ON CONFLICT (customer_id, type, item_id, order_id, occurred_at) DO NOTHING RETURNING id`
	eventIDSQL = `SELECT id FROM events WHERE customer_id = ? AND type = ? AND item_id = ?
		AND order_id = ? AND occurred_at = ?`
)

// addEvent is AddEvent on c, so a transaction can add events with its other
// writes.
func addEvent(ctx context.Context, c conn, e courtesy.Event) (id int64, inserted bool, err error) {
	if e.CustomerID == "" || e.Type == "" || e.OccurredAt.IsZero() {
		return 0, false, fmt.Errorf("add event: needs a customer, a type and a time")
	}
	args := []any{e.CustomerID, string(e.Type), e.ItemID, e.ItemName, e.ItemURL, e.OrderID, e.AmountCents,
		micros(e.OccurredAt)}
	err = c.queryRow(ctx, addEventSQL, append(args, e.CustomerID)...).Scan(&id)
	if err == nil {
		return id, true, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, false, fmt.Errorf("add event: %w", err)
	}
	err = c.queryRow(ctx, eventIDSQL, e.CustomerID, string(e.Type), e.ItemID, e.OrderID,
		micros(e.OccurredAt)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, fmt.Errorf("add event: customer %s: %w", e.CustomerID, courtesy.ErrNotFound)
	}
	if err != nil {
		return 0, false, fmt.Errorf("add event: %w", err)
	}
	return id, false, nil
}

// Event returns the event with this ID.
func (db *DB) Event(ctx context.Context, id int64) (courtesy.Event, error) {
	e, err := scanEvent(db.reader().queryRow(ctx, `SELECT `+eventCols+` FROM events WHERE id = ?`, id))
	if err != nil {
		return e, notFound(err, fmt.Sprintf("event %d", id))
	}
	return e, nil
}

// EventsBetween returns the events of a type that occurred in [from, to),
// oldest first.
func (db *DB) EventsBetween(ctx context.Context, typ courtesy.EventType, from, to time.Time) ([]courtesy.Event, error) {
	rows, err := db.reader().query(ctx, `SELECT `+eventCols+` FROM events
		WHERE type = ? AND occurred_at >= ? AND occurred_at < ? ORDER BY occurred_at, id`,
		string(typ), micros(from), micros(to))
	if err != nil {
		return nil, fmt.Errorf("%s events between %s and %s: %w", typ, from, to, err)
	}
	out, err := scanEvents(rows)
	if err != nil {
		return nil, fmt.Errorf("%s events between %s and %s: %w", typ, from, to, err)
	}
	return out, nil
}

// CustomerEvents returns a customer's events, oldest first.
func (db *DB) CustomerEvents(ctx context.Context, customerID string) ([]courtesy.Event, error) {
	rows, err := db.reader().query(ctx, `SELECT `+eventCols+` FROM events WHERE customer_id = ?
		ORDER BY occurred_at, id`, customerID)
	if err != nil {
		return nil, fmt.Errorf("events of %s: %w", customerID, err)
	}
	out, err := scanEvents(rows)
	if err != nil {
		return nil, fmt.Errorf("events of %s: %w", customerID, err)
	}
	return out, nil
}

// PurchasedSince reports whether the customer bought the item (any item when
// itemID is empty) at or after since.
func (db *DB) PurchasedSince(ctx context.Context, customerID, itemID string, since time.Time) (bool, error) {
	var w where
	w.add("customer_id = ?", customerID)
	w.add("type = ?", string(courtesy.Purchase))
	if itemID != "" {
		w.add("item_id = ?", itemID)
	}
	w.add("occurred_at >= ?", micros(since))
	var one int
	err := db.reader().queryRow(ctx, `SELECT 1 FROM events`+w.String()+` LIMIT 1`, w.args...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("purchases of %s: %w", customerID, err)
	}
	return true, nil
}

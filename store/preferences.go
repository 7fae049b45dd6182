package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/courtesyhq/courtesy"
)

// Preferences returns the customer's preferences; the zero value (with the
// CustomerID set) when they never set any.
func (db *DB) Preferences(ctx context.Context, customerID string) (courtesy.Preferences, error) {
	p := courtesy.Preferences{CustomerID: customerID}
	var paused, updated int64
	err := db.reader().queryRow(ctx, `SELECT paused_until, max_per_window, updated_at FROM preferences
		WHERE customer_id = ?`, customerID).Scan(&paused, &p.MaxPerWindow, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return p, nil
	}
	if err != nil {
		return p, fmt.Errorf("preferences of %s: %w", customerID, err)
	}
	p.PausedUntil, p.UpdatedAt = fromMicros(paused), fromMicros(updated)
	return p, nil
}

// SetPreferences stores the customer's preferences, replacing earlier ones.
func (db *DB) SetPreferences(ctx context.Context, p courtesy.Preferences) error {
	_, err := db.writer().exec(ctx, `INSERT INTO preferences (customer_id, paused_until, max_per_window, updated_at)
		VALUES (?, ?, ?, ?) ON CONFLICT (customer_id) DO UPDATE SET paused_until = excluded.paused_until,
		max_per_window = excluded.max_per_window, updated_at = excluded.updated_at`,
		p.CustomerID, micros(p.PausedUntil), p.MaxPerWindow, micros(p.UpdatedAt))
	if err != nil {
		return fmt.Errorf("set preferences of %s: %w", p.CustomerID, err)
	}
	return nil
}

package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/courtesyhq/courtesy"
)

// Planned is what PlanMessages did with one message.
type Planned struct {
	Created bool             // the row is new
	Current courtesy.Message // the row as it now is
}

// planBatch is how many messages one INSERT carries: 18 parameters each
// stays well under both engines' parameter limits.
const planBatch = 500

const planCols = `msg_key, campaign_id, campaign_version, customer_id, occurrence, purpose, variant, outcome,
	decision, detail, message_id, subject, due_at, not_after, created_at, claimed_at, decided_at, attempts`

// PlanMessages stores each message unless its key exists, and the result
// at each index says whether it was created and what the row now is. Every
// batch of 500 is one transaction with one multi-row INSERT and one read
// back. A key given twice is created at most once, by its first
// appearance. A zero Decision is stored as planned. DecidedAt is the time
// of the current decision, so a zero DecidedAt is taken as CreatedAt: every
// row sorts and filters by when its decision was taken.
func (db *DB) PlanMessages(ctx context.Context, ms []courtesy.Message) ([]Planned, error) {
	out := make([]Planned, len(ms))
	for start := 0; start < len(ms); start += planBatch {
		end := min(start+planBatch, len(ms))
		if err := db.planBatch(ctx, ms[start:end], out[start:end]); err != nil {
			return out[:start], err
		}
	}
	return out, nil
}

func (db *DB) planBatch(ctx context.Context, ms []courtesy.Message, out []Planned) error {
	args := make([]any, 0, 18*len(ms))
	keys := make([]any, 0, len(ms))
	first := map[string]int{} // key → index of its first appearance
	for i, m := range ms {
		if m.Key == "" {
			return errors.New("plan messages: no key")
		}
		if _, dup := first[m.Key]; dup {
			continue
		}
		first[m.Key] = i
		keys = append(keys, m.Key)
		if m.Decision.Outcome == "" {
			m.Decision = courtesy.Decision{Outcome: courtesy.Planned}
		}
		if m.DecidedAt.IsZero() {
			m.DecidedAt = m.CreatedAt
		}
		args = append(args, m.Key, m.CampaignID, m.CampaignVersion, m.CustomerID, m.Occurrence, m.Purpose, m.Variant,
			string(m.Decision.Outcome), m.Decision.String(), m.Detail, m.MessageID, m.Subject, micros(m.DueAt),
			micros(m.NotAfter), micros(m.CreatedAt), micros(m.ClaimedAt), micros(m.DecidedAt), m.Attempts)
	}
	insert := `INSERT INTO messages (` + planCols + `) VALUES ` + valueRows(len(keys), 18) + ` ON CONFLICT (msg_key) DO NOTHING RETURNING msg_key`
	read := `SELECT ` + messageCols + ` FROM messages WHERE msg_key IN (` + placeholders(len(keys)) + `)`
	created := map[string]bool{}
	current := map[string]courtesy.Message{}
	err := db.inTx(ctx, func(tx conn) error {
		rows, err := tx.query(ctx, insert, args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var k string
			if err := rows.Scan(&k); err != nil {
				rows.Close()
				return err
			}
			created[k] = true
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			return err
		}
		// Read back in the same transaction: the rows as stored, new or
		// planned before (perhaps decided since).
		if rows, err = tx.query(ctx, read, keys...); err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			m, err := scanMessage(rows)
			if err != nil {
				return err
			}
			current[m.Key] = m
		}
		return rows.Err()
	})
	if err != nil {
		return fmt.Errorf("plan %d messages: %w", len(keys), err)
	}
	for i, m := range ms {
		cur, ok := current[m.Key]
		if !ok {
			return fmt.Errorf("plan message %s: %w", m.Key, courtesy.ErrNotFound)
		}
		out[i] = Planned{Created: created[m.Key] && first[m.Key] == i, Current: cur}
	}
	return nil
}

package store

import (
	"context"
	"fmt"

	"github.com/courtesyhq/courtesy"
)

// RecordAnswer stores the answer to a survey message; a later answer to the
// same message replaces it.
func (db *DB) RecordAnswer(ctx context.Context, a courtesy.Answer) error {
	if a.MessageKey == "" || a.Score < 0 || a.Score > 10 {
		return fmt.Errorf("record answer: needs a message key and a score from 0 to 10 (got %q, %d)", a.MessageKey, a.Score)
	}
	_, err := db.writer().exec(ctx, `INSERT INTO answers (message_key, customer_id, campaign_id, variant, score,
		comment, at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (message_key) DO UPDATE SET score = excluded.score,
		comment = excluded.comment, at = excluded.at`,
		a.MessageKey, a.CustomerID, a.CampaignID, a.Variant, a.Score, a.Comment, micros(a.At))
	if err != nil {
		return fmt.Errorf("record answer to %s: %w", a.MessageKey, err)
	}
	return nil
}

// Answers lists survey answers newest first; Since and Until apply to when
// they were given.
func (db *DB) Answers(ctx context.Context, f courtesy.Filter) ([]courtesy.Answer, error) {
	var w where
	w.common(f, "campaign_id", "at")
	rows, err := db.reader().query(ctx, `SELECT message_key, customer_id, campaign_id, variant, score, comment, at
		FROM answers`+w.String()+` ORDER BY at DESC, message_key DESC`+limit(f), w.args...)
	if err != nil {
		return nil, fmt.Errorf("list answers: %w", err)
	}
	defer rows.Close()
	var out []courtesy.Answer
	for rows.Next() {
		var (
			a  courtesy.Answer
			at int64
		)
		if err := rows.Scan(&a.MessageKey, &a.CustomerID, &a.CampaignID, &a.Variant, &a.Score, &a.Comment, &at); err != nil {
			return nil, fmt.Errorf("list answers: %w", err)
		}
		a.At = fromMicros(at)
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list answers: %w", err)
	}
	return out, nil
}

// RecordEngagement stores one engagement.
func (db *DB) RecordEngagement(ctx context.Context, e courtesy.Engagement) error {
	if e.CustomerID == "" || e.Kind == "" {
		return fmt.Errorf("record engagement: needs a customer and a kind")
	}
	_, err := db.writer().exec(ctx, `INSERT INTO engagements (customer_id, message_key, campaign_id, kind, at)
		VALUES (?, ?, ?, ?, ?)`, e.CustomerID, e.MessageKey, e.CampaignID, e.Kind, micros(e.At))
	if err != nil {
		return fmt.Errorf("record engagement: %w", err)
	}
	return nil
}

// Engagements lists engagements newest first; Since and Until apply to
// their time.
func (db *DB) Engagements(ctx context.Context, f courtesy.Filter) ([]courtesy.Engagement, error) {
	var w where
	w.common(f, "campaign_id", "at")
	rows, err := db.reader().query(ctx, `SELECT customer_id, message_key, campaign_id, kind, at FROM engagements`+
		w.String()+` ORDER BY at DESC, id DESC`+limit(f), w.args...)
	if err != nil {
		return nil, fmt.Errorf("list engagements: %w", err)
	}
	defer rows.Close()
	var out []courtesy.Engagement
	for rows.Next() {
		var (
			e  courtesy.Engagement
			at int64
		)
		if err := rows.Scan(&e.CustomerID, &e.MessageKey, &e.CampaignID, &e.Kind, &at); err != nil {
			return nil, fmt.Errorf("list engagements: %w", err)
		}
		e.At = fromMicros(at)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list engagements: %w", err)
	}
	return out, nil
}

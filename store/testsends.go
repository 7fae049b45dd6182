package store

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// TestSend is one test copy of a message, sent by hand to a marketer's own
// address. It is kept apart from the messages: no report, limit, log or
// guardrail counts it.
type TestSend struct {
	CampaignID      string
	CampaignVersion string
	Variant         string
	Lang            string
	MessageID       string
	To              string // written as its hash only; empty when read back
	At              time.Time
}

// RecordTestSend records that a test copy went.
func (db *DB) RecordTestSend(ctx context.Context, t TestSend) error {
	if t.CampaignID == "" || t.To == "" {
		return errors.New("record test send: needs a campaign and an address")
	}
	_, err := db.writer().exec(ctx, `INSERT INTO test_sends (campaign_id, campaign_version, variant, lang, message_id, to_hash, at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`,
		t.CampaignID, t.CampaignVersion, t.Variant, t.Lang, t.MessageID, EmailHash(t.To), micros(t.At))
	if err != nil {
		return fmt.Errorf("record test send: %w", err)
	}
	return nil
}

// TestSends lists a campaign's test copies, oldest first.
func (db *DB) TestSends(ctx context.Context, campaignID string) ([]TestSend, error) {
	rows, err := db.reader().query(ctx, `SELECT campaign_id, campaign_version, variant, lang, message_id, at
		FROM test_sends WHERE campaign_id = ? ORDER BY at, id`, campaignID)
	if err != nil {
		return nil, fmt.Errorf("test sends: %w", err)
	}
	defer rows.Close()
	var out []TestSend
	for rows.Next() {
		var t TestSend
		var at int64
		if err := rows.Scan(&t.CampaignID, &t.CampaignVersion, &t.Variant, &t.Lang, &t.MessageID, &at); err != nil {
			return nil, fmt.Errorf("test sends: %w", err)
		}
		t.At = fromMicros(at)
		out = append(out, t)
	}
	return out, rows.Err()
}

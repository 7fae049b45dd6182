package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/courtesyhq/courtesy"
)

// CampaignState returns the campaign's state; not paused when none was set.
func (db *DB) CampaignState(ctx context.Context, id string) (courtesy.CampaignState, error) {
	s := courtesy.CampaignState{ID: id}
	var (
		paused int
		at     int64
	)
	err := db.reader().queryRow(ctx, `SELECT paused, reason, at FROM campaign_states WHERE id = ?`, id).
		Scan(&paused, &s.Reason, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return s, nil
	}
	if err != nil {
		return s, fmt.Errorf("state of campaign %s: %w", id, err)
	}
	s.Paused, s.At = paused != 0, fromMicros(at)
	return s, nil
}

// SetCampaignState stores the campaign's state.
func (db *DB) SetCampaignState(ctx context.Context, s courtesy.CampaignState) error {
	paused := 0
	if s.Paused {
		paused = 1
	}
	_, err := db.writer().exec(ctx, `INSERT INTO campaign_states (id, paused, reason, at) VALUES (?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET paused = excluded.paused, reason = excluded.reason, at = excluded.at`,
		s.ID, paused, s.Reason, micros(s.At))
	if err != nil {
		return fmt.Errorf("set state of campaign %s: %w", s.ID, err)
	}
	return nil
}

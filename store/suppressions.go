package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/courtesyhq/courtesy"
)

const suppressionCols = `email_hash, reason, source, detail, at, lifted_at, lift_reason`

func scanSuppression(s scanner) (courtesy.Suppression, error) {
	var (
		x          courtesy.Suppression
		at, lifted int64
	)
	if err := s.Scan(&x.EmailHash, &x.Reason, &x.Source, &x.Detail, &at, &lifted, &x.LiftReason); err != nil {
		return x, err
	}
	x.At, x.LiftedAt = fromMicros(at), fromMicros(lifted)
	return x, nil
}

// AddSuppression suppresses an address for a reason. Adding one that is in
// force changes nothing; adding one that was lifted puts it in force again
// with the new details.
func (db *DB) AddSuppression(ctx context.Context, s courtesy.Suppression) error {
	if s.EmailHash == "" || s.Reason == "" {
		return errors.New("add suppression: needs an address hash and a reason")
	}
	_, err := db.writer().exec(ctx, `INSERT INTO suppressions (email_hash, reason, source, detail, at, lifted_at,
		lift_reason) VALUES (?, ?, ?, ?, ?, 0, '')
		ON CONFLICT (email_hash, reason) DO UPDATE SET source = excluded.source, detail = excluded.detail,
		at = excluded.at, lifted_at = 0, lift_reason = ''
		WHERE suppressions.lifted_at <> 0`,
		s.EmailHash, s.Reason, s.Source, s.Detail, micros(s.At))
	if err != nil {
		return fmt.Errorf("add suppression %s: %w", s.Reason, err)
	}
	return nil
}

// Suppressed reports whether the address has a suppression in force, and
// the earliest one.
func (db *DB) Suppressed(ctx context.Context, email string) (bool, courtesy.Suppression, error) {
	hs := db.fp.all(email)
	s, err := scanSuppression(db.reader().queryRow(ctx, `SELECT `+suppressionCols+` FROM suppressions
		WHERE email_hash IN (`+placeholders(len(hs))+`) AND lifted_at = 0 ORDER BY at, reason LIMIT 1`, anys(hs)...))
	if errors.Is(err, sql.ErrNoRows) {
		return false, courtesy.Suppression{}, nil
	}
	if err != nil {
		return false, s, fmt.Errorf("check suppression: %w", err)
	}
	return true, s, nil
}

// Suppressions lists suppressions, lifted ones included, newest first;
// Since and Until apply to when they were added.
func (db *DB) Suppressions(ctx context.Context, f courtesy.Filter) ([]courtesy.Suppression, error) {
	var w where
	w.common(courtesy.Filter{Since: f.Since, Until: f.Until}, "", "at")
	rows, err := db.reader().query(ctx, `SELECT `+suppressionCols+` FROM suppressions`+w.String()+
		` ORDER BY at DESC, email_hash, reason`+limit(f), w.args...)
	if err != nil {
		return nil, fmt.Errorf("list suppressions: %w", err)
	}
	defer rows.Close()
	var out []courtesy.Suppression
	for rows.Next() {
		s, err := scanSuppression(rows)
		if err != nil {
			return nil, fmt.Errorf("list suppressions: %w", err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list suppressions: %w", err)
	}
	return out, nil
}

// LiftSuppression ends the suppression of the address hash for reason; it is
// kept, lifted, as a record. ErrNotFound when none is in force, ErrErased for
// an erasure.
func (db *DB) LiftSuppression(ctx context.Context, emailHash, reason string, at time.Time) error {
	return db.LiftSuppressionBecause(ctx, emailHash, reason, "", at)
}

// LiftSuppressionBecause is LiftSuppression that records why (LiftReason).
//
// An erasure is refused (ErrErased): it is the person's own request, and the
// hash it leaves is all that keeps the address from being imported again.
func (db *DB) LiftSuppressionBecause(ctx context.Context, emailHash, reason, why string, at time.Time) error {
	if reason == courtesy.ReasonErased {
		return fmt.Errorf("lift suppression %s: %w at its owner's request; an erasure is never lifted", reason, courtesy.ErrErased)
	}
	res, err := db.writer().exec(ctx, `UPDATE suppressions SET lifted_at = ?, lift_reason = ?
		WHERE email_hash = ? AND reason = ? AND lifted_at = 0`, micros(at), why, emailHash, reason)
	if err != nil {
		return fmt.Errorf("lift suppression %s: %w", reason, err)
	}
	return mustAffect(res, "suppression "+reason)
}

// AddBounce records a bounce or complaint report.
func (db *DB) AddBounce(ctx context.Context, b courtesy.Bounce) error {
	switch b.Kind {
	case "hard", "soft", "complaint":
	default:
		return fmt.Errorf("add bounce: kind %q is not hard, soft or complaint", b.Kind)
	}
	_, err := db.writer().exec(ctx, `INSERT INTO bounces (email_hash, message_key, status, kind, at)
		VALUES (?, ?, ?, ?, ?)`, b.EmailHash, b.MessageKey, b.Status, b.Kind, micros(b.At))
	if err != nil {
		return fmt.Errorf("add bounce: %w", err)
	}
	return nil
}

// CountSoftBounces counts the soft bounces of an address since a time, to
// decide when repeated soft bounces become a suppression.
func (db *DB) CountSoftBounces(ctx context.Context, emailHash string, since time.Time) (int, error) {
	var n int
	err := db.reader().queryRow(ctx, `SELECT COUNT(*) FROM bounces WHERE email_hash = ? AND kind = 'soft'
		AND at >= ?`, emailHash, micros(since)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count soft bounces: %w", err)
	}
	return n, nil
}

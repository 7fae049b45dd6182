package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/courtesyhq/courtesy"
)

const consentCols = `id, customer_id, purpose, status, basis, source, notice, message_key, expires_at, recorded_at`

// AppendConsent adds a record to the customer's consent ledger and returns
// its ID. It fails with ErrNotFound for an unknown customer and ErrErased
// when the customer's address was erased.
func (db *DB) AppendConsent(ctx context.Context, r courtesy.ConsentRecord) (int64, error) {
	var id int64
	err := db.inTx(ctx, func(tx conn) error {
		hash, err := customerHash(ctx, tx, r.CustomerID)
		if err != nil {
			return err
		}
		erased, err := isErased(ctx, tx, hash)
		if err != nil {
			return err
		}
		if erased {
			return fmt.Errorf("customer %s: %w", r.CustomerID, courtesy.ErrErased)
		}
		id, err = insertConsent(ctx, tx, r)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("append consent: %w", err)
	}
	return id, nil
}

// checkConsent reports a record the ledger cannot hold.
func checkConsent(r courtesy.ConsentRecord) error {
	if r.Purpose == "" || (r.Status != courtesy.Granted && r.Status != courtesy.Withdrawn) {
		return fmt.Errorf("consent record needs a purpose and a status of granted or withdrawn (got %q, %q)", r.Purpose, r.Status)
	}
	return nil
}

const insertConsentSQL = `INSERT INTO consent_ledger (customer_id, purpose, status, basis, source, notice,
		message_key, expires_at, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`

func insertConsent(ctx context.Context, c conn, r courtesy.ConsentRecord) (int64, error) {
	if err := checkConsent(r); err != nil {
		return 0, err
	}
	var id int64
	err := c.queryRow(ctx, insertConsentSQL,
		r.CustomerID, r.Purpose, string(r.Status), r.Basis, r.Source, r.Notice, r.MessageKey,
		micros(r.ExpiresAt), micros(r.RecordedAt)).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("insert consent: %w", err)
	}
	return id, nil
}

// ConsentHistory returns the customer's ledger, oldest first (by RecordedAt,
// then ID).
func (db *DB) ConsentHistory(ctx context.Context, customerID string) ([]courtesy.ConsentRecord, error) {
	return consentHistory(ctx, db.reader(), customerID)
}

const consentHistorySQL = `SELECT ` + consentCols + ` FROM consent_ledger
		WHERE customer_id = ? ORDER BY recorded_at, id`

// scanConsent reads a row of consentCols.
func scanConsent(s scanner) (courtesy.ConsentRecord, error) {
	var (
		r                 courtesy.ConsentRecord
		status            string
		expires, recorded int64
	)
	if err := s.Scan(&r.ID, &r.CustomerID, &r.Purpose, &status, &r.Basis, &r.Source, &r.Notice,
		&r.MessageKey, &expires, &recorded); err != nil {
		return r, err
	}
	r.Status = courtesy.ConsentStatus(status)
	r.ExpiresAt, r.RecordedAt = fromMicros(expires), fromMicros(recorded)
	return r, nil
}

// ledgerJSON is a subquery for a customer's ledger as one JSON array,
// oldest first as consentHistory returns it, so the ledger can travel in
// the row of a larger statement; customer is the SQL for the customer's id.
func ledgerJSON(d dialect, customer string) string {
	return `(SELECT COALESCE(` + d.jsonAgg + `(` + d.jsonObject + `('i', l.id, 'p', l.purpose, 's', l.status,
		'b', l.basis, 'o', l.source, 'n', l.notice, 'k', l.message_key, 'e', l.expires_at, 'r', l.recorded_at)
		ORDER BY l.recorded_at, l.id), '[]') FROM consent_ledger l WHERE l.customer_id = ` + customer + `)`
}

// ledgerFromJSON reads what ledgerJSON wrote.
func ledgerFromJSON(customerID string, data []byte) ([]courtesy.ConsentRecord, error) {
	var records []struct {
		ID         int64  `json:"i"`
		Purpose    string `json:"p"`
		Status     string `json:"s"`
		Basis      string `json:"b"`
		Source     string `json:"o"`
		Notice     string `json:"n"`
		MessageKey string `json:"k"`
		Expires    int64  `json:"e"`
		Recorded   int64  `json:"r"`
	}
	if err := json.Unmarshal(data, &records); err != nil {
		return nil, fmt.Errorf("consent ledger of %s: %w", customerID, err)
	}
	var out []courtesy.ConsentRecord
	for _, r := range records {
		out = append(out, courtesy.ConsentRecord{ID: r.ID, CustomerID: customerID, Purpose: r.Purpose,
			Status: courtesy.ConsentStatus(r.Status), Basis: r.Basis, Source: r.Source, Notice: r.Notice,
			MessageKey: r.MessageKey, ExpiresAt: fromMicros(r.Expires), RecordedAt: fromMicros(r.Recorded)})
	}
	return out, nil
}

func consentHistory(ctx context.Context, c conn, customerID string) ([]courtesy.ConsentRecord, error) {
	rows, err := c.query(ctx, consentHistorySQL, customerID)
	if err != nil {
		return nil, fmt.Errorf("consent history of %s: %w", customerID, err)
	}
	defer rows.Close()
	var out []courtesy.ConsentRecord
	for rows.Next() {
		r, err := scanConsent(rows)
		if err != nil {
			return nil, fmt.Errorf("consent history of %s: %w", customerID, err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("consent history of %s: %w", customerID, err)
	}
	return out, nil
}

// Withdraw records a withdrawal and its opt-out atomically and durably. When
// the latest ledger record for the customer and r.Purpose (AllPurposes
// included, as its own purpose) is already a withdrawal it changes nothing
// and returns false, so a repeated one-click POST adds no rows. Empty fields
// of o are taken from r. Withdrawals are accepted for an erased address; an
// unknown customer is ErrNotFound. The new opt-out is the first row of
// OptOuts(Filter{CustomerID: …, Limit: 1}).
func (db *DB) Withdraw(ctx context.Context, r courtesy.ConsentRecord, o courtesy.OptOut) (changed bool, err error) {
	r.Status = courtesy.Withdrawn
	if o.CustomerID == "" {
		o.CustomerID = r.CustomerID
	}
	if o.Purpose == "" {
		o.Purpose = r.Purpose
	}
	if o.Source == "" {
		o.Source = r.Source
	}
	if o.MessageKey == "" {
		o.MessageKey = r.MessageKey
	}
	if o.At.IsZero() {
		o.At = r.RecordedAt
	}
	err = db.inDurableTx(ctx, func(tx conn) error {
		// Locking the customer row serialises concurrent withdrawals of the
		// same customer on PostgreSQL, so only one of them appends.
		if _, err := customerHash(ctx, tx, r.CustomerID); err != nil {
			return err
		}
		var latest string
		err := tx.queryRow(ctx, `SELECT status FROM consent_ledger WHERE customer_id = ? AND purpose = ?
			ORDER BY recorded_at DESC, id DESC LIMIT 1`, r.CustomerID, r.Purpose).Scan(&latest)
		if err == nil && latest == string(courtesy.Withdrawn) {
			return nil
		}
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("latest consent: %w", err)
		}
		if _, err := insertConsent(ctx, tx, r); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `INSERT INTO opt_outs (customer_id, purpose, source, message_key, campaign_id,
			variant, reason, comment, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			o.CustomerID, o.Purpose, o.Source, o.MessageKey, o.CampaignID, o.Variant, o.Reason, o.Comment,
			micros(o.At)); err != nil {
			return fmt.Errorf("insert opt-out: %w", err)
		}
		changed = true
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("withdraw %s from %q: %w", r.CustomerID, r.Purpose, err)
	}
	return changed, nil
}

// OptOuts lists opt-outs newest first; Since and Until apply to their time.
func (db *DB) OptOuts(ctx context.Context, f courtesy.Filter) ([]courtesy.OptOut, error) {
	var w where
	w.common(f, "campaign_id", "at")
	rows, err := db.reader().query(ctx, `SELECT id, customer_id, purpose, source, message_key, campaign_id, variant,
		reason, comment, at FROM opt_outs`+w.String()+` ORDER BY at DESC, id DESC`+limit(f), w.args...)
	if err != nil {
		return nil, fmt.Errorf("list opt-outs: %w", err)
	}
	defer rows.Close()
	var out []courtesy.OptOut
	for rows.Next() {
		var (
			o  courtesy.OptOut
			at int64
		)
		if err := rows.Scan(&o.ID, &o.CustomerID, &o.Purpose, &o.Source, &o.MessageKey, &o.CampaignID, &o.Variant,
			&o.Reason, &o.Comment, &at); err != nil {
			return nil, fmt.Errorf("list opt-outs: %w", err)
		}
		o.At = fromMicros(at)
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list opt-outs: %w", err)
	}
	return out, nil
}

// SetOptOutReason stores the optional answer to "what made you leave?".
func (db *DB) SetOptOutReason(ctx context.Context, id int64, reason, comment string) error {
	res, err := db.writer().exec(ctx, `UPDATE opt_outs SET reason = ?, comment = ? WHERE id = ?`, reason, comment, id)
	if err != nil {
		return fmt.Errorf("set opt-out %d reason: %w", id, err)
	}
	return mustAffect(res, fmt.Sprintf("opt-out %d", id))
}

package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/courtesyhq/courtesy"
)

// EraseCustomer removes a person's data from every table in one transaction
// and leaves an erasure suppression holding only the hash of the address,
// which blocks a re-import (ErrErased) and every send to it.
//
// Deleted: the customer row, consent ledger, events, preferences, engagement
// and the platform ids that named the customer. Kept, made anonymous, so the
// owner's counts stay true: messages, opt-outs and survey answers. Their
// customer ID is replaced by a random "erased-…" token (not the address hash,
// so they cannot be linked back to the address by someone who knows it),
// message keys are rebuilt around that token, and subjects, decision details,
// Message-IDs and free-text comments are cleared.
//
// emailHash may be empty when the customer row still exists; when the row is
// already gone (an erasure run twice) the hash is needed and the rest of the
// cleaning is done again. An unknown customer without a hash is ErrNotFound.
func (db *DB) EraseCustomer(ctx context.Context, id string, emailHash string, at time.Time) error {
	anon, err := anonymousID()
	if err != nil {
		return fmt.Errorf("erase %s: %w", id, err)
	}
	err = db.inTx(ctx, func(tx conn) error {
		hashes := map[string]bool{}
		if emailHash != "" {
			hashes[emailHash] = true
		}
		h, err := customerHash(ctx, tx, id)
		switch {
		case err == nil:
			hashes[h] = true
		case len(hashes) == 0:
			return err
		}
		if err := anonymiseMessages(ctx, tx, id, anon); err != nil {
			return err
		}
		for _, q := range []string{
			`DELETE FROM consent_ledger WHERE customer_id = ?`,
			`DELETE FROM events WHERE customer_id = ?`,
			`DELETE FROM preferences WHERE customer_id = ?`,
			`DELETE FROM engagements WHERE customer_id = ?`,
			`DELETE FROM integration_customers WHERE customer_id = ?`,
			`DELETE FROM customers WHERE id = ?`,
		} {
			if _, err := tx.exec(ctx, q, id); err != nil {
				return fmt.Errorf("%s: %w", q, err)
			}
		}
		for h := range hashes {
			if _, err := tx.exec(ctx, `INSERT INTO suppressions (email_hash, reason, source, detail, at, lifted_at,
				lift_reason) VALUES (?, ?, 'erasure', '', ?, 0, '')
				ON CONFLICT (email_hash, reason) DO UPDATE SET at = excluded.at, lifted_at = 0, lift_reason = ''
				WHERE suppressions.lifted_at <> 0`, h, courtesy.ReasonErased, micros(at)); err != nil {
				return fmt.Errorf("record erasure: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("erase %s: %w", id, err)
	}
	return nil
}

// anonymiseMessages rewrites the customer's messages, and the rows that
// refer to them by key, around the anonymous ID.
func anonymiseMessages(ctx context.Context, tx conn, id, anon string) error {
	rows, err := tx.query(ctx, `SELECT msg_key, campaign_id, occurrence FROM messages WHERE customer_id = ?`, id)
	if err != nil {
		return fmt.Errorf("read messages: %w", err)
	}
	keys := map[string]string{}
	used := map[string]bool{}
	for rows.Next() {
		var key, campaign, occurrence string
		if err := rows.Scan(&key, &campaign, &occurrence); err != nil {
			rows.Close()
			return fmt.Errorf("read messages: %w", err)
		}
		nk := courtesy.MessageKey(campaign, anon, occurrence)
		for i := 2; used[nk]; i++ {
			nk = fmt.Sprintf("%s#%d", courtesy.MessageKey(campaign, anon, occurrence), i)
		}
		used[nk] = true
		keys[key] = nk
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return fmt.Errorf("read messages: %w", err)
	}
	for old, nk := range keys {
		if _, err := tx.exec(ctx, `UPDATE messages SET msg_key = ?, customer_id = ?, detail = '', subject = '',
			message_id = '' WHERE msg_key = ?`, nk, anon, old); err != nil {
			return fmt.Errorf("anonymise message: %w", err)
		}
		for _, table := range []string{"opt_outs", "answers", "bounces"} {
			if _, err := tx.exec(ctx, `UPDATE `+table+` SET message_key = ? WHERE message_key = ?`, nk, old); err != nil {
				return fmt.Errorf("anonymise %s: %w", table, err)
			}
		}
	}
	// Rows that name a message the store never planned keep no key at all.
	if _, err := tx.exec(ctx, `UPDATE opt_outs SET customer_id = ?, comment = '',
		message_key = CASE WHEN message_key LIKE ? THEN message_key ELSE '' END WHERE customer_id = ?`,
		anon, "%:"+anon+":%", id); err != nil {
		return fmt.Errorf("anonymise opt-outs: %w", err)
	}
	// An answer's key is its primary key, so an unplanned one gets a fresh
	// anonymous key rather than none.
	rows, err = tx.query(ctx, `SELECT message_key FROM answers WHERE customer_id = ? AND message_key NOT LIKE ?`,
		id, "%:"+anon+":%")
	if err != nil {
		return fmt.Errorf("read answers: %w", err)
	}
	var stray []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			rows.Close()
			return fmt.Errorf("read answers: %w", err)
		}
		stray = append(stray, k)
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return fmt.Errorf("read answers: %w", err)
	}
	for i, k := range stray {
		if _, err := tx.exec(ctx, `UPDATE answers SET message_key = ? WHERE message_key = ?`,
			fmt.Sprintf("answer:%s:%d", anon, i+1), k); err != nil {
			return fmt.Errorf("anonymise answers: %w", err)
		}
	}
	if _, err := tx.exec(ctx, `UPDATE answers SET customer_id = ?, comment = '' WHERE customer_id = ?`,
		anon, id); err != nil {
		return fmt.Errorf("anonymise answers: %w", err)
	}
	return nil
}

// anonymousID is a random stand-in for an erased customer's ID.
func anonymousID() (string, error) {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return "erased-" + hex.EncodeToString(b[:]), nil
}

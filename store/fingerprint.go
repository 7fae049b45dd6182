package store

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
)

// EmailHash is the unkeyed form of an address: sha256, hex, of the trimmed,
// lowercased address. It is what a store opened without fingerprint keys
// keeps, and what stores kept before they had keys; a fingerprint in this
// form lets anyone who reads it confirm a guessed address, so a store with
// keys only reads it (to keep such old erasures blocking) and never writes
// it. DB.Fingerprint is the form to store.
func EmailHash(email string) string {
	sum := sha256.Sum256([]byte(normaliseEmail(email)))
	return hex.EncodeToString(sum[:])
}

func normaliseEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// Option changes how Open opens a store.
type Option func(*DB)

// WithFingerprintKeys keys the fingerprints the store keeps of addresses
// (customers, suppressions, bounces, the erasure that outlives a customer)
// with HMAC-SHA256: the first key makes them, every key, and the unkeyed
// form, is matched when an address is looked up. Without keys a
// fingerprint is the unkeyed EmailHash, for tests and tools.
func WithFingerprintKeys(keys ...[]byte) Option {
	return func(db *DB) {
		for _, k := range keys {
			if len(k) > 0 {
				db.fp.keys = append(db.fp.keys, append([]byte(nil), k...))
			}
		}
	}
}

// fingerprinter turns addresses into the forms the store keeps and matches.
type fingerprinter struct {
	keys [][]byte
	// missing is set when the store's fingerprints are keyed and no key
	// was given.
	missing bool
}

// of is the fingerprint to store for an address.
func (f fingerprinter) of(email string) string {
	if len(f.keys) == 0 {
		return EmailHash(email)
	}
	return keyed(f.keys[0], email)
}

// all is every fingerprint the address may be stored under: the current
// one first, then the other keys', then the unkeyed one.
func (f fingerprinter) all(email string) []string {
	out := make([]string, 0, len(f.keys)+1)
	for _, k := range f.keys {
		out = append(out, keyed(k, email))
	}
	return append(out, EmailHash(email))
}

// check names the key fingerprints are made with, so the store can tell
// when it changed; it reveals nothing of the key.
func (f fingerprinter) check() string {
	if len(f.keys) == 0 {
		return "unkeyed"
	}
	return keyed(f.keys[0], "courtesy fingerprint key check")[:16]
}

func keyed(key []byte, email string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(normaliseEmail(email)))
	return hex.EncodeToString(m.Sum(nil))
}

// Fingerprint is the form in which the store keeps an address where the
// address itself may not stay: keyed with the store's fingerprint key, so
// that it blocks the address without letting a reader of the database
// confirm a guess.
func (db *DB) Fingerprint(email string) string { return db.fp.of(email) }

// FingerprintKeyMissing reports that the store's fingerprints are keyed
// but it was opened without the key: it can read, but a lookup by address
// misses every keyed fingerprint, an erasure included, so nothing that
// stores or matches an address may run.
func (db *DB) FingerprintKeyMissing() bool { return db.fp.missing }

// Fingerprints is every form an address may be stored under, the current
// one first.
func (db *DB) Fingerprints(email string) []string { return db.fp.all(email) }

// rekey brings the stored fingerprints of every customer's address to the
// current key when the key changed since the last open, with the
// suppressions and bounces of those addresses, in one transaction. The
// fingerprints of erased addresses cannot be made again (the address is
// gone): they stay as they were and still match while their key is given.
func (db *DB) rekey(ctx context.Context) error {
	want := db.fp.check()
	return db.inTx(ctx, func(tx conn) error {
		var have string
		err := tx.queryRow(ctx, `SELECT value FROM store_settings WHERE name = 'fingerprint_key'`+tx.d.forUpdate).Scan(&have)
		switch {
		case err == nil && have == want:
			return nil
		case err == nil && len(db.fp.keys) == 0:
			// Moving keyed fingerprints back to the unkeyed form would undo
			// the key; the store is left as it is, for reading.
			db.fp.missing = true
			return nil
		}
		rows, err := tx.query(ctx, `SELECT email, email_hash FROM customers`)
		if err != nil {
			return fmt.Errorf("read customers: %w", err)
		}
		stale := map[string]string{} // stored fingerprint → address
		for rows.Next() {
			var email, h string
			if err := rows.Scan(&email, &h); err != nil {
				rows.Close()
				return fmt.Errorf("read customers: %w", err)
			}
			if h != db.fp.of(email) {
				stale[h] = email
			}
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return fmt.Errorf("read customers: %w", err)
		}
		for _, email := range stale {
			if err := moveFingerprints(ctx, tx, db.fp.of(email), db.fp.all(email)[1:]); err != nil {
				return err
			}
		}
		if _, err := tx.exec(ctx, `INSERT INTO store_settings (name, value) VALUES ('fingerprint_key', ?)
			ON CONFLICT (name) DO UPDATE SET value = excluded.value`, want); err != nil {
			return fmt.Errorf("record fingerprint key: %w", err)
		}
		return nil
	})
}

// moveFingerprints rewrites the rows stored under any of olds to current.
// A suppression already held under current for the same reason wins.
func moveFingerprints(ctx context.Context, tx conn, current string, olds []string) error {
	for _, old := range olds {
		if old == current {
			continue
		}
		for _, q := range []string{
			`UPDATE customers SET email_hash = ? WHERE email_hash = ?`,
			`UPDATE bounces SET email_hash = ? WHERE email_hash = ?`,
			`UPDATE suppressions SET email_hash = ? WHERE email_hash = ? AND reason NOT IN (
				SELECT reason FROM suppressions WHERE email_hash = ?)`,
		} {
			args := []any{current, old}
			if strings.Contains(q, "NOT IN") {
				args = append(args, current)
			}
			if _, err := tx.exec(ctx, q, args...); err != nil {
				return fmt.Errorf("rekey fingerprints: %w", err)
			}
		}
		if _, err := tx.exec(ctx, `DELETE FROM suppressions WHERE email_hash = ?`, old); err != nil {
			return fmt.Errorf("rekey fingerprints: %w", err)
		}
	}
	return nil
}

package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/courtesyhq/courtesy"
)

// EraseCustomer removes a person's data from every table in one transaction
// and leaves an erasure suppression holding only the keyed fingerprint of
// the address (Fingerprint), which blocks a re-import (ErrErased) and every
// send to it.
//
// Deleted: the customer row, consent ledger, events, preferences,
// engagement, the platform ids that named the customer, and every
// suppression of the address (its detail quotes the provider's diagnostic,
// which quotes the address). Kept, made anonymous, so
// the owner's counts stay true: messages, opt-outs, survey answers and
// bounces. Their customer ID is replaced by a random "erased-…" token (not
// the fingerprint, so they cannot be linked back to the address by someone
// who knows it), message keys are rebuilt around that token, bounces lose
// their fingerprint, and subjects, decision details (the SMTP error a send
// kept), Message-IDs and free-text comments are cleared. Any other free
// text that quotes the address is cleared as well.
//
// On SQLite the file keeps no copy in its free space (secure_delete), and
// the write-ahead log, which holds the pages as they were, is emptied once
// the erasure is committed. On PostgreSQL the live rows hold nothing; the
// old row versions stay in the table's files until autovacuum reuses
// their space (docs/SECURITY.md).
//
// email may be empty when the customer row still exists; when the row is
// already gone (an erasure run twice) the address is needed and the rest of
// the cleaning is done again. An unknown customer without an address is
// ErrNotFound.
func (db *DB) EraseCustomer(ctx context.Context, id string, email string, at time.Time) (courtesy.Erased, error) {
	anon, err := anonymousID()
	if err != nil {
		return courtesy.Erased{}, fmt.Errorf("erase %s: %w", id, err)
	}
	var erased courtesy.Erased
	err = db.inTx(ctx, func(tx conn) error {
		addrs := map[string]bool{}
		if email != "" {
			addrs[normaliseEmail(email)] = true
		}
		stored, err := customerEmail(ctx, tx, id)
		switch {
		case err == nil:
			addrs[normaliseEmail(stored)] = true
		case len(addrs) == 0:
			return err
		}
		if erased.MessageKeys, err = anonymiseMessages(ctx, tx, id, anon); err != nil {
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
		for addr := range addrs {
			if err := scrubAddress(ctx, tx, addr, db.fp.all(addr)); err != nil {
				return err
			}
			if _, err := tx.exec(ctx, `INSERT INTO suppressions (email_hash, reason, source, detail, at, lifted_at,
				lift_reason) VALUES (?, ?, 'erasure', '', ?, 0, '')`, db.fp.of(addr), courtesy.ReasonErased, micros(at)); err != nil {
				return fmt.Errorf("record erasure: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return courtesy.Erased{}, fmt.Errorf("erase %s: %w", id, err)
	}
	if err := db.dropOldPages(ctx); err != nil {
		return erased, fmt.Errorf("erase %s: committed, but %w", id, err)
	}
	return erased, nil
}

// freeText lists the columns where a person or a mail server may have
// written anything, an address included.
var freeText = []struct{ table, column string }{
	{"messages", "detail"},
	{"messages", "subject"},
	{"opt_outs", "comment"},
	{"answers", "comment"},
	{"suppressions", "detail"},
	{"suppressions", "lift_reason"},
	{"campaign_states", "reason"},
	{"consent_ledger", "notice"},
	{"consent_ledger", "source"},
}

// scrubAddress removes an address from the rows that are not the
// customer's own: the suppressions kept under any of its fingerprints
// (their detail quotes it), the fingerprint of its bounces, and any free
// text that quotes it.
func scrubAddress(ctx context.Context, tx conn, addr string, fingerprints []string) error {
	in := `email_hash IN (` + placeholders(len(fingerprints)) + `)`
	if _, err := tx.exec(ctx, `DELETE FROM suppressions WHERE `+in, anys(fingerprints)...); err != nil {
		return fmt.Errorf("scrub suppressions: %w", err)
	}
	if _, err := tx.exec(ctx, `UPDATE bounces SET email_hash = '' WHERE `+in, anys(fingerprints)...); err != nil {
		return fmt.Errorf("scrub bounces: %w", err)
	}
	pattern := "%" + likeEscaper.Replace(addr) + "%"
	for _, c := range freeText {
		if _, err := tx.exec(ctx, `UPDATE `+c.table+` SET `+c.column+` = '' WHERE LOWER(`+c.column+`) LIKE ? ESCAPE '\'`,
			pattern); err != nil {
			return fmt.Errorf("scrub %s.%s: %w", c.table, c.column, err)
		}
	}
	return nil
}

var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// customerEmail returns the address of a customer, ErrNotFound when there
// is no such customer.
func customerEmail(ctx context.Context, c conn, id string) (string, error) {
	var e string
	if err := c.queryRow(ctx, `SELECT email FROM customers WHERE id = ?`+c.d.forUpdate, id).Scan(&e); err != nil {
		return "", notFound(err, "customer "+id)
	}
	return e, nil
}

// dropOldPages empties SQLite's write-ahead log, whose frames hold pages as
// they were before the last changes; nothing to do on PostgreSQL, whose
// write-ahead log is recycled by the server.
func (db *DB) dropOldPages(ctx context.Context) error {
	if db.d.truncateLog == "" {
		return nil
	}
	var busy, logged, done int
	if err := db.w.QueryRowContext(ctx, db.d.truncateLog).Scan(&busy, &logged, &done); err != nil {
		return fmt.Errorf("empty the write-ahead log: %w", err)
	}
	if busy != 0 {
		return errors.New("the write-ahead log is still being read and was not emptied; it is emptied by the next erasure")
	}
	return nil
}

// anonymiseMessages rewrites the customer's messages, and the rows that
// refer to them by key, around the anonymous ID.
func anonymiseMessages(ctx context.Context, tx conn, id, anon string) ([]string, error) {
	rows, err := tx.query(ctx, `SELECT msg_key, campaign_id, occurrence FROM messages WHERE customer_id = ?`, id)
	if err != nil {
		return nil, fmt.Errorf("read messages: %w", err)
	}
	keys := map[string]string{}
	used := map[string]bool{}
	for rows.Next() {
		var key, campaign, occurrence string
		if err := rows.Scan(&key, &campaign, &occurrence); err != nil {
			rows.Close()
			return nil, fmt.Errorf("read messages: %w", err)
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
		return nil, fmt.Errorf("read messages: %w", err)
	}
	for old, nk := range keys {
		if _, err := tx.exec(ctx, `UPDATE messages SET msg_key = ?, customer_id = ?, detail = '', subject = '',
			message_id = '' WHERE msg_key = ?`, nk, anon, old); err != nil {
			return nil, fmt.Errorf("anonymise message: %w", err)
		}
		for _, table := range []string{"opt_outs", "answers", "bounces"} {
			if _, err := tx.exec(ctx, `UPDATE `+table+` SET message_key = ? WHERE message_key = ?`, nk, old); err != nil {
				return nil, fmt.Errorf("anonymise %s: %w", table, err)
			}
		}
	}
	// Rows that name a message the store never planned keep no key at all.
	if _, err := tx.exec(ctx, `UPDATE opt_outs SET customer_id = ?, comment = '',
		message_key = CASE WHEN message_key LIKE ? THEN message_key ELSE '' END WHERE customer_id = ?`,
		anon, "%:"+anon+":%", id); err != nil {
		return nil, fmt.Errorf("anonymise opt-outs: %w", err)
	}
	// An answer's key is its primary key, so an unplanned one gets a fresh
	// anonymous key rather than none.
	rows, err = tx.query(ctx, `SELECT message_key FROM answers WHERE customer_id = ? AND message_key NOT LIKE ?`,
		id, "%:"+anon+":%")
	if err != nil {
		return nil, fmt.Errorf("read answers: %w", err)
	}
	var stray []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			rows.Close()
			return nil, fmt.Errorf("read answers: %w", err)
		}
		stray = append(stray, k)
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return nil, fmt.Errorf("read answers: %w", err)
	}
	for i, k := range stray {
		if _, err := tx.exec(ctx, `UPDATE answers SET message_key = ? WHERE message_key = ?`,
			fmt.Sprintf("answer:%s:%d", anon, i+1), k); err != nil {
			return nil, fmt.Errorf("anonymise answers: %w", err)
		}
	}
	if _, err := tx.exec(ctx, `UPDATE answers SET customer_id = ?, comment = '' WHERE customer_id = ?`,
		anon, id); err != nil {
		return nil, fmt.Errorf("anonymise answers: %w", err)
	}
	old := make([]string, 0, len(keys))
	for k := range keys {
		old = append(old, k)
	}
	sort.Strings(old)
	return old, nil
}

// anonymousID is a random stand-in for an erased customer's ID.
func anonymousID() (string, error) {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return "erased-" + hex.EncodeToString(b[:]), nil
}

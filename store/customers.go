package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/courtesyhq/courtesy"
)

const customerCols = `id, email, first_name, last_name, birth_month, birth_day, timezone, locale, created_at, updated_at`

// upsertBatch is how many customers one INSERT statement carries: 11
// parameters each stays well under both engines' parameter limits, and
// larger batches gain little.
const upsertBatch = 500

// UpsertCustomers inserts or updates customers by ID in one transaction.
// A row that cannot be stored gets an error in rowErrs at its index (wrapping
// ErrErased for an erased address) and the other rows still land. An update
// keeps the stored CreatedAt. A zero UpdatedAt is taken as now, and a zero
// CreatedAt as UpdatedAt. err is non-nil only when nothing was stored.
func (db *DB) UpsertCustomers(ctx context.Context, cs []courtesy.Customer) (rowErrs []error, err error) {
	rowErrs = make([]error, len(cs))
	now := time.Now()
	err = db.inTx(ctx, func(tx conn) error {
		erased, err := erasedHashes(ctx, tx)
		if err != nil {
			return err
		}
		stmts := map[int]*sql.Stmt{}
		defer func() {
			for _, s := range stmts {
				_ = s.Close()
			}
		}()
		stmt := func(n int) (*sql.Stmt, error) {
			if s, ok := stmts[n]; ok {
				return s, nil
			}
			values := strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?), ", n), ", ")
			q := `INSERT INTO customers (id, email, email_hash, first_name, last_name, birth_month, birth_day,
				timezone, locale, created_at, updated_at) VALUES ` + values + `
				ON CONFLICT (id) DO UPDATE SET email = excluded.email, email_hash = excluded.email_hash,
				first_name = excluded.first_name, last_name = excluded.last_name,
				birth_month = excluded.birth_month, birth_day = excluded.birth_day,
				timezone = excluded.timezone, locale = excluded.locale, updated_at = excluded.updated_at`
			s, err := tx.prepare(ctx, q)
			if err != nil {
				return nil, fmt.Errorf("prepare customer upsert: %w", err)
			}
			stmts[n] = s
			return s, nil
		}
		args := make([]any, 0, upsertBatch*11)
		inBatch := map[string]bool{}
		older := map[string]string{} // another form of a stored address → its fingerprint
		flush := func() error {
			n := len(inBatch)
			if n == 0 {
				return nil
			}
			s, err := stmt(n)
			if err != nil {
				return err
			}
			if _, err := s.ExecContext(ctx, args...); err != nil {
				return fmt.Errorf("upsert customers: %w", err)
			}
			args = args[:0]
			clear(inBatch)
			return nil
		}
		for i, c := range cs {
			c.ID = strings.TrimSpace(c.ID)
			c.Email = strings.TrimSpace(c.Email)
			switch {
			case c.ID == "":
				rowErrs[i] = errors.New("customer has no id")
				continue
			case c.Email == "":
				rowErrs[i] = fmt.Errorf("customer %s has no email", c.ID)
				continue
			}
			hash := db.fp.of(c.Email)
			if anyOf(erased, db.fp.all(c.Email)) {
				rowErrs[i] = fmt.Errorf("customer %s: %w", c.ID, courtesy.ErrErased)
				// The address is known again for a moment: an erasure kept
				// in an older form (unkeyed, which anyone can check a guess
				// against) takes the current one.
				for _, old := range db.fp.all(c.Email)[1:] {
					if erased[old] && old != hash {
						older[old] = hash
					}
				}
				continue
			}
			for _, old := range db.fp.all(c.Email)[1:] {
				if old != hash {
					older[old] = hash
				}
			}
			// One statement may not touch a row twice (PostgreSQL refuses),
			// so a repeated ID starts a new batch; the later row wins.
			if inBatch[c.ID] {
				if err := flush(); err != nil {
					return err
				}
			}
			updated := c.UpdatedAt
			if updated.IsZero() {
				updated = now
			}
			created := c.CreatedAt
			if created.IsZero() {
				created = updated
			}
			inBatch[c.ID] = true
			args = append(args, c.ID, c.Email, hash, c.FirstName, c.LastName, int(c.Birthday.Month), c.Birthday.Day,
				c.Timezone, c.Locale, micros(created), micros(updated))
			if len(inBatch) == upsertBatch {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		if err := flush(); err != nil {
			return err
		}
		return adoptFingerprints(ctx, tx, older)
	})
	if err != nil {
		return rowErrs, err
	}
	return rowErrs, nil
}

// adoptFingerprints moves the suppressions and bounces kept under an older
// form of a stored address (made before the key, or under another) to its
// fingerprint, which the send path joins on: a complaint about an address
// that was no customer yet must still stop it once it is one.
func adoptFingerprints(ctx context.Context, tx conn, older map[string]string) error {
	olds := make([]string, 0, len(older))
	for h := range older {
		olds = append(olds, h)
	}
	for len(olds) > 0 {
		n := min(len(olds), byIDChunk)
		chunk := olds[:n]
		olds = olds[n:]
		in := `(` + placeholders(n) + `)`
		found, err := scanStrings(tx.query(ctx, `SELECT email_hash FROM suppressions WHERE email_hash IN `+in+`
			UNION SELECT email_hash FROM bounces WHERE email_hash IN `+in, append(anys(chunk), anys(chunk)...)...))
		if err != nil {
			return fmt.Errorf("adopt older fingerprints: %w", err)
		}
		for _, h := range found {
			if err := moveFingerprints(ctx, tx, older[h], []string{h}); err != nil {
				return err
			}
		}
	}
	return nil
}

func anyOf(set map[string]bool, keys []string) bool {
	for _, k := range keys {
		if set[k] {
			return true
		}
	}
	return false
}

// erasedHashes returns the address hashes that may not be stored again.
func erasedHashes(ctx context.Context, c conn) (map[string]bool, error) {
	rows, err := c.query(ctx, `SELECT email_hash FROM suppressions WHERE reason = ? AND lifted_at = 0`, courtesy.ReasonErased)
	if err != nil {
		return nil, fmt.Errorf("read erasures: %w", err)
	}
	defer rows.Close()
	m := map[string]bool{}
	for rows.Next() {
		var h string
		if err := rows.Scan(&h); err != nil {
			return nil, fmt.Errorf("read erasures: %w", err)
		}
		m[h] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read erasures: %w", err)
	}
	return m, nil
}

// isErasedSQL counts the active erasures among n hashes.
func isErasedSQL(n int) string {
	return `SELECT COUNT(*) FROM suppressions WHERE email_hash IN (` + placeholders(n) + `)
		AND reason = ? AND lifted_at = 0`
}

// isErased reports whether any of the hashes has an active erasure
// suppression.
func isErased(ctx context.Context, c conn, hashes ...string) (bool, error) {
	var n int
	err := c.queryRow(ctx, isErasedSQL(len(hashes)), append(anys(hashes), courtesy.ReasonErased)...).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("check erasure: %w", err)
	}
	return n > 0, nil
}

// IsErased reports whether the owner of the address with this hash asked to
// be erased.
func (db *DB) IsErased(ctx context.Context, emailHash string) (bool, error) {
	return isErased(ctx, db.reader(), emailHash)
}

// AddressErased reports whether the owner of the address asked to be
// erased, under any fingerprint the store matches (Fingerprints).
func (db *DB) AddressErased(ctx context.Context, email string) (bool, error) {
	return isErased(ctx, db.reader(), db.fp.all(email)...)
}

type scanner interface{ Scan(dest ...any) error }

func scanCustomer(s scanner) (courtesy.Customer, error) {
	var (
		c                courtesy.Customer
		month, day       int
		created, updated int64
	)
	err := s.Scan(&c.ID, &c.Email, &c.FirstName, &c.LastName, &month, &day, &c.Timezone, &c.Locale, &created, &updated)
	if err != nil {
		return c, err
	}
	if month != 0 {
		c.Birthday = courtesy.MonthDay{Month: time.Month(month), Day: day}
	}
	c.CreatedAt, c.UpdatedAt = fromMicros(created), fromMicros(updated)
	return c, nil
}

// Customer returns the customer with this ID.
func (db *DB) Customer(ctx context.Context, id string) (courtesy.Customer, error) {
	c, err := scanCustomer(db.reader().queryRow(ctx, `SELECT `+customerCols+` FROM customers WHERE id = ?`, id))
	if err != nil {
		return c, notFound(err, "customer "+id)
	}
	return c, nil
}

// CustomersByID returns the customers with these IDs that exist, by ID;
// an erased or unknown ID is simply absent. It reads them byIDChunk at a
// time, the last read filled up with its own last ID, so that every read
// is the one prepared statement rather than one per length.
func (db *DB) CustomersByID(ctx context.Context, ids []string) (map[string]courtesy.Customer, error) {
	out := make(map[string]courtesy.Customer, len(ids))
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), byIDChunk)]
		ids = ids[len(chunk):]
		args := make([]any, byIDChunk)
		for i := range args {
			args[i] = chunk[min(i, len(chunk)-1)]
		}
		rows, err := db.reader().query(ctx, customersByIDSQL, args...)
		if err != nil {
			return nil, fmt.Errorf("customers by id: %w", err)
		}
		for rows.Next() {
			c, err := scanCustomer(rows)
			if err != nil {
				rows.Close()
				return nil, fmt.Errorf("customers by id: %w", err)
			}
			out[c.ID] = c
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("customers by id: %w", err)
		}
	}
	return out, nil
}

const byIDChunk = 500

var customersByIDSQL = `SELECT ` + customerCols + ` FROM customers WHERE id IN (` + placeholders(byIDChunk) + `)`

// CustomerByEmail returns the customer with this address, compared trimmed
// and without case. When several share it, the earliest created is returned.
func (db *DB) CustomerByEmail(ctx context.Context, email string) (courtesy.Customer, error) {
	hs := db.fp.all(email)
	c, err := scanCustomer(db.reader().queryRow(ctx, `SELECT `+customerCols+` FROM customers
		WHERE email_hash IN (`+placeholders(len(hs))+`) ORDER BY created_at, id LIMIT 1`, anys(hs)...))
	if err != nil {
		return c, notFound(err, "customer by email")
	}
	return c, nil
}

// CustomerIDsByEmail returns the IDs of every customer with this address,
// compared trimmed and without case, earliest created first; none is an
// empty list.
func (db *DB) CustomerIDsByEmail(ctx context.Context, email string) ([]string, error) {
	hs := db.fp.all(email)
	ids, err := scanStrings(db.reader().query(ctx, `SELECT id FROM customers WHERE email_hash IN (`+placeholders(len(hs))+`)
		ORDER BY created_at, id`, anys(hs)...))
	if err != nil {
		return nil, fmt.Errorf("customers by email: %w", err)
	}
	return ids, nil
}

func anys(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// CustomersWithBirthday returns the customers born on any of the days,
// ordered by ID. The caller decides which days count (29 February on the
// 28th in other years).
func (db *DB) CustomersWithBirthday(ctx context.Context, days []courtesy.MonthDay) ([]courtesy.Customer, error) {
	seen := map[courtesy.MonthDay]bool{}
	var out []courtesy.Customer
	for _, md := range days {
		if md.IsZero() || seen[md] {
			continue
		}
		seen[md] = true
		// One indexed equality lookup per day; an OR of pairs is not
		// planned as well on both engines.
		rows, err := db.reader().query(ctx, `SELECT `+customerCols+` FROM customers
			WHERE birth_month = ? AND birth_day = ?`, int(md.Month), md.Day)
		if err != nil {
			return nil, fmt.Errorf("customers born %s: %w", md, err)
		}
		for rows.Next() {
			c, err := scanCustomer(rows)
			if err != nil {
				rows.Close()
				return nil, fmt.Errorf("customers born %s: %w", md, err)
			}
			out = append(out, c)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("customers born %s: %w", md, err)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// CountCustomers returns how many customers are stored.
func (db *DB) CountCustomers(ctx context.Context) (int, error) {
	var n int
	if err := db.reader().queryRow(ctx, `SELECT COUNT(*) FROM customers`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count customers: %w", err)
	}
	return n, nil
}

// customerHash returns the address hash of a customer, ErrNotFound when
// there is no such customer.
func customerHash(ctx context.Context, c conn, id string) (string, error) {
	var h string
	if err := c.queryRow(ctx, `SELECT email_hash FROM customers WHERE id = ?`+c.d.forUpdate, id).Scan(&h); err != nil {
		return "", notFound(err, "customer "+id)
	}
	return h, nil
}

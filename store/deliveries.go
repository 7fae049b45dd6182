package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/courtesyhq/courtesy"
)

// The statements of RecordDelivery. On PostgreSQL the customer lookups take
// the row's lock (forUpdate) as well.
const (
	insertDeliverySQL = `INSERT INTO webhook_deliveries (source, delivery_id, received_at) VALUES (?, ?, ?)
		ON CONFLICT (source, delivery_id) DO NOTHING`
	pruneDeliveriesSQL      = `DELETE FROM webhook_deliveries WHERE received_at < ?`
	customerByPlatformIDSQL = `SELECT ` + customerCols + ` FROM customers WHERE id =
		(SELECT customer_id FROM integration_customers WHERE source = ? AND external_id = ?)`
	customerByIDSQL           = `SELECT ` + customerCols + ` FROM customers WHERE id = ?`
	insertPlatformCustomerSQL = `INSERT INTO customers (id, email, email_hash, first_name, last_name,
		created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`
	updatePlatformCustomerSQL = `UPDATE customers SET email = ?, email_hash = ?, first_name = ?, last_name = ?,
		updated_at = ? WHERE id = ?`
	linkCustomerSQL = `INSERT INTO integration_customers (source, external_id, customer_id) VALUES (?, ?, ?)
		ON CONFLICT (source, external_id) DO UPDATE SET customer_id = excluded.customer_id`
)

// customerByHashSQL finds the earliest customer stored under any of n
// fingerprints of an address.
func customerByHashSQL(n int) string {
	return `SELECT ` + customerCols + ` FROM customers WHERE email_hash IN (` + placeholders(n) + `)
		ORDER BY created_at, id LIMIT 1`
}

// deliverySQL lists them with the shared statements RecordDelivery runs;
// the store matches an address under fingerprints of its n keys and the
// unkeyed one.
func (db *DB) deliverySQL() []string {
	n := len(db.fp.keys) + 1
	return []string{insertDeliverySQL, pruneDeliveriesSQL, customerByPlatformIDSQL, customerByIDSQL,
		customerByHashSQL(n), insertPlatformCustomerSQL, updatePlatformCustomerSQL, linkCustomerSQL, isErasedSQL(n),
		addEventSQL, eventIDSQL, consentHistorySQL, insertConsentSQL}
}

// DeliveryRetention is how long a delivery's id is kept. The platforms stop
// retrying within days (Shopify after 48 hours, Stripe after three days);
// past that an id only takes room, and an order delivered again under a new
// id is still one event.
const DeliveryRetention = 30 * 24 * time.Hour

// RecordDelivery stores what a shop platform's webhook delivered, in one
// durable transaction, so that the platform is answered only once it is
// kept: the delivery's id first, so that one seen before writes nothing and
// says Duplicate; then the customer, matched by the platform's id, then by
// address, or created; the events; and each consent record that applies
// lets into the ledger (the rule is consent.PlatformRecordApplies; the store
// holds no consent rules). An erased address records the delivery's id and
// nothing about the person.
func (db *DB) RecordDelivery(ctx context.Context, d courtesy.Delivery,
	applies func(ledger []courtesy.ConsentRecord, r courtesy.ConsentRecord) bool) (courtesy.DeliveryOutcome, error) {
	if d.Source == "" || d.ID == "" || d.ReceivedAt.IsZero() {
		return courtesy.DeliveryOutcome{}, fmt.Errorf("record delivery: needs a source, an id and a time")
	}
	for _, q := range db.deliverySQL() {
		db.ws.Get(ctx, db.d.rebind(q)) // so that the shared transaction runs them prepared
	}
	var out courtesy.DeliveryOutcome
	err := db.inDurableTx(ctx, func(tx conn) error {
		out = courtesy.DeliveryOutcome{}
		res, err := tx.exec(ctx, insertDeliverySQL, d.Source, d.ID, micros(d.ReceivedAt))
		if err != nil {
			return fmt.Errorf("delivery id: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			out.Duplicate = err == nil
			return err
		}
		if _, err := tx.exec(ctx, pruneDeliveriesSQL, micros(d.ReceivedAt.Add(-DeliveryRetention))); err != nil {
			return fmt.Errorf("prune delivery ids: %w", err)
		}
		if d.Customer == nil {
			return nil
		}
		id, created, err := db.matchCustomer(ctx, tx, d.Source, *d.Customer, d.ReceivedAt)
		switch {
		case errors.Is(err, courtesy.ErrErased):
			out.Erased = true
			return nil
		case err != nil:
			return err
		case id == "":
			return nil // no address to create the person with
		}
		out.CustomerID, out.CustomerCreated = id, created
		for _, e := range d.Events {
			e.CustomerID = id
			_, inserted, err := addEvent(ctx, tx, e)
			if err != nil {
				return err
			}
			if inserted {
				out.EventsAdded++
			}
		}
		if len(d.Consents) == 0 {
			return nil
		}
		ledger, err := consentHistory(ctx, tx, id)
		if err != nil {
			return err
		}
		for _, r := range d.Consents {
			r.CustomerID = id
			if r.Source == "" {
				r.Source = d.Source
			}
			if !applies(ledger, r) {
				continue
			}
			if r.ID, err = insertConsent(ctx, tx, r); err != nil {
				return err
			}
			ledger = append(ledger, r)
			out.ConsentsAdded++
		}
		return nil
	})
	if err != nil {
		return courtesy.DeliveryOutcome{}, fmt.Errorf("record %s delivery %s: %w", d.Source, d.ID, err)
	}
	return out, nil
}

// matchCustomer finds the courtesy customer a platform's customer is — by
// the platform's id through integration_customers, then by the id an import
// of the platform's export gives them, then by address — updates the names
// and address the platform sent, or creates the customer. It returns an
// empty id when there is nobody to match and no address to create them
// with, and ErrErased for an erased address.
func (db *DB) matchCustomer(ctx context.Context, tx conn, source string, pc courtesy.PlatformCustomer, at time.Time) (id string, created bool, err error) {
	pc.Email = strings.TrimSpace(pc.Email)
	if pc.Email != "" {
		erased, err := isErased(ctx, tx, db.fp.all(pc.Email)...)
		if err != nil {
			return "", false, err
		}
		if erased {
			return "", false, courtesy.ErrErased
		}
	}
	type lookup struct {
		query string
		args  []any
	}
	var lookups []lookup
	if pc.ExternalID != "" {
		lookups = append(lookups,
			lookup{customerByPlatformIDSQL, []any{source, pc.ExternalID}},
			lookup{customerByIDSQL, []any{courtesy.PlatformCustomerID(source, pc.ExternalID)}})
	}
	if pc.Email != "" {
		hs := db.fp.all(pc.Email)
		lookups = append(lookups, lookup{customerByHashSQL(len(hs)), anys(hs)})
	}
	var c courtesy.Customer
	found := false
	for _, l := range lookups {
		c, err = scanCustomer(tx.queryRow(ctx, l.query+tx.d.forUpdate, l.args...))
		if err == nil {
			found = true
			break
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return "", false, fmt.Errorf("match customer: %w", err)
		}
	}
	switch {
	case found:
		if err := db.updateFromPlatform(ctx, tx, c, pc, at); err != nil {
			return "", false, err
		}
	case pc.Email == "":
		return "", false, nil
	default:
		c.ID = courtesy.PlatformCustomerID(source, pc.ExternalID)
		if pc.ExternalID == "" {
			if c.ID, err = guestID(source); err != nil {
				return "", false, err
			}
		}
		if _, err := tx.exec(ctx, insertPlatformCustomerSQL, c.ID, pc.Email, db.fp.of(pc.Email),
			strings.TrimSpace(pc.FirstName), strings.TrimSpace(pc.LastName), micros(at), micros(at)); err != nil {
			return "", false, fmt.Errorf("create customer: %w", err)
		}
		created = true
	}
	if pc.ExternalID != "" {
		if _, err := tx.exec(ctx, linkCustomerSQL, source, pc.ExternalID, c.ID); err != nil {
			return "", false, fmt.Errorf("link customer: %w", err)
		}
	}
	return c.ID, created, nil
}

// updateFromPlatform writes the address and names the platform sent over
// the stored ones; what it left empty stays as it was.
func (db *DB) updateFromPlatform(ctx context.Context, tx conn, c courtesy.Customer, pc courtesy.PlatformCustomer, at time.Time) error {
	changed := false
	for _, f := range []struct {
		dst *string
		v   string
	}{{&c.Email, pc.Email}, {&c.FirstName, pc.FirstName}, {&c.LastName, pc.LastName}} {
		if v := strings.TrimSpace(f.v); v != "" && v != *f.dst {
			*f.dst, changed = v, true
		}
	}
	if !changed {
		return nil
	}
	if _, err := tx.exec(ctx, updatePlatformCustomerSQL, c.Email, db.fp.of(c.Email), c.FirstName, c.LastName,
		micros(at), c.ID); err != nil {
		return fmt.Errorf("update customer %s: %w", c.ID, err)
	}
	return nil
}

// guestID names a customer who checked out as a guest: the platform gave
// no id to build one from.
func guestID(source string) (string, error) {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("guest id: %w", err)
	}
	return source + "-guest-" + hex.EncodeToString(b[:]), nil
}

// PlatformIDs returns the ids by which shop platforms know the customer,
// by platform and id.
func (db *DB) PlatformIDs(ctx context.Context, customerID string) ([]courtesy.PlatformID, error) {
	rows, err := db.reader().query(ctx, `SELECT source, external_id FROM integration_customers
		WHERE customer_id = ? ORDER BY source, external_id`, customerID)
	if err != nil {
		return nil, fmt.Errorf("platform ids of %s: %w", customerID, err)
	}
	defer rows.Close()
	var out []courtesy.PlatformID
	for rows.Next() {
		var p courtesy.PlatformID
		if err := rows.Scan(&p.Platform, &p.ID); err != nil {
			return nil, fmt.Errorf("platform ids of %s: %w", customerID, err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("platform ids of %s: %w", customerID, err)
	}
	return out, nil
}

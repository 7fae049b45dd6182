package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"time"

	"github.com/courtesyhq/courtesy"
)

// SendContext is everything the send pipeline reads about one message
// before it decides: the message, its customer, the customer's consent
// ledger, preferences and active address suppression, and the state of
// the message's campaign.
type SendContext struct {
	Message courtesy.Message
	// Customer is the message's customer; CustomerFound is false when the
	// customer is gone (erased), and then only Message and Campaign are set.
	Customer      courtesy.Customer
	CustomerFound bool
	// Suppressed reports an active suppression of the customer's address;
	// Suppression is the one Suppressed would return.
	Suppressed  bool
	Suppression courtesy.Suppression
	Consent     []courtesy.ConsentRecord // oldest first, as ConsentHistory
	Preferences courtesy.Preferences
	Campaign    courtesy.CampaignState
	// Sent is the customer's send log from SentSince on, as SentTimes
	// returns it, when SendContext was asked for it.
	Sent      []courtesy.SentRecord
	SentSince time.Time
}

// sendContextQuery reads the message with its customer, preferences,
// campaign state, first active suppression, consent ledger and send log in
// one statement: one round trip (and one prepared statement) where the
// pipeline used to make eight. The LEFT JOINs keep the message when the
// others are missing; the ledger and the log come as JSON arrays, in the
// order ConsentHistory and SentTimes return them.
func sendContextQuery(d dialect) string {
	return sendContextSelect(d) + `
	WHERE m.msg_key = ?`
}

// sendContextSelect is the send context query without its WHERE.
func sendContextSelect(d dialect) string {
	return `SELECT m.msg_key, m.campaign_id, m.campaign_version, m.customer_id, m.occurrence, m.purpose,
	m.variant, m.decision, m.detail, m.message_id, m.subject, m.due_at, m.not_after, m.created_at, m.claimed_at,
	m.decided_at, m.attempts,
	c.id, c.email, c.first_name, c.last_name, c.birth_month, c.birth_day, c.timezone, c.locale, c.created_at,
	c.updated_at,
	p.paused_until, p.max_per_window, p.updated_at,
	cs.paused, cs.reason, cs.at,
	su.email_hash, su.reason, su.source, su.detail, su.at, su.lifted_at, su.lift_reason,
	` + ledgerJSON(d, "c.id") + `,
	` + sentLogJSON(d, "c.id", "") + `
	FROM messages m
	LEFT JOIN customers c ON c.id = m.customer_id
	LEFT JOIN preferences p ON p.customer_id = m.customer_id
	LEFT JOIN campaign_states cs ON cs.id = m.campaign_id
	LEFT JOIN suppressions su ON su.email_hash = c.email_hash AND su.reason = (
		SELECT reason FROM suppressions WHERE email_hash = c.email_hash AND lifted_at = 0
		ORDER BY at, reason LIMIT 1)`
}

// sendSQL holds the statements of the send path, which run for every
// message and are built from the dialect once, when the store opens.
type sendSQL struct {
	sendContext string
	// sendContexts reads the send contexts of a list of keys, given as one
	// JSON array: one statement, prepared once, whatever the batch's size.
	sendContexts string
	claimForSend string
	decideAll    string
}

func newSendSQL(d dialect) sendSQL {
	return sendSQL{
		sendContext:  sendContextQuery(d),
		sendContexts: sendContextSelect(d) + "\n\tWHERE m.msg_key IN (" + d.jsonKeys + ")",
		claimForSend: claimForSendQuery(d),
		decideAll:    decideAllQuery(d),
	}
}

// SendContext reads what the pipeline needs to decide on the message with
// this key, in one statement on the hot reader: the message, its customer
// with preferences, suppression and consent ledger, its campaign's state,
// and, unless sentSince is zero, the customer's send log from then on (for
// the frequency limits, should Redis not hold the customer's windows). The
// pipeline reads consent once more after its claim. A missing message is
// ErrNotFound.
func (db *DB) SendContext(ctx context.Context, key string, sentSince time.Time) (SendContext, error) {
	sc, err := scanSendContext(db.hotReader().queryRow(ctx, db.q.sendContext,
		append(sendContextLogArgs(sentSince), key)...), sentSince)
	if err != nil {
		return sc, notFound(err, "send context of "+key)
	}
	return sc, nil
}

// SendContexts is SendContext for a batch of messages in one statement:
// what a worker reads once for every message of a batch task. Keys not in
// the store are missing from the map.
func (db *DB) SendContexts(ctx context.Context, keys []string, sentSince time.Time) (map[string]SendContext, error) {
	out := make(map[string]SendContext, len(keys))
	if len(keys) == 0 {
		return out, nil
	}
	list, err := json.Marshal(keys)
	if err != nil {
		return nil, fmt.Errorf("send contexts: %w", err)
	}
	rows, err := db.hotReader().query(ctx, db.q.sendContexts,
		append(sendContextLogArgs(sentSince), string(list))...)
	if err != nil {
		return nil, fmt.Errorf("send contexts of %d messages: %w", len(keys), err)
	}
	defer rows.Close()
	for rows.Next() {
		sc, err := scanSendContext(rows, sentSince)
		if err != nil {
			return nil, fmt.Errorf("send contexts: %w", err)
		}
		out[sc.Message.Key] = sc
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("send contexts of %d messages: %w", len(keys), err)
	}
	return out, nil
}

// sendContextLogArgs are the send log's arguments of the send context
// queries; a zero sentSince reads no log.
func sendContextLogArgs(sentSince time.Time) []any {
	logArgs := sentLogArgs(sentSince)
	if sentSince.IsZero() {
		logArgs[len(logArgs)-1] = int64(math.MaxInt64) // no log
	}
	return logArgs
}

// scanSendContext reads one row of the send context queries.
func scanSendContext(s scanner, sentSince time.Time) (SendContext, error) {
	var (
		sc                                       SendContext
		decision                                 string
		due, notAfter, created, claimed, decided int64

		custID, email, first, last, tz, locale sql.NullString
		month, day, custCreated, custUpdated   sql.NullInt64

		prefPaused, prefUpdated sql.NullInt64
		prefMax                 sql.NullString

		csPaused, csAt sql.NullInt64
		csReason       sql.NullString

		supHash, supReason, supSource, supDetail, supLiftReason sql.NullString
		supAt, supLifted                                        sql.NullInt64

		ledger, sent []byte
	)
	m := &sc.Message
	err := s.Scan(
		&m.Key, &m.CampaignID, &m.CampaignVersion, &m.CustomerID, &m.Occurrence, &m.Purpose,
		&m.Variant, &decision, &m.Detail, &m.MessageID, &m.Subject, &due, &notAfter, &created, &claimed, &decided,
		&m.Attempts,
		&custID, &email, &first, &last, &month, &day, &tz, &locale, &custCreated, &custUpdated,
		&prefPaused, &prefMax, &prefUpdated,
		&csPaused, &csReason, &csAt,
		&supHash, &supReason, &supSource, &supDetail, &supAt, &supLifted, &supLiftReason,
		&ledger, &sent)
	if err != nil {
		return sc, err
	}
	m.Decision = courtesy.ParseDecision(decision)
	m.DueAt, m.NotAfter = fromMicros(due), fromMicros(notAfter)
	m.CreatedAt, m.ClaimedAt, m.DecidedAt = fromMicros(created), fromMicros(claimed), fromMicros(decided)

	sc.Campaign = courtesy.CampaignState{ID: m.CampaignID}
	if csAt.Valid {
		sc.Campaign.Paused, sc.Campaign.Reason, sc.Campaign.At = csPaused.Int64 != 0, csReason.String, fromMicros(csAt.Int64)
	}
	if !custID.Valid {
		return sc, nil
	}
	sc.CustomerFound = true
	sc.Customer = courtesy.Customer{ID: custID.String, Email: email.String, FirstName: first.String,
		LastName: last.String, Timezone: tz.String, Locale: locale.String,
		CreatedAt: fromMicros(custCreated.Int64), UpdatedAt: fromMicros(custUpdated.Int64)}
	if month.Int64 != 0 { // as scanCustomer
		sc.Customer.Birthday = courtesy.MonthDay{Month: time.Month(month.Int64), Day: int(day.Int64)}
	}
	sc.Preferences = courtesy.Preferences{CustomerID: custID.String}
	if prefUpdated.Valid {
		sc.Preferences.PausedUntil = fromMicros(prefPaused.Int64)
		sc.Preferences.MaxPerWindow = prefMax.String
		sc.Preferences.UpdatedAt = fromMicros(prefUpdated.Int64)
	}
	// The join goes by the stored hash, which every write of a customer
	// computes from the address (UpsertCustomers, BulkLoad).
	if supHash.Valid {
		sc.Suppressed = true
		sc.Suppression = courtesy.Suppression{EmailHash: supHash.String, Reason: supReason.String, Source: supSource.String,
			Detail: supDetail.String, At: fromMicros(supAt.Int64), LiftedAt: fromMicros(supLifted.Int64),
			LiftReason: supLiftReason.String}
	}
	if sc.Consent, err = ledgerFromJSON(sc.Customer.ID, ledger); err != nil {
		return sc, fmt.Errorf("send context of %s: %w", m.Key, err)
	}
	if sentSince.IsZero() {
		return sc, nil
	}
	if sc.Sent, err = sentLogFromJSON(sent); err != nil {
		return sc, fmt.Errorf("send context of %s: %w", m.Key, err)
	}
	sc.SentSince = sentSince
	return sc, nil
}

// hotReader is the connection for the reads of the send path, which runs
// them for every message while the pipeline writes for every message: the
// writer where the dialect says so (hotReadsOnWriter), else a reader.
func (db *DB) hotReader() conn {
	if db.d.hotReadsOnWriter {
		return db.writer()
	}
	return db.reader()
}

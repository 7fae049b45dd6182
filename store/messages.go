package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/courtesyhq/courtesy"
)

// ClaimResult is what Claim found.
type ClaimResult int

const (
	// Claimed: this caller holds the message and may hand it to SMTP once.
	Claimed ClaimResult = iota + 1
	// Orphaned: an earlier attempt claimed it and never reported back; the
	// message is now failed:unknown-outcome and must not be sent.
	Orphaned
	// AlreadyDecided: the message has a final decision; nothing to do.
	AlreadyDecided
)

func (r ClaimResult) String() string {
	switch r {
	case Claimed:
		return "claimed"
	case Orphaned:
		return "orphaned"
	case AlreadyDecided:
		return "already-decided"
	}
	return fmt.Sprintf("ClaimResult(%d)", int(r))
}

// DecisionUpdate is a change to a message's decision, for Decide. Empty
// strings and a zero DueAt leave their columns as they are.
type DecisionUpdate struct {
	Key             string
	Decision        courtesy.Decision
	Detail          string
	MessageID       string
	Subject         string
	Variant         string
	CampaignVersion string
	DueAt           time.Time
	At              time.Time // when the decision was taken
}

const messageCols = `msg_key, campaign_id, campaign_version, customer_id, occurrence, purpose, variant, decision,
	detail, message_id, subject, due_at, not_after, created_at, claimed_at, decided_at, attempts`

func scanMessage(s scanner) (courtesy.Message, error) {
	var (
		m                                        courtesy.Message
		decision                                 string
		due, notAfter, created, claimed, decided int64
	)
	if err := s.Scan(&m.Key, &m.CampaignID, &m.CampaignVersion, &m.CustomerID, &m.Occurrence, &m.Purpose,
		&m.Variant, &decision, &m.Detail, &m.MessageID, &m.Subject, &due, &notAfter, &created, &claimed, &decided,
		&m.Attempts); err != nil {
		return m, err
	}
	m.Decision = courtesy.ParseDecision(decision)
	m.DueAt, m.NotAfter = fromMicros(due), fromMicros(notAfter)
	m.CreatedAt, m.ClaimedAt, m.DecidedAt = fromMicros(created), fromMicros(claimed), fromMicros(decided)
	return m, nil
}

// PlanMessage is PlanMessages for one message: it stores it unless its key
// exists, and returns the row as it now is.
func (db *DB) PlanMessage(ctx context.Context, m courtesy.Message) (created bool, current courtesy.Message, err error) {
	planned, err := db.PlanMessages(ctx, []courtesy.Message{m})
	if err != nil {
		return false, m, fmt.Errorf("plan message %s: %w", m.Key, err)
	}
	return planned[0].Created, planned[0].Current, nil
}

// Message returns the message with this key.
func (db *DB) Message(ctx context.Context, key string) (courtesy.Message, error) {
	m, err := scanMessage(db.reader().queryRow(ctx, `SELECT `+messageCols+` FROM messages WHERE msg_key = ?`, key))
	if err != nil {
		return m, notFound(err, "message "+key)
	}
	return m, nil
}

const claimable = `outcome IN ('` + string(courtesy.Planned) + `', '` + string(courtesy.Deferred) + `')`

// claimUpdate takes a planned or deferred message (its arguments are
// claimArgs). It leaves decided_at alone: a claim lasts as long as one SMTP
// exchange, and moving the three indexes on decided_at for it, and again
// for the decision that follows, made the claim the costliest write of the
// send path (it runs while the SMTP server waits for the final ".").
const claimUpdate = `UPDATE messages SET outcome = ?, decision = ?, claimed_at = ?, attempts = attempts + 1
		WHERE msg_key = ? AND ` + claimable

// claimSQL is claimUpdate returning the message as the claim leaves it.
const claimSQL = claimUpdate + ` RETURNING ` + messageCols

// claimForSendQuery is claimUpdate returning only what the last checks
// before the final "." read, as the claim leaves them: the customer's
// consent ledger, the customer's send log without the message itself,
// whether the customer's address is suppressed, whether the campaign is
// paused and until when the customer paused everything. Of the message's
// own columns only the customer: the sender has the rest.
func claimForSendQuery(d dialect) string {
	return claimUpdate + ` RETURNING customer_id, ` + ledgerJSON(d, "messages.customer_id") + `,
		` + sentLogJSON(d, "messages.customer_id", "s.msg_key <> messages.msg_key") + `,
		(SELECT COUNT(*) FROM suppressions su JOIN customers c ON su.email_hash = c.email_hash
			WHERE c.id = messages.customer_id AND su.lifted_at = 0),
		COALESCE((SELECT cs.paused FROM campaign_states cs WHERE cs.id = messages.campaign_id), 0),
		COALESCE((SELECT p.paused_until FROM preferences p WHERE p.customer_id = messages.customer_id), 0)`
}

// SendClaim is what ClaimForSend reads with a claim.
type SendClaim struct {
	Consent []courtesy.ConsentRecord // the customer's ledger, oldest first
	Sent    []courtesy.SentRecord    // the customer's send log from the time asked for, without this message
	// Suppressed says a suppression of the customer's address is in force.
	Suppressed bool
	// CampaignPaused says the message's campaign is paused.
	CampaignPaused bool
	// PausedUntil is when the customer's own pause ends; zero for none.
	PausedUntil time.Time
}

// orphanSQL settles a message found claimed: the attempt that claimed it
// may have handed it over.
const orphanSQL = `UPDATE messages SET outcome = ?, decision = ?, decided_at = ?
		WHERE msg_key = ? AND outcome = ? RETURNING ` + messageCols

// Claim takes a message for sending, in one conditional UPDATE so that of
// many concurrent claimers exactly one gets Claimed. A planned or deferred
// message becomes claimed (attempts+1). A message already claimed was left
// by a worker that died between claim and SMTP reply: it may or may not have
// gone, so it becomes failed:unknown-outcome (Orphaned) rather than risk a
// second copy. A final decision is AlreadyDecided. The message is returned
// as it now is. A claimed message keeps the decided_at of the decision
// before it; claimed_at says when it was claimed.
func (db *DB) Claim(ctx context.Context, key string, at time.Time) (ClaimResult, courtesy.Message, error) {
	var m courtesy.Message
	err := db.inBatchedTx(ctx, func(tx conn) error {
		// Never interrupted: in a shared transaction that would undo the
		// others' changes too. The caller still waits for the answer.
		ctx := context.WithoutCancel(ctx)
		var err error
		m, err = scanMessage(tx.queryRow(ctx, claimSQL, claimArgs(key, at)...))
		if errors.Is(err, sql.ErrNoRows) {
			m, err = settleOrphan(ctx, tx, key, at)
		}
		return err
	}, claimSQL, orphanSQL)
	switch {
	case err == nil && m.Decision.Outcome == courtesy.Claimed:
		return Claimed, m, nil
	case err == nil:
		return Orphaned, m, nil
	case !errors.Is(err, sql.ErrNoRows):
		return 0, m, fmt.Errorf("claim %s: %w", key, err)
	}
	m, err = db.Message(ctx, key)
	if err != nil {
		return 0, m, fmt.Errorf("claim: %w", err)
	}
	return AlreadyDecided, m, nil
}

// ClaimForSend is Claim for a message about to be handed over, which
// returns, when it is Claimed, what the last checks before the final "."
// read: the customer's consent ledger and send log (from sentSince on), the
// suppressions and the pauses, as they stand once the claim is made. The
// claiming statement reads them itself, so the last checks — consent, and
// the limits, which must hold even when Redis has lost the windows of a
// message that was on its way — cost no second trip. On SQLite the claim
// runs on the one writer, which every other write waits for, so it returns
// only those and leaves reading them to the caller's goroutine. On
// PostgreSQL the claims of one customer's messages take turns (an advisory
// lock held until the claim commits, sent with it in one round trip), so
// each reads a log with the others in it; on SQLite the one writer already
// makes them take turns. An Orphaned or AlreadyDecided message reads
// nothing.
func (db *DB) ClaimForSend(ctx context.Context, key string, at, sentSince time.Time) (ClaimResult, SendClaim, error) {
	q := db.q.claimForSend
	args := append(claimArgs(key, at), sentLogArgs(sentSince)...)
	var (
		raw      sendClaimColumns
		orphaned bool
		err      error
	)
	if db.d.customerLock != "" {
		// The lock and the claim in one round trip, the lock lasting until
		// the claim is committed (lockedQueryRow). A message found claimed
		// is settled as an orphan by a statement of its own: it reads
		// nothing, and the others' send logs hold it before and after.
		err = db.lockedQueryRow(ctx, db.d.customerLock, []any{key}, q, args, raw.scan)
		if errors.Is(err, sql.ErrNoRows) {
			_, err = settleOrphan(context.WithoutCancel(ctx), db.writer(), key, at) // never interrupted, as the claim
			orphaned = true
		}
	} else {
		err = db.inBatchedTx(ctx, func(tx conn) error {
			ctx := context.WithoutCancel(ctx) // as in Claim
			err := raw.scan(tx.queryRow(ctx, q, args...))
			orphaned = errors.Is(err, sql.ErrNoRows)
			if orphaned {
				_, err = settleOrphan(ctx, tx, key, at)
			}
			return err
		}, q, orphanSQL)
	}
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return AlreadyDecided, SendClaim{}, nil
	case err != nil:
		return 0, SendClaim{}, fmt.Errorf("claim %s: %w", key, err)
	case orphaned:
		return Orphaned, SendClaim{}, nil
	}
	sc, err := raw.read()
	if err != nil {
		return 0, SendClaim{}, fmt.Errorf("claim %s: %w", key, err)
	}
	return Claimed, sc, nil
}

func claimArgs(key string, at time.Time) []any {
	return []any{string(courtesy.Claimed), string(courtesy.Claimed), micros(at), key}
}

// settleOrphan records a message found claimed as failed:unknown-outcome,
// and returns it as it now is; sql.ErrNoRows if it was not claimed.
func settleOrphan(ctx context.Context, tx conn, key string, at time.Time) (courtesy.Message, error) {
	unknown := courtesy.Decision{Outcome: courtesy.Failed, Reason: courtesy.ReasonUnknownOutcome}
	return scanMessage(tx.queryRow(ctx, orphanSQL, string(unknown.Outcome), unknown.String(), micros(at),
		key, string(courtesy.Claimed)))
}

// sendClaimColumns are the columns of claimForSendQuery as they come.
type sendClaimColumns struct {
	customer               string
	ledger, sent           []byte
	sups, paused, pausedTo int64
}

func (c *sendClaimColumns) scan(row scanner) error {
	return row.Scan(&c.customer, &c.ledger, &c.sent, &c.sups, &c.paused, &c.pausedTo)
}

// read decodes the columns.
func (c *sendClaimColumns) read() (SendClaim, error) {
	sc := SendClaim{Suppressed: c.sups > 0, CampaignPaused: c.paused != 0, PausedUntil: fromMicros(c.pausedTo)}
	var err error
	if sc.Consent, err = ledgerFromJSON(c.customer, c.ledger); err != nil {
		return sc, err
	}
	sc.Sent, err = sentLogFromJSON(c.sent)
	return sc, err
}

// ExpireWaiting records as expired every message still waiting (planned or
// deferred) whose window closed at or before now, in one statement, and
// says how many. A message being sent (claimed) is left to its sender, who
// records what became of it.
func (db *DB) ExpireWaiting(ctx context.Context, now time.Time) (int, error) {
	res, err := db.writer().exec(ctx, `UPDATE messages SET outcome = ?, decision = ?, decided_at = ?
		WHERE `+claimable+` AND not_after <> 0 AND not_after <= ?`,
		string(courtesy.Expired), courtesy.Decision{Outcome: courtesy.Expired}.String(), micros(now), micros(now))
	if err != nil {
		return 0, fmt.Errorf("expire waiting messages: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("expire waiting messages: %w", err)
	}
	return int(n), nil
}

// Decide records a decision on a message. It applies only while the current
// decision is not final, or is failed:unknown-outcome (a late true result
// replaces an unknown one); applied reports whether it did. A message that
// does not exist is ErrNotFound.
func (db *DB) Decide(ctx context.Context, u DecisionUpdate) (applied bool, err error) {
	if u.Decision.Outcome == "" {
		return false, fmt.Errorf("decide %s: no decision", u.Key)
	}
	set := []string{"outcome = ?", "decision = ?", "decided_at = ?"}
	args := []any{string(u.Decision.Outcome), u.Decision.String(), micros(u.At)}
	for _, c := range []struct{ col, val string }{
		{"detail", u.Detail}, {"message_id", u.MessageID}, {"subject", u.Subject}, {"variant", u.Variant},
		{"campaign_version", u.CampaignVersion},
	} {
		if c.val != "" {
			set = append(set, c.col+" = ?")
			args = append(args, c.val)
		}
	}
	if !u.DueAt.IsZero() {
		set = append(set, "due_at = ?")
		args = append(args, micros(u.DueAt))
	}
	unknown := courtesy.Decision{Outcome: courtesy.Failed, Reason: courtesy.ReasonUnknownOutcome}
	args = append(args, u.Key, string(courtesy.Planned), string(courtesy.Claimed), string(courtesy.Deferred),
		unknown.String())
	q := `UPDATE messages SET ` + strings.Join(set, ", ") + `
		WHERE msg_key = ? AND (outcome IN (?, ?, ?) OR decision = ?)`
	var n int64
	err = db.inBatchedTx(ctx, func(tx conn) error {
		res, err := tx.exec(context.WithoutCancel(ctx), q, args...) // as in Claim
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	}, q)
	if err != nil {
		return false, fmt.Errorf("decide %s: %w", u.Key, err)
	}
	if n == 1 {
		return true, nil
	}
	if _, err := db.Message(ctx, u.Key); err != nil {
		return false, fmt.Errorf("decide: %w", err)
	}
	return false, nil
}

// decideAllQuery is Decide's change for a batch of decisions given as one
// JSON array (decisionRows), in one statement: an empty string or a zero
// time leaves its column as it is.
func decideAllQuery(d dialect) string {
	return `UPDATE messages SET outcome = d.o, decision = d.d, decided_at = d.t,
		detail = COALESCE(NULLIF(d.detail, ''), messages.detail),
		message_id = COALESCE(NULLIF(d.mid, ''), messages.message_id),
		subject = COALESCE(NULLIF(d.subj, ''), messages.subject),
		variant = COALESCE(NULLIF(d.v, ''), messages.variant),
		campaign_version = COALESCE(NULLIF(d.cv, ''), messages.campaign_version),
		due_at = COALESCE(NULLIF(d.due, 0), messages.due_at)
	FROM ` + d.decisionRows + `
	WHERE messages.msg_key = d.k AND (messages.outcome IN (?, ?, ?) OR messages.decision = ?)`
}

// decisionRow is one decision as decideAllQuery reads it.
type decisionRow struct {
	Key             string `json:"k"`
	Outcome         string `json:"o"`
	Decision        string `json:"d"`
	At              int64  `json:"t"`
	Detail          string `json:"detail"`
	MessageID       string `json:"mid"`
	Subject         string `json:"subj"`
	Variant         string `json:"v"`
	CampaignVersion string `json:"cv"`
	DueAt           int64  `json:"due"`
}

// DecideAll records the decisions of a batch together, each as Decide
// would (it applies only to a message still undecided, or whose outcome
// is unknown), in one statement. A key that is not in the store changes
// nothing.
func (db *DB) DecideAll(ctx context.Context, us []DecisionUpdate) error {
	if len(us) == 0 {
		return nil
	}
	rows := make([]decisionRow, len(us))
	for i, u := range us {
		if u.Decision.Outcome == "" {
			return fmt.Errorf("decide %s: no decision", u.Key)
		}
		rows[i] = decisionRow{Key: u.Key, Outcome: string(u.Decision.Outcome), Decision: u.Decision.String(),
			At: micros(u.At), Detail: u.Detail, MessageID: u.MessageID, Subject: u.Subject, Variant: u.Variant,
			CampaignVersion: u.CampaignVersion, DueAt: micros(u.DueAt)}
	}
	list, err := json.Marshal(rows)
	if err != nil {
		return fmt.Errorf("record %d decisions: %w", len(us), err)
	}
	unknown := courtesy.Decision{Outcome: courtesy.Failed, Reason: courtesy.ReasonUnknownOutcome}.String()
	q := db.q.decideAll
	err = db.inBatchedTx(ctx, func(tx conn) error {
		_, err := tx.exec(context.WithoutCancel(ctx), q, string(list), // as in Claim
			string(courtesy.Planned), string(courtesy.Claimed), string(courtesy.Deferred), unknown)
		return err
	}, q)
	if err != nil {
		return fmt.Errorf("record %d decisions: %w", len(us), err)
	}
	return nil
}

// messageWhere renders the conditions of f on messages. Since and Until
// apply to decided_at, the time of the current decision.
func messageWhere(f courtesy.Filter) *where {
	w := &where{}
	w.common(f, "campaign_id", "decided_at")
	if len(f.Outcomes) > 0 {
		args := make([]any, len(f.Outcomes))
		for i, o := range f.Outcomes {
			args[i] = string(o)
		}
		w.add("outcome IN ("+placeholders(len(args))+")", args...)
	}
	return w
}

// Messages lists messages newest decision first (then by key, descending).
// With f.AfterKey it continues after that message.
func (db *DB) Messages(ctx context.Context, f courtesy.Filter) ([]courtesy.Message, error) {
	w := messageWhere(f)
	if f.AfterKey != "" {
		w.add(`(decided_at < (SELECT decided_at FROM messages WHERE msg_key = ?)
			OR (decided_at = (SELECT decided_at FROM messages WHERE msg_key = ?) AND msg_key < ?))`,
			f.AfterKey, f.AfterKey, f.AfterKey)
	}
	rows, err := db.reader().query(ctx, `SELECT `+messageCols+` FROM messages`+w.String()+
		` ORDER BY decided_at DESC, msg_key DESC`+limit(f), w.args...)
	if err != nil {
		return nil, fmt.Errorf("list messages: %w", err)
	}
	defer rows.Close()
	var out []courtesy.Message
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return nil, fmt.Errorf("list messages: %w", err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list messages: %w", err)
	}
	return out, nil
}

// CountDecisions counts the messages matching f by decision ("sent",
// "suppressed:no-consent", …).
func (db *DB) CountDecisions(ctx context.Context, f courtesy.Filter) (map[string]int, error) {
	w := messageWhere(f)
	rows, err := db.reader().query(ctx, `SELECT decision, COUNT(*) FROM messages`+w.String()+` GROUP BY decision`,
		w.args...)
	if err != nil {
		return nil, fmt.Errorf("count decisions: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var (
			d string
			n int
		)
		if err := rows.Scan(&d, &n); err != nil {
			return nil, fmt.Errorf("count decisions: %w", err)
		}
		out[d] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("count decisions: %w", err)
	}
	return out, nil
}

// StaleClaims returns the keys of messages claimed before olderThan and
// never decided: the work of workers that died.
func (db *DB) StaleClaims(ctx context.Context, olderThan time.Time) ([]string, error) {
	keys, err := scanStrings(db.reader().query(ctx, `SELECT msg_key FROM messages WHERE outcome = ? AND claimed_at < ?
		ORDER BY claimed_at, msg_key`, string(courtesy.Claimed), micros(olderThan)))
	if err != nil {
		return nil, fmt.Errorf("stale claims: %w", err)
	}
	return keys, nil
}

// SweepStaleClaims records as failed:unknown-outcome every message claimed
// before claimedBefore and never decided, and returns their keys. Such a
// claim is a worker's that died, or whose task Redis lost, between the
// claim and the SMTP reply: the message may have gone, so it is never sent
// again. A worker that was only slow still records its true result, which
// replaces the unknown one (Decide).
func (db *DB) SweepStaleClaims(ctx context.Context, claimedBefore, at time.Time) ([]string, error) {
	unknown := courtesy.Decision{Outcome: courtesy.Failed, Reason: courtesy.ReasonUnknownOutcome}
	keys, err := scanStrings(db.writer().query(ctx, `UPDATE messages SET outcome = ?, decision = ?, decided_at = ?
		WHERE outcome = ? AND claimed_at < ? RETURNING msg_key`,
		string(unknown.Outcome), unknown.String(), micros(at), string(courtesy.Claimed), micros(claimedBefore)))
	if err != nil {
		return nil, fmt.Errorf("sweep stale claims: %w", err)
	}
	sort.Strings(keys)
	return keys, nil
}

// SentTimes is the customer's send log since a time, oldest first: every
// message sent, and, to stay on the safe side of a limit, every message
// being sent (claimed) or that may have gone (failed:unknown-outcome). At is
// when it was handed to SMTP (its claim), or its decision time when it was
// recorded as sent without a claim.
func (db *DB) SentTimes(ctx context.Context, customerID string, since time.Time) ([]courtesy.SentRecord, error) {
	// The limiter reads the send log for every customer whose window Redis
	// does not hold, in the send path: the hot reader.
	rows, err := db.hotReader().query(ctx, sentTimesSQL, append([]any{customerID}, sentLogArgs(since)...)...)
	if err != nil {
		return nil, fmt.Errorf("send log of %s: %w", customerID, err)
	}
	defer rows.Close()
	var out []courtesy.SentRecord
	for rows.Next() {
		var (
			r  courtesy.SentRecord
			us int64
		)
		if err := rows.Scan(&r.Key, &r.CampaignID, &us); err != nil {
			return nil, fmt.Errorf("send log of %s: %w", customerID, err)
		}
		r.At = fromMicros(us)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("send log of %s: %w", customerID, err)
	}
	return out, nil
}

// sentAt is when a message of the send log (messages as alias) went.
func sentAt(alias string) string {
	return `CASE WHEN ` + alias + `.claimed_at <> 0 THEN ` + alias + `.claimed_at ELSE ` + alias + `.decided_at END`
}

// sentLogWhere keeps the messages (as alias) of a send log from a time on;
// its arguments are sentLogArgs.
func sentLogWhere(alias string) string {
	return `(` + alias + `.outcome IN (?, ?) OR ` + alias + `.decision = ?) AND ` + sentAt(alias) + ` >= ?`
}

func sentLogArgs(since time.Time) []any {
	unknown := courtesy.Decision{Outcome: courtesy.Failed, Reason: courtesy.ReasonUnknownOutcome}
	return []any{string(courtesy.Sent), string(courtesy.Claimed), unknown.String(), micros(since)}
}

// sentLogJSON is a subquery for a customer's send log (customer is the SQL
// for the customer's id) as one JSON array, oldest first as SentTimes
// returns it, with its arguments (sentLogArgs) in the statement where it
// stands; and, if not empty, one more condition on the messages (as s).
func sentLogJSON(d dialect, customer, and string) string {
	if and != "" {
		and = " AND " + and
	}
	return `(SELECT COALESCE(` + d.jsonAgg + `(` + d.jsonObject + `('k', s.msg_key, 'c', s.campaign_id, 't', ` + sentAt("s") + `)
		ORDER BY ` + sentAt("s") + `, s.msg_key), '[]')
		FROM messages s WHERE s.customer_id = ` + customer + and + ` AND ` + sentLogWhere("s") + `)`
}

// sentLogFromJSON reads what sentLogJSON wrote.
func sentLogFromJSON(data []byte) ([]courtesy.SentRecord, error) {
	var log []struct {
		Key      string `json:"k"`
		Campaign string `json:"c"`
		At       int64  `json:"t"`
	}
	if err := json.Unmarshal(data, &log); err != nil {
		return nil, fmt.Errorf("send log: %w", err)
	}
	var out []courtesy.SentRecord
	for _, r := range log {
		out = append(out, courtesy.SentRecord{Key: r.Key, CampaignID: r.Campaign, At: fromMicros(r.At)})
	}
	return out, nil
}

var sentTimesSQL = `SELECT m.msg_key, m.campaign_id, ` + sentAt("m") + ` FROM messages m
	WHERE m.customer_id = ? AND ` + sentLogWhere("m") + ` ORDER BY ` + sentAt("m") + `, m.msg_key`

// LastSurveySent returns when the customer was last sent a message of any of
// the campaigns (the survey campaigns, for fatigue), and whether ever.
func (db *DB) LastSurveySent(ctx context.Context, customerID string, campaignIDs []string) (time.Time, bool, error) {
	if len(campaignIDs) == 0 {
		return time.Time{}, false, nil
	}
	args := []any{customerID, string(courtesy.Sent)}
	for _, id := range campaignIDs {
		args = append(args, id)
	}
	var us sql.NullInt64
	err := db.reader().queryRow(ctx, `SELECT MAX(decided_at) FROM messages WHERE customer_id = ? AND outcome = ?
		AND campaign_id IN (`+placeholders(len(campaignIDs))+`)`, args...).Scan(&us)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("last survey sent to %s: %w", customerID, err)
	}
	if !us.Valid {
		return time.Time{}, false, nil
	}
	return fromMicros(us.Int64), true, nil
}

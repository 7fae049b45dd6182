package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/courtesyhq/courtesy"
)

// finalOutcomes is the SQL list of the outcomes no further work changes.
var finalOutcomes = []any{string(courtesy.Sent), string(courtesy.Suppressed), string(courtesy.Held),
	string(courtesy.Failed), string(courtesy.Expired), string(courtesy.Control)}

// ReportMessages returns the messages with a final decision taken in
// [since, until), oldest decision first. A zero until means no end.
func (db *DB) ReportMessages(ctx context.Context, since, until time.Time) ([]courtesy.ReportMessage, error) {
	var w where
	w.add("m.outcome IN ("+placeholders(len(finalOutcomes))+")", finalOutcomes...)
	w.add("m.decided_at >= ?", micros(since))
	if !until.IsZero() {
		w.add("m.decided_at < ?", micros(until))
	}
	return db.reportMessages(ctx, w)
}

// ReportMessagesByKey returns the messages with these keys that have a final
// decision, oldest decision first: the report reads them when an opt-out,
// complaint or answer of its period follows a message decided before it.
func (db *DB) ReportMessagesByKey(ctx context.Context, keys []string) ([]courtesy.ReportMessage, error) {
	var out []courtesy.ReportMessage
	const chunk = 500 // well under every engine's limit of bound parameters
	for start := 0; start < len(keys); start += chunk {
		part := keys[start:min(start+chunk, len(keys))]
		var w where
		w.add("m.outcome IN ("+placeholders(len(finalOutcomes))+")", finalOutcomes...)
		args := make([]any, len(part))
		for i, k := range part {
			args[i] = k
		}
		w.add("m.msg_key IN ("+placeholders(len(part))+")", args...)
		ms, err := db.reportMessages(ctx, w)
		if err != nil {
			return nil, err
		}
		out = append(out, ms...)
	}
	slices.SortFunc(out, func(a, b courtesy.ReportMessage) int {
		return cmp.Or(a.DecidedAt.Compare(b.DecidedAt), strings.Compare(a.Key, b.Key))
	})
	return out, nil
}

func (db *DB) reportMessages(ctx context.Context, w where) ([]courtesy.ReportMessage, error) {
	rows, err := db.reader().query(ctx, `SELECT m.msg_key, m.campaign_id, m.campaign_version, m.customer_id,
		m.purpose, m.variant, m.decision, m.decided_at, COALESCE(c.locale, ''), COALESCE(c.timezone, '')
		FROM messages m LEFT JOIN customers c ON c.id = m.customer_id`+w.String()+`
		ORDER BY m.decided_at, m.msg_key`, w.args...)
	if err != nil {
		return nil, fmt.Errorf("report messages: %w", err)
	}
	defer rows.Close()
	var out []courtesy.ReportMessage
	for rows.Next() {
		var (
			m        courtesy.ReportMessage
			decision string
			at       int64
		)
		if err := rows.Scan(&m.Key, &m.CampaignID, &m.CampaignVersion, &m.CustomerID, &m.Purpose, &m.Variant,
			&decision, &at, &m.Locale, &m.Timezone); err != nil {
			return nil, fmt.Errorf("report messages: %w", err)
		}
		m.Decision = courtesy.ParseDecision(decision)
		m.DecidedAt = fromMicros(at)
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("report messages: %w", err)
	}
	return out, nil
}

// Bounces lists bounce and complaint reports, oldest first; Since and Until
// apply to when they were recorded.
func (db *DB) Bounces(ctx context.Context, f courtesy.Filter) ([]courtesy.Bounce, error) {
	var w where
	w.common(courtesy.Filter{Since: f.Since, Until: f.Until}, "", "at")
	rows, err := db.reader().query(ctx, `SELECT email_hash, message_key, status, kind, at FROM bounces`+w.String()+
		` ORDER BY at, id`+limit(f), w.args...)
	if err != nil {
		return nil, fmt.Errorf("list bounces: %w", err)
	}
	defer rows.Close()
	var out []courtesy.Bounce
	for rows.Next() {
		var (
			b  courtesy.Bounce
			at int64
		)
		if err := rows.Scan(&b.EmailHash, &b.MessageKey, &b.Status, &b.Kind, &at); err != nil {
			return nil, fmt.Errorf("list bounces: %w", err)
		}
		b.At = fromMicros(at)
		out = append(out, b)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list bounces: %w", err)
	}
	return out, nil
}

// ConsentLedger returns the ledgers of the customers who withdrew
// something at or after withdrawnFrom and before until: every record of
// theirs recorded before until, by customer, each customer's oldest first.
// A zero until is no end.
func (db *DB) ConsentLedger(ctx context.Context, withdrawnFrom, until time.Time) (map[string][]courtesy.ConsentRecord, error) {
	var w, withdrew where
	withdrew.add("status = ?", string(courtesy.Withdrawn))
	withdrew.add("recorded_at >= ?", micros(withdrawnFrom))
	if !until.IsZero() {
		w.add("recorded_at < ?", micros(until))
		withdrew.add("recorded_at < ?", micros(until))
	}
	w.add("customer_id IN (SELECT customer_id FROM consent_ledger"+withdrew.String()+")", withdrew.args...)
	rows, err := db.reader().query(ctx, `SELECT `+consentCols+` FROM consent_ledger`+w.String()+`
		ORDER BY customer_id, recorded_at, id`, w.args...)
	if err != nil {
		return nil, fmt.Errorf("consent ledger: %w", err)
	}
	defer rows.Close()
	out := map[string][]courtesy.ConsentRecord{}
	for rows.Next() {
		r, err := scanConsent(rows)
		if err != nil {
			return nil, fmt.Errorf("consent ledger: %w", err)
		}
		out[r.CustomerID] = append(out[r.CustomerID], r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("consent ledger: %w", err)
	}
	return out, nil
}

// CampaignHealth counts a campaign's sends since a time and the opt-outs and
// complaints they drew since then. Reactions to messages sent before since
// are not counted, so a campaign resumed at since starts from a clean slate.
func (db *DB) CampaignHealth(ctx context.Context, campaignID string, since time.Time) (courtesy.CampaignHealth, error) {
	var h courtesy.CampaignHealth
	s := micros(since)
	sent := string(courtesy.Sent)
	err := db.reader().queryRow(ctx, `SELECT
		(SELECT COUNT(*) FROM messages WHERE campaign_id = ? AND outcome = ? AND decided_at >= ?),
		(SELECT COUNT(DISTINCT o.message_key) FROM opt_outs o JOIN messages m ON m.msg_key = o.message_key
			WHERE m.campaign_id = ? AND m.outcome = ? AND m.decided_at >= ? AND o.at >= ?),
		(SELECT COUNT(DISTINCT k) FROM (
			SELECT b.message_key AS k FROM bounces b JOIN messages m ON m.msg_key = b.message_key
				WHERE b.kind = 'complaint' AND m.campaign_id = ? AND m.outcome = ? AND m.decided_at >= ? AND b.at >= ?
			UNION
			SELECT o.message_key AS k FROM opt_outs o JOIN messages m ON m.msg_key = o.message_key
				WHERE o.source = 'complaint' AND m.campaign_id = ? AND m.outcome = ? AND m.decided_at >= ? AND o.at >= ?
		) AS complained)`,
		campaignID, sent, s,
		campaignID, sent, s, s,
		campaignID, sent, s, s,
		campaignID, sent, s, s).Scan(&h.Sent, &h.OptOuts, &h.Complaints)
	if err != nil {
		return h, fmt.Errorf("health of campaign %s: %w", campaignID, err)
	}
	return h, nil
}

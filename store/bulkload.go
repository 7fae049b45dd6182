package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/courtesyhq/courtesy"
)

// Bulk is a set of rows loaded at once by BulkLoad: a fixture for tests,
// benchmarks and demonstrations of the owner's report. Rows are stored as
// given, without the checks of the one-at-a-time methods (erasure,
// idempotency of events, the latest consent state): the caller vouches for
// them.
type Bulk struct {
	Customers []courtesy.Customer
	Consents  []courtesy.ConsentRecord
	Events    []courtesy.Event
	Messages  []courtesy.Message
	OptOuts   []courtesy.OptOut
	Answers   []courtesy.Answer
	Bounces   []courtesy.Bounce
	States    []courtesy.CampaignState
}

// BulkLoad inserts every row of b in one transaction, with multi-row
// INSERTs of bulkBatch rows. IDs given in b are ignored; the store numbers
// the rows.
func (db *DB) BulkLoad(ctx context.Context, b Bulk) error {
	return db.inTx(ctx, func(tx conn) error {
		steps := []struct {
			table string
			cols  string
			n     int
			row   func(i int) []any
		}{
			{"customers", "id, email, email_hash, first_name, last_name, birth_month, birth_day, timezone, locale, created_at, updated_at",
				len(b.Customers), func(i int) []any {
					c := b.Customers[i]
					return []any{c.ID, c.Email, db.fp.of(c.Email), c.FirstName, c.LastName, int(c.Birthday.Month),
						c.Birthday.Day, c.Timezone, c.Locale, micros(c.CreatedAt), micros(c.UpdatedAt)}
				}},
			{"consent_ledger", "customer_id, purpose, status, basis, source, notice, message_key, expires_at, recorded_at",
				len(b.Consents), func(i int) []any {
					r := b.Consents[i]
					return []any{r.CustomerID, r.Purpose, string(r.Status), r.Basis, r.Source, r.Notice, r.MessageKey,
						micros(r.ExpiresAt), micros(r.RecordedAt)}
				}},
			{"events", "customer_id, type, item_id, item_name, item_url, order_id, amount_cents, occurred_at",
				len(b.Events), func(i int) []any {
					e := b.Events[i]
					return []any{e.CustomerID, string(e.Type), e.ItemID, e.ItemName, e.ItemURL, e.OrderID, e.AmountCents,
						micros(e.OccurredAt)}
				}},
			{"messages", "msg_key, campaign_id, campaign_version, customer_id, occurrence, purpose, variant, outcome, decision, detail, message_id, subject, due_at, not_after, created_at, claimed_at, decided_at, attempts",
				len(b.Messages), func(i int) []any {
					m := b.Messages[i]
					return []any{m.Key, m.CampaignID, m.CampaignVersion, m.CustomerID, m.Occurrence, m.Purpose, m.Variant,
						string(m.Decision.Outcome), m.Decision.String(), m.Detail, m.MessageID, m.Subject, micros(m.DueAt),
						micros(m.NotAfter), micros(m.CreatedAt), micros(m.ClaimedAt), micros(m.DecidedAt), m.Attempts}
				}},
			{"opt_outs", "customer_id, purpose, source, message_key, campaign_id, variant, reason, comment, at",
				len(b.OptOuts), func(i int) []any {
					o := b.OptOuts[i]
					return []any{o.CustomerID, o.Purpose, o.Source, o.MessageKey, o.CampaignID, o.Variant, o.Reason,
						o.Comment, micros(o.At)}
				}},
			{"answers", "message_key, customer_id, campaign_id, variant, score, comment, at",
				len(b.Answers), func(i int) []any {
					a := b.Answers[i]
					return []any{a.MessageKey, a.CustomerID, a.CampaignID, a.Variant, a.Score, a.Comment, micros(a.At)}
				}},
			{"bounces", "email_hash, message_key, status, kind, at",
				len(b.Bounces), func(i int) []any {
					x := b.Bounces[i]
					return []any{x.EmailHash, x.MessageKey, x.Status, x.Kind, micros(x.At)}
				}},
			{"campaign_states", "id, paused, reason, at",
				len(b.States), func(i int) []any {
					s := b.States[i]
					paused := 0
					if s.Paused {
						paused = 1
					}
					return []any{s.ID, paused, s.Reason, micros(s.At)}
				}},
		}
		for _, s := range steps {
			if err := insertBulkRows(ctx, tx, s.table, s.cols, s.n, s.row); err != nil {
				return fmt.Errorf("bulk load: %w", err)
			}
		}
		return nil
	})
}

// insertBulkRows inserts n rows into table, bulkBatch to a statement.
func insertBulkRows(ctx context.Context, tx conn, table, cols string, n int, row func(i int) []any) error {
	width := strings.Count(cols, ",") + 1
	for start := 0; start < n; start += bulkBatch {
		end := min(n, start+bulkBatch)
		args := make([]any, 0, (end-start)*width)
		for i := start; i < end; i++ {
			args = append(args, row(i)...)
		}
		q := "INSERT INTO " + table + " (" + cols + ") VALUES " + valueRows(end-start, width)
		if _, err := tx.exec(ctx, q, args...); err != nil {
			return fmt.Errorf("insert into %s: %w", table, err)
		}
	}
	return nil
}

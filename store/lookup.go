package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/courtesyhq/courtesy"
)

// MessageByMessageID returns the message that was sent with this Message-ID
// header, "<id@domain>" (the angle brackets may be left off), so that a
// bounce or complaint quoting the original's headers finds its message. When
// several rows carry it, which should not happen, the latest decided wins.
// An empty id or one no message carries is ErrNotFound.
//
// The index on the column holds only the messages that carry one, so the
// query says so too.
func (db *DB) MessageByMessageID(ctx context.Context, messageID string) (courtesy.Message, error) {
	id := strings.TrimSpace(messageID)
	if id == "" {
		return courtesy.Message{}, fmt.Errorf("message by Message-ID: empty id: %w", courtesy.ErrNotFound)
	}
	if !strings.HasPrefix(id, "<") {
		id = "<" + id + ">"
	}
	m, err := scanMessage(db.reader().queryRow(ctx, `SELECT `+messageCols+` FROM messages WHERE message_id = ? AND message_id <> ''
		ORDER BY decided_at DESC, msg_key DESC LIMIT 1`, id))
	if err != nil {
		return m, notFound(err, "message with Message-ID "+id)
	}
	return m, nil
}

// SoftBounceRun counts the soft bounces of an address at or after since and
// says when the first of them was, so a caller can tell a mailbox full for a
// weekend from one full for a fortnight. first is zero when n is 0.
func (db *DB) SoftBounceRun(ctx context.Context, emailHash string, since time.Time) (n int, first time.Time, err error) {
	var min int64
	err = db.reader().queryRow(ctx, `SELECT COUNT(*), COALESCE(MIN(at), 0) FROM bounces
		WHERE email_hash = ? AND kind = 'soft' AND at >= ?`, emailHash, micros(since)).Scan(&n, &min)
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("soft bounce run: %w", err)
	}
	return n, fromMicros(min), nil
}

package mailer

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

var _ Sender = (*Outbox)(nil)

// Outbox writes each message to <dir>/<Message-ID>.eml instead of sending
// it: for the demo, for development, and for a mail server that picks files
// up. It is safe for concurrent use.
type Outbox struct {
	dir      string
	renderer *Renderer
}

// Outbox files hold names and addresses: only their owner reads them, and
// only the owner lists the directory.
const (
	outboxDirMode  os.FileMode = 0o700
	outboxFileMode os.FileMode = 0o600
)

// NewOutbox creates dir if needed, and closes it to everyone but its owner
// if it was open; dkim may be nil.
func NewOutbox(dir string, dkim *DKIM) (*Outbox, error) {
	r, err := NewRenderer(dkim)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, outboxDirMode); err != nil {
		return nil, fmt.Errorf("mailer: outbox: %w", err)
	}
	if err := os.Chmod(dir, outboxDirMode); err != nil {
		return nil, fmt.Errorf("mailer: outbox: %w", err)
	}
	return &Outbox{dir: dir, renderer: r}, nil
}

// Dir is the directory the files go to.
func (o *Outbox) Dir() string { return o.dir }

// Send writes the message. The file appears whole or not at all: it is
// written under a temporary name and renamed, so a reader never sees half a
// message. Sending the same Message-ID again replaces the file.
func (o *Outbox) Send(ctx context.Context, m *Message) error {
	if err := ctx.Err(); err != nil {
		return wrapTemporary(StageOutbox, err)
	}
	data, err := o.renderer.Render(m)
	if err != nil {
		return invalidMessage(err)
	}
	name := filepath.Join(o.dir, FileName(messageIDOf(data, m)))
	if err := writeAtomic(name, data, func() error {
		if m.Commit == nil {
			return nil
		}
		if err := m.Commit(ctx); err != nil {
			return &SendError{Stage: StageOutbox, Err: fmt.Errorf("%w: %w", ErrAbandoned, err)}
		}
		return nil
	}); err != nil {
		var se *SendError
		if errors.As(err, &se) {
			return se
		}
		return wrapTemporary(StageOutbox, fmt.Errorf("outbox: %w", err))
	}
	return nil
}

// Close does nothing: every Send finishes its file.
func (o *Outbox) Close() error { return nil }

// messageIDOf is the Message-ID the message went out with, which the
// renderer made up when m had none.
func messageIDOf(data []byte, m *Message) string {
	if m.MessageID != "" {
		return m.MessageID
	}
	for line := range strings.SplitSeq(string(data), "\r\n") {
		if line == "" {
			break
		}
		if v, ok := strings.CutPrefix(line, "Message-ID: "); ok {
			return v
		}
	}
	return "message"
}

// FileName is the outbox file name for a Message-ID: the ID without its
// angle brackets, every character that is not safe in a file name replaced
// by "_", and ".eml".
func FileName(messageID string) string {
	id := strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(messageID), "<"), ">")
	var b strings.Builder
	for i := 0; i < len(id) && b.Len() < 200; i++ {
		c := id[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9',
			c == '@', c == '-', c == '+', c == '=', c == '_':
			b.WriteByte(c)
		case c == '.' && b.Len() > 0: // never a leading dot: no hidden file, no ".."
			b.WriteByte(c)
		default:
			b.WriteByte('_')
		}
	}
	if b.Len() == 0 {
		b.WriteString("message")
	}
	return b.String() + ".eml"
}

// writeAtomic writes the file under a temporary name and renames it once
// commit agrees, so a reader never sees half a message.
func writeAtomic(name string, data []byte, commit func() error) (err error) {
	f, err := os.CreateTemp(filepath.Dir(name), ".tmp-*.eml")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(f.Name())
		}
	}()
	if _, err = f.Write(data); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Chmod(f.Name(), outboxFileMode); err != nil {
		return err
	}
	if err = commit(); err != nil {
		_ = os.Remove(f.Name())
		return err
	}
	return os.Rename(f.Name(), name)
}

package mailer

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/url"
	"path/filepath"
	"strconv"
	"time"
)

// Sender hands finished messages to their way out.
type Sender interface {
	// Send is one SMTP transaction (or one file). Its error is a *SendError.
	Send(ctx context.Context, m *Message) error
	Close() error
}

// DefaultTimeout bounds one SMTP transaction, and so how long a claimed
// message can wait for its reply.
const DefaultTimeout = 30 * time.Second

// Config tunes a Sender. The zero value is usable.
type Config struct {
	MaxConnections int           // SMTP connections kept open and reused. Defaults to 4.
	Timeout        time.Duration // Per connection set-up and per transaction. Defaults to DefaultTimeout.
	// HelloName is the EHLO name. Defaults to "localhost"; set it to the From
	// domain, which is what receiving servers expect to see.
	HelloName string
	DKIM      *DKIM       // signs every message; nil sends unsigned
	TLSConfig *tls.Config // optional: roots to trust (tests trust their own CA)
}

func (c Config) withDefaults() Config {
	if c.MaxConnections <= 0 {
		c.MaxConnections = 4
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	if c.HelloName == "" {
		c.HelloName = "localhost"
	}
	return c
}

// Open returns the Sender rawURL names:
//
//   - smtp://[user:pass@]host[:port] — port 587 by default; STARTTLS when the
//     server offers it, and required when there are credentials: they are
//     never sent in the clear. Without credentials a plain connection is
//     accepted (a local relay).
//   - smtps://[user:pass@]host[:port] — TLS from the first byte; port 465 by
//     default.
//   - file:///abs/dir or file://relative/dir — one <Message-ID>.eml file per
//     message, written atomically; the directory is created.
//
// Open does not connect: a server that is down at start-up is a temporary
// failure of the first sends, not of the program. SMTP.Verify connects.
func Open(rawURL string, cfg Config) (Sender, error) {
	cfg = cfg.withDefaults()
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("mailer: SMTP URL: %w", err)
	}
	switch u.Scheme {
	case "smtp", "smtps":
		if u.Hostname() == "" {
			return nil, fmt.Errorf("mailer: %s://: no host", u.Scheme)
		}
		port := 587
		if u.Scheme == "smtps" {
			port = 465
		}
		if p := u.Port(); p != "" {
			port, err = strconv.Atoi(p)
			if err != nil || port < 1 || port > 65535 {
				return nil, fmt.Errorf("mailer: %s://%s: bad port %q", u.Scheme, u.Host, p)
			}
		}
		var user, pass string
		if u.User != nil {
			user = u.User.Username()
			pass, _ = u.User.Password()
		}
		return newSMTP(smtpTarget{
			host: u.Hostname(), port: port, implicitTLS: u.Scheme == "smtps", user: user, pass: pass,
		}, cfg)
	case "file":
		dir := u.Host + u.Path // file://relative/dir has its first segment in Host
		if u.Opaque != "" {
			dir = u.Opaque
		}
		if dir == "" {
			return nil, fmt.Errorf("mailer: %q names no directory", rawURL)
		}
		return NewOutbox(filepath.FromSlash(dir), cfg.DKIM)
	case "":
		return nil, fmt.Errorf("mailer: %q has no scheme: want smtp://, smtps:// or file://", rawURL)
	default:
		return nil, fmt.Errorf("mailer: unsupported scheme %q: want smtp://, smtps:// or file://", u.Scheme)
	}
}

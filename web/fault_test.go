package web

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/courtesyhq/courtesy/internal/testenv"
	"github.com/courtesyhq/courtesy/store"
)

// When the database cannot take a write, the one-click unsubscribe answers
// 503 "try again" — never a 200 for an opt-out that was not committed — and
// once the database is back the same link works.

// onStore runs the server over a store the test opened itself.
func onStore(db *store.DB) envOption {
	return func(_ *Config, d *Deps) { d.Store = db }
}

func openStore(t *testing.T, u string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func (e *env) oneClick() response {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.links().Unsubscribe, strings.NewReader("List-Unsubscribe=One-Click"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return e.do(req)
}

func checkOptOutWaitsForDatabase(t *testing.T, e *env, cut, restore func()) {
	t.Helper()
	cut()
	res := e.oneClick()
	if res.code != http.StatusServiceUnavailable {
		t.Errorf("one-click POST with the database unavailable: status %d, want 503", res.code)
	}
	if !strings.Contains(res.body, "try again") {
		t.Errorf("the 503 page does not ask to try again:\n%s", res.body)
	}
	restore()
	if !e.granted("birthday") {
		t.Fatal("the consent changed although the POST failed")
	}
	if res := e.oneClick(); res.code != http.StatusOK {
		t.Fatalf("one-click POST after the database came back: status %d, want 200", res.code)
	}
	if e.granted("birthday") {
		t.Error("200 for the opt-out, but the customer is still subscribed")
	}
}

// TestFaultSQLiteLockedOptOutIs503 holds SQLite's write lock from another
// connection, as a second process or the sqlite3 shell would. The POST waits
// out the busy timeout (10 s) and then answers 503.
func TestFaultSQLiteLockedOptOutIs503(t *testing.T) {
	path := filepath.Join(t.TempDir(), "courtesy.db")
	e := newEnv(t, onStore(openStore(t, "sqlite://"+path)))
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	ctx := context.Background()
	conn, err := raw.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	checkOptOutWaitsForDatabase(t, e,
		func() {
			if _, err := conn.ExecContext(ctx, "BEGIN EXCLUSIVE"); err != nil {
				t.Fatal(err)
			}
		},
		func() {
			if _, err := conn.ExecContext(ctx, "ROLLBACK"); err != nil {
				t.Fatal(err)
			}
		})
}

// cutProxy forwards TCP to a server until it is cut: then it refuses new
// connections and drops the open ones, as a database host that went away.
type cutProxy struct {
	ln     net.Listener
	target string

	mu    sync.Mutex
	cut   bool
	conns []net.Conn
}

func newCutProxy(t *testing.T, target string) *cutProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cutProxy{ln: ln, target: target}
	t.Cleanup(func() { _ = ln.Close(); p.setCut(true) })
	go p.serve()
	return p
}

func (p *cutProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		cut := p.cut
		p.mu.Unlock()
		if cut {
			_ = c.Close()
			continue
		}
		up, err := net.Dial("tcp", p.target)
		if err != nil {
			_ = c.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, c, up)
		p.mu.Unlock()
		go func() { _, _ = io.Copy(up, c); _ = up.Close() }()
		go func() { _, _ = io.Copy(c, up); _ = c.Close() }()
	}
}

func (p *cutProxy) setCut(cut bool) {
	p.mu.Lock()
	p.cut = cut
	conns := p.conns
	if cut {
		p.conns = nil
	}
	p.mu.Unlock()
	if cut {
		for _, c := range conns {
			_ = c.Close()
		}
	}
}

// TestFaultPostgresUnavailableOptOutIs503 reaches PostgreSQL through a proxy
// the test cuts.
func TestFaultPostgresUnavailableOptOutIs503(t *testing.T) {
	u, err := url.Parse(testenv.PostgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	proxy := newCutProxy(t, u.Host)
	u.Host = proxy.ln.Addr().String()
	var logs syncBuffer
	e := newEnv(t, onStore(openStore(t, u.String())), func(c *Config, _ *Deps) {
		c.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	})
	defer func() {
		// A link's token is the customer's credential: failures are logged
		// by route, never by path.
		for _, link := range []string{e.links().Unsubscribe, e.links().Preferences, e.links().Why} {
			tok := pathOf(t, link)[strings.LastIndex(pathOf(t, link), "/")+1:]
			if strings.Contains(logs.String(), tok) {
				t.Errorf("the log shows a link token:\n%s", logs.String())
			}
		}
		if !strings.Contains(logs.String(), "request failed") {
			t.Errorf("the failures were not logged at all:\n%s", logs.String())
		}
	}()
	checkOptOutWaitsForDatabase(t, e, func() { proxy.setCut(true) }, func() { proxy.setCut(false) })

	// With the database gone, every page says "try again", not "broken".
	proxy.setCut(true)
	for _, link := range []string{e.links().Unsubscribe, e.links().Preferences, e.links().Why} {
		if res := e.get(link); res.code != http.StatusServiceUnavailable && res.code != http.StatusOK {
			t.Errorf("GET %s with the database away: status %d, want 503 (or the page without the optional parts)", pathOf(t, link)[:3], res.code)
		}
	}
	for _, link := range []string{e.links().Preferences, e.links().Why} {
		if res := e.get(link); res.code != http.StatusServiceUnavailable {
			t.Errorf("GET %s with the database away: status %d, want 503", pathOf(t, link)[:3], res.code)
		}
	}
}

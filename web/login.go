package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strings"
	"sync"
	"time"
)

// LoginLimits slow down password guessing at /admin/login.
type LoginLimits struct {
	// PerAddress is the failures one client address may make before it
	// backs off. Defaults to 5.
	PerAddress int
	// PerAccount is the failures, from browsers and addresses that have
	// never signed in, before all such clients back off together. Defaults
	// to 20.
	PerAccount int
	// MaxBackoff caps the wait. Defaults to 15 minutes.
	MaxBackoff time.Duration
}

func (l LoginLimits) withDefaults() LoginLimits {
	if l.PerAddress <= 0 {
		l.PerAddress = 5
	}
	if l.PerAccount <= 0 {
		l.PerAccount = 20
	}
	if l.MaxBackoff <= 0 {
		l.MaxBackoff = 15 * time.Minute
	}
	return l
}

// The dashboard has one account, so a limit on it alone would let a
// stranger lock the owner out by failing on purpose. Two limits guard it
// instead, each with a wait that doubles with every failure past the free
// ones:
//
//   - per client: a guesser's own failures slow only their address, or,
//     for a browser that signed in before, only that browser;
//   - per account: failures from clients never seen to sign in — no device
//     cookie, an address without a past success — slow all such clients
//     together, which is what stops guessing spread over many addresses.
//
// A browser that signed in before carries a device cookie, and an address
// that signed in before is remembered, so the owner at their own browser or
// address is held back by their own failures only, however many a stranger
// makes elsewhere — at their browser, even by a stranger behind the same
// address.
type loginGuard struct {
	limits LoginLimits

	mu      sync.Mutex
	addrs   map[string]*backoff // per client: an address, or "device:<id>"
	account backoff
	known   map[string]time.Time // addresses that signed in, and when
}

type backoff struct {
	fails int
	until time.Time
}

// fail counts a failure and sets the wait once the free ones are spent.
func (b *backoff) fail(now time.Time, free int, max time.Duration) {
	b.fails++
	if b.fails <= free {
		return
	}
	d := time.Second << min(b.fails-free-1, 30)
	b.until = now.Add(min(d, max))
}

func (b *backoff) wait(now time.Time) time.Duration {
	return max(0, b.until.Sub(now))
}

// loginMemory bounds the addresses remembered, so a stranger with many
// addresses cannot grow the maps without end.
const loginMemory = 10000

func newLoginGuard(l LoginLimits) *loginGuard {
	return &loginGuard{limits: l.withDefaults(), addrs: map[string]*backoff{}, known: map[string]time.Time{}}
}

// wait is how long the client must wait before it may try a password.
func (g *loginGuard) wait(addr string, device bool, now time.Time) time.Duration {
	g.mu.Lock()
	defer g.mu.Unlock()
	var w time.Duration
	if b, ok := g.addrs[addr]; ok {
		w = b.wait(now)
	}
	if !device && !g.isKnown(addr) {
		w = max(w, g.account.wait(now))
	}
	return w
}

func (g *loginGuard) failed(addr string, device bool, now time.Time) {
	g.mu.Lock()
	defer g.mu.Unlock()
	b, ok := g.addrs[addr]
	if !ok {
		if len(g.addrs) >= loginMemory {
			g.forget(now)
		}
		b = &backoff{}
		g.addrs[addr] = b
	}
	b.fail(now, g.limits.PerAddress, g.limits.MaxBackoff)
	if !device && !g.isKnown(addr) {
		g.account.fail(now, g.limits.PerAccount, g.limits.MaxBackoff)
	}
}

// succeeded clears the client's failures and remembers its address as one
// the owner signs in from.
func (g *loginGuard) succeeded(client, addr string, now time.Time) {
	g.mu.Lock()
	defer g.mu.Unlock()
	delete(g.addrs, client)
	if len(g.known) >= loginMemory {
		clear(g.known)
	}
	g.known[addr] = now
}

func (g *loginGuard) isKnown(addr string) bool {
	_, ok := g.known[addr]
	return ok
}

// forget drops the addresses whose wait is over.
func (g *loginGuard) forget(now time.Time) {
	for a, b := range g.addrs {
		if !b.until.After(now) {
			delete(g.addrs, a)
		}
	}
	if len(g.addrs) >= loginMemory {
		clear(g.addrs)
	}
}

const (
	adminDeviceCookie = "courtesy_admin_device"
	adminDeviceLife   = 365 * 24 * time.Hour
)

// deviceKey signs device cookies. It is derived from the password, so the
// cookies outlive a restart and die with a change of password.
func deviceKey(password string) []byte {
	pw := sha256.Sum256([]byte(password))
	m := hmac.New(sha256.New, pw[:])
	m.Write([]byte("courtesy-admin-device"))
	return m.Sum(nil)
}

func (a *admin) newDevice() string {
	var b [18]byte
	_, _ = rand.Read(b[:])
	id := base64.RawURLEncoding.EncodeToString(b[:])
	return id + "." + base64.RawURLEncoding.EncodeToString(a.deviceMAC(id))
}

func (a *admin) deviceMAC(id string) []byte {
	m := hmac.New(sha256.New, a.deviceKey)
	m.Write([]byte(id))
	return m.Sum(nil)
}

// knownDevice returns the id of the device cookie the request carries, if
// this password signed it.
func (a *admin) knownDevice(r *http.Request) (string, bool) {
	c, err := r.Cookie(adminDeviceCookie)
	if err != nil || a.deviceKey == nil {
		return "", false
	}
	id, sig, ok := strings.Cut(c.Value, ".")
	if !ok {
		return "", false
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, a.deviceMAC(id)) {
		return "", false
	}
	return id, true
}

package web

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/report"
	"github.com/courtesyhq/courtesy/store"
)

// AdminStore is what the owner's dashboard reads and switches.
type AdminStore interface {
	report.Source
	Messages(ctx context.Context, f courtesy.Filter) ([]courtesy.Message, error)
	SetCampaignState(ctx context.Context, s courtesy.CampaignState) error
}

var _ AdminStore = (*store.DB)(nil)

const (
	adminCookie      = "courtesy_admin"
	adminLoginCookie = "courtesy_admin_login"
	adminSession     = 12 * time.Hour
)

// errAdminClosed is the dashboard without a password: it says how to set one.
var errAdminClosed = errors.New("no admin password configured")

// admin is the dashboard's state: the password's digest, the key that signs
// sessions and CSRF tokens, and the login rate limit.
type admin struct {
	password  secrets  // none when no password is set: the dashboard is closed
	key       [32]byte // random per process: a restart signs everyone out
	deviceKey []byte   // signs device cookies; nil without a password
	secure    bool     // cookies are Secure unless the site is served over plain http on loopback
	logins    *loginGuard

	mu      sync.Mutex
	revoked map[string]time.Time // sessions signed out, until they would have expired
}

func newAdmin(cfg Config) *admin {
	a := &admin{logins: newLoginGuard(cfg.Login), revoked: map[string]time.Time{}}
	a.password = newSecrets(cfg.AdminPassword)
	if cfg.AdminPassword != "" {
		a.deviceKey = deviceKey(cfg.AdminPassword)
	}
	if _, err := rand.Read(a.key[:]); err != nil {
		panic("web: no randomness for the admin session key: " + err.Error())
	}
	a.secure = !plainLoopback(cfg.BaseURL)
	return a
}

// plainLoopback reports whether base is an http:// URL on this machine, where
// a Secure cookie would never be sent back.
func plainLoopback(base string) bool {
	u, err := url.Parse(base)
	if err != nil || u.Scheme != "http" {
		return false
	}
	switch u.Hostname() {
	case "127.0.0.1", "localhost", "::1":
		return true
	}
	return false
}

// open says whether a password is set, without which the dashboard is
// closed.
func (a *admin) open() bool { return len(a.password) > 0 }

func (a *admin) mac(parts ...string) []byte {
	m := hmac.New(sha256.New, a.key[:])
	for _, p := range parts {
		m.Write([]byte(p))
		m.Write([]byte{0})
	}
	return m.Sum(nil)
}

// newSession returns a cookie value: expiry and a random id, signed.
func (a *admin) newSession(now time.Time) string {
	var b [24]byte
	binary.BigEndian.PutUint64(b[:8], uint64(now.Add(adminSession).Unix()))
	_, _ = rand.Read(b[8:])
	payload := base64.RawURLEncoding.EncodeToString(b[:])
	return payload + "." + base64.RawURLEncoding.EncodeToString(a.mac("session", payload))
}

// session verifies a cookie value and returns the session id (its payload).
func (a *admin) session(value string, now time.Time) (string, bool) {
	payload, sig, ok := strings.Cut(value, ".")
	if !ok {
		return "", false
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, a.mac("session", payload)) {
		return "", false
	}
	raw, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil || len(raw) != 24 {
		return "", false
	}
	if now.Unix() >= int64(binary.BigEndian.Uint64(raw[:8])) {
		return "", false
	}
	a.mu.Lock()
	_, out := a.revoked[payload]
	a.mu.Unlock()
	if out {
		return "", false
	}
	return payload, true
}

// revoke ends a session on the server, so a copy of its cookie no longer
// opens the dashboard. Revocations are kept until the session would have
// expired anyway.
func (a *admin) revoke(sessionID string, now time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for id, until := range a.revoked {
		if !until.After(now) {
			delete(a.revoked, id)
		}
	}
	a.revoked[sessionID] = now.Add(adminSession)
}

// csrf is the token every form of a session carries: bound to the session,
// so a token from another session (or none) is refused.
func (a *admin) csrf(sessionID string) string {
	return base64.RawURLEncoding.EncodeToString(a.mac("csrf", sessionID))
}

func (a *admin) validCSRF(sessionID, token string) bool {
	want := a.csrf(sessionID)
	return subtle.ConstantTimeCompare([]byte(want), []byte(token)) == 1
}

func (a *admin) cookie(name, value string, maxAge time.Duration) *http.Cookie {
	return &http.Cookie{Name: name, Value: value, Path: "/admin/", MaxAge: int(maxAge.Seconds()),
		Secure: a.secure, HttpOnly: true, SameSite: http.SameSiteStrictMode}
}

// signedIn returns the session of the request, if it has a valid one.
func (s *Server) signedIn(r *http.Request) (string, bool) {
	c, err := r.Cookie(adminCookie)
	if err != nil {
		return "", false
	}
	return s.admin.session(c.Value, s.now())
}

// adminOnly wraps a dashboard handler: closed without a password, a login
// page without a session, and for a POST a same-origin check and the
// session's CSRF token.
func (s *Server) adminOnly(h func(w http.ResponseWriter, r *http.Request, session string)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !s.admin.open() || s.deps.Admin == nil {
			s.adminClosed(w, r)
			return
		}
		sess, ok := s.signedIn(r)
		if !ok {
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/admin/login", http.StatusSeeOther)
				return
			}
			s.adminFail(w, r, errUnauthorized)
			return
		}
		if r.Method == http.MethodPost {
			if err := s.sameOrigin(r); err != nil {
				s.adminFail(w, r, err)
				return
			}
			if !s.admin.validCSRF(sess, r.PostFormValue("csrf")) {
				s.adminFail(w, r, errCrossOrigin)
				return
			}
		}
		h(w, r, sess)
	}
}

func (s *Server) adminLoginGet(w http.ResponseWriter, r *http.Request) {
	if !s.admin.open() || s.deps.Admin == nil {
		s.adminClosed(w, r)
		return
	}
	if _, ok := s.signedIn(r); ok {
		http.Redirect(w, r, "/admin/", http.StatusSeeOther)
		return
	}
	s.renderLogin(w, http.StatusOK, "")
}

// renderLogin shows the login form with a fresh pre-session token: a random
// value in a cookie and its MAC in the form (double submit), so another site
// cannot post a login of its own choosing.
func (s *Server) renderLogin(w http.ResponseWriter, code int, problem string) {
	var b [18]byte
	_, _ = rand.Read(b[:])
	nonce := base64.RawURLEncoding.EncodeToString(b[:])
	http.SetCookie(w, s.admin.cookie(adminLoginCookie, nonce, 30*time.Minute))
	s.adminPages.render(w, code, "login", adminView{Title: "Sign in", CSRF: s.admin.csrf("login:" + nonce), Data: problem})
}

func (s *Server) adminLoginPost(w http.ResponseWriter, r *http.Request) {
	if !s.admin.open() || s.deps.Admin == nil {
		s.adminClosed(w, r)
		return
	}
	if err := s.sameOrigin(r); err != nil {
		s.adminFail(w, r, err)
		return
	}
	c, err := r.Cookie(adminLoginCookie)
	if err != nil || !s.admin.validCSRF("login:"+c.Value, r.PostFormValue("csrf")) {
		s.adminFail(w, r, errCrossOrigin)
		return
	}
	// A browser that signed in before is counted by its device, not its
	// address: a stranger behind the same address cannot slow it down.
	addr, now := s.clientIP(r), s.now()
	deviceID, device := s.admin.knownDevice(r)
	client := addr
	if device {
		client = "device:" + deviceID
	}
	if wait := s.admin.logins.wait(client, device, now); wait > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(wait.Round(time.Second)/time.Second)+1))
		s.adminFail(w, r, errRateLimited)
		return
	}
	if !s.admin.password.match(r.PostFormValue("password")) {
		s.admin.logins.failed(client, device, now)
		s.cfg.Logger.Warn("admin sign-in refused", "client", addr, "known_device", device)
		s.renderLogin(w, http.StatusUnauthorized, "That password is not right.")
		return
	}
	s.admin.logins.succeeded(client, addr, now)
	http.SetCookie(w, s.admin.cookie(adminDeviceCookie, s.admin.newDevice(), adminDeviceLife))
	http.SetCookie(w, s.admin.cookie(adminLoginCookie, "", -time.Second))
	http.SetCookie(w, s.admin.cookie(adminCookie, s.admin.newSession(s.now()), adminSession))
	http.Redirect(w, r, "/admin/", http.StatusSeeOther)
}

func (s *Server) adminLogout(w http.ResponseWriter, r *http.Request, session string) {
	s.admin.revoke(session, s.now())
	http.SetCookie(w, s.admin.cookie(adminCookie, "", -time.Second))
	http.Redirect(w, r, "/admin/login", http.StatusSeeOther)
}

func (s *Server) adminClosed(w http.ResponseWriter, r *http.Request) {
	s.logFailure(r, http.StatusForbidden, errAdminClosed)
	s.adminPages.render(w, http.StatusForbidden, "closed", adminView{Title: "The dashboard is closed"})
}

// adminFail answers a dashboard request that went wrong; the owner sees the
// status in words, never the error.
func (s *Server) adminFail(w http.ResponseWriter, r *http.Request, err error) {
	code := status(err)
	s.logFailure(r, code, err)
	if code == http.StatusTooManyRequests && w.Header().Get("Retry-After") == "" {
		w.Header().Set("Retry-After", "5")
	}
	s.adminPages.render(w, code, "problem", adminView{Title: http.StatusText(code), Data: errorView(tongue{}, code)})
}

package web

import (
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"net/http"
	"strings"
)

const contentSecurityPolicy = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// withSecurityHeaders sets the headers every response carries. Tokens live
// in URLs, so no page may leak its address to another site (Referrer-Policy)
// or be cached on a shared machine (Cache-Control).
func (s *Server) withSecurityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if !strings.HasPrefix(r.URL.Path, "/static/") {
			h.Set("Cache-Control", "no-store")
		}
		if r.Body != nil {
			r.Body = http.MaxBytesReader(w, r.Body, s.cfg.MaxBody)
		}
		next.ServeHTTP(w, r)
	})
}

// sameOrigin refuses a form POST another site made a browser send. Browsers
// say where a request came from (Sec-Fetch-Site, Origin); a request that says
// neither is not a browser's and is let through.
func (s *Server) sameOrigin(r *http.Request) error {
	if err := s.cop.Check(r); err != nil {
		return fmt.Errorf("%w: %v", errCrossOrigin, err)
	}
	return nil
}

// provenSameOrigin is sameOrigin for a post that gives back what was taken
// away (an undo): the request must show it came from this site, not merely
// fail to say otherwise, as a script holding an old link would.
func (s *Server) provenSameOrigin(r *http.Request) error {
	if err := s.sameOrigin(r); err != nil {
		return err
	}
	if r.Header.Get("Sec-Fetch-Site") == "same-origin" {
		return nil
	}
	if o := r.Header.Get("Origin"); o != "" && (o == s.origin || strings.TrimPrefix(strings.TrimPrefix(o, "https://"), "http://") == r.Host) {
		return nil
	}
	return fmt.Errorf("%w: nothing shows the post came from this site", errCrossOrigin)
}

// limited wraps a customer page in the per-address rate limit.
func (s *Server) limited(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.limiter.allow(s.clientIP(r), s.now()) {
			s.fail(w, r, errRateLimited)
			return
		}
		h(w, r)
	})
}

// secrets are the digests of what a check accepts (API keys, the admin
// password, the webhook secret), so every comparison is between values of
// equal length and runs in constant time over all of them. None accepts
// nothing.
type secrets [][32]byte

func newSecrets(ss ...string) secrets {
	var out secrets
	for _, s := range ss {
		if s != "" {
			out = append(out, sha256.Sum256([]byte(s)))
		}
	}
	return out
}

func (ss secrets) match(got string) bool {
	h := sha256.Sum256([]byte(got))
	match := 0
	for _, s := range ss {
		match |= subtle.ConstantTimeCompare(h[:], s[:])
	}
	return match == 1
}

// apiKeys are the configured API keys, without the spaces around them.
func apiKeys(keys []string) secrets {
	trimmed := make([]string, len(keys))
	for i, k := range keys {
		trimmed[i] = strings.TrimSpace(k)
	}
	return newSecrets(trimmed...)
}

func (s *Server) authorized(r *http.Request) bool {
	auth := r.Header.Get("Authorization")
	scheme, key, ok := strings.Cut(auth, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return false
	}
	return s.apiKeys.match(strings.TrimSpace(key))
}

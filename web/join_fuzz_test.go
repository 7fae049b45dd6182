package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/courtesyhq/courtesy/consent"
	"github.com/courtesyhq/courtesy/signup"
)

// untouchable is a store every call of which panics: the sign-up POST and
// any GET of a confirmation link must not reach the store at all.
type untouchable struct{ Store }

// openGate lets every sign-up through; the fuzzer checks what is sent.
type openGate struct{}

func (openGate) Allow(context.Context, string, time.Time) (bool, error) { return true, nil }

// outbox keeps the transactional messages instead of sending them.
type outbox struct {
	mu   sync.Mutex
	sent []Transactional
}

func (o *outbox) Notify(_ context.Context, m Transactional) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.sent = append(o.sent, m)
	return nil
}

func (o *outbox) take() []Transactional {
	o.mu.Lock()
	defer o.mu.Unlock()
	out := o.sent
	o.sent = nil
	return out
}

func newFuzzSignupServer(tb testing.TB) (*Server, *signup.Sealer, *outbox) {
	sealer, err := signup.NewSealer([]consent.Key{keyNew})
	if err != nil {
		tb.Fatal(err)
	}
	box := &outbox{}
	s := New(Config{
		BaseURL: "https://crumb.example", BusinessName: "Crumb & Co. Bakery", Purposes: testPurposes,
		Now: func() time.Time { return start }, RateLimit: RateLimit{PerSecond: 1e9, Burst: 1 << 30},
		Signup: SignupConfig{NoticeVersion: "2026-11", NoticeText: notice},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}, Deps{Store: untouchable{}, Signer: mustSigner(tb, keyNew), Notify: box,
		Signup: &Signups{Sealer: sealer, Gate: openGate{}}})
	return s, sealer, box
}

func serve(s *Server, req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	s.Wait()
	return rec
}

// FuzzJoinPost sends POST /join any body. Whatever it holds, the store is
// never touched, the answer is the one "check your inbox" page or the form
// again, and a confirmation goes only to an address the checks accept,
// carrying one link that opens to that address and the purposes asked for.
func FuzzJoinPost(f *testing.F) {
	s, sealer, box := newFuzzSignupServer(f)
	joined := serve(s, joinRequest(url.Values{"email": {"ada@example.com"}, "purpose": {"birthday"}}.Encode(), "")).Body.String()
	box.take()
	f.Add("email=ada%40example.com&purpose=birthday&purpose=surveys&first_name=Ada&birthday_month=03&birthday_day=14", "")
	f.Add("email=a%40b.c&purpose=x&website=spam", "")
	f.Add("email=%0d%0abcc%3a+x%40y.z&purpose=birthday", "")
	f.Add("email=ada%40example.com&purpose=birthday&notice=1", "")
	f.Add("--x\r\nContent-Disposition: form-data; name=\"email\"\r\n\r\nada@example.com\r\n--x--\r\n", "multipart/form-data; boundary=x")
	f.Fuzz(func(t *testing.T, body, contentType string) {
		res := serve(s, joinRequest(body, contentType))
		switch res.Code {
		case http.StatusOK:
			if res.Body.String() != joined {
				t.Fatalf("a 200 that is not the one answer page:\n%s", res.Body.String())
			}
		case http.StatusUnprocessableEntity, http.StatusBadRequest, http.StatusRequestEntityTooLarge:
		default:
			t.Fatalf("POST /join = %d:\n%s", res.Code, res.Body.String())
		}
		sent := box.take()
		if len(sent) > 1 {
			t.Fatalf("one POST sent %d messages", len(sent))
		}
		for _, m := range sent {
			if _, errs := signup.Check(signup.Form{Email: m.To, Purposes: []string{"birthday"}}, []string{"birthday"}); errs != nil {
				t.Fatalf("a confirmation went to %q, which the checks refuse: %v", m.To, errs)
			}
			links := strings.Count(m.Text, "https://crumb.example/c/")
			_, rest, _ := strings.Cut(m.Text, "https://crumb.example/c/")
			tok, _, _ := strings.Cut(rest, "\n")
			opened, err := sealer.Open(tok, start)
			if links != 1 || err != nil || opened.Email != m.To || len(opened.Purposes) == 0 {
				t.Fatalf("confirmation to %q: %d links, token %+v (%v)", m.To, links, opened, err)
			}
		}
	})
}

func joinRequest(body, contentType string) *http.Request {
	if contentType == "" {
		contentType = "application/x-www-form-urlencoded"
	}
	req := httptest.NewRequest(http.MethodPost, "https://crumb.example/join", strings.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Origin", shopOrigin)
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	return req
}

// FuzzConfirmToken opens /c/{token} with any token: only a token the
// sealer made shows the Confirm page; every other gets the generic page;
// neither touches the store.
func FuzzConfirmToken(f *testing.F) {
	s, sealer, _ := newFuzzSignupServer(f)
	good := sealer.Seal(signup.Token{Request: signup.Request{Email: "ada@example.com", Purposes: []string{"birthday"}},
		NoticeVersion: "2026-11", NoticeHash: signup.NoticeDigest(notice), IssuedAt: start})
	f.Add(good)
	f.Add(good[:len(good)-1])
	f.Add("")
	f.Add("%2e%2e")
	f.Fuzz(func(t *testing.T, tok string) {
		req := httptest.NewRequest(http.MethodGet, "https://crumb.example/c/x", nil)
		req.URL.Path, req.URL.RawPath = "/c/"+tok, ""
		req.SetPathValue("token", tok)
		rec := httptest.NewRecorder()
		s.confirmGet(rec, req)
		_, err := sealer.Open(tok, start)
		switch {
		case err == nil && rec.Code != http.StatusOK:
			t.Fatalf("a sealed token got %d", rec.Code)
		case err != nil && rec.Code != http.StatusNotFound:
			t.Fatalf("token %q (%v) got %d, want the generic 404", tok, err, rec.Code)
		}
	})
}

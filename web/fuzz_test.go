package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/courtesyhq/courtesy"
)

// oneClickStore is the part of the store a plain one-click unsubscribe
// touches, in memory: the fuzzer runs thousands of POSTs a second through it,
// where a SQLite file under coverage instrumentation manages one. The real
// stores' side of the same POST is TestOneClickUnsubscribe's.
type oneClickStore struct {
	Store // nil: any other call is a path this fuzzer does not expect

	mu        sync.Mutex
	withdrawn int
}

func (s *oneClickStore) Message(_ context.Context, key string) (courtesy.Message, error) {
	return courtesy.Message{Key: key, CampaignID: "birthday-treat", Variant: "personal"}, nil
}

// Customer is not on file: the page speaks the business's language.
func (s *oneClickStore) Customer(context.Context, string) (courtesy.Customer, error) {
	return courtesy.Customer{}, courtesy.ErrNotFound
}

// ConsentHistory is empty: every POST is a first withdrawal, which the
// fuzzer expects to see recorded.
func (s *oneClickStore) ConsentHistory(context.Context, string) ([]courtesy.ConsentRecord, error) {
	return nil, nil
}

func (s *oneClickStore) Withdraw(_ context.Context, r courtesy.ConsentRecord, _ courtesy.OptOut) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.CustomerID != custID || r.Status != courtesy.Withdrawn {
		return false, nil
	}
	s.withdrawn++
	return true, nil
}

func (s *oneClickStore) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.withdrawn
}

// FuzzOneClickBody posts arbitrary bodies and content types to a valid
// RFC 8058 one-click link, as a mail provider (or anything else) might. The
// server never fails with a 5xx or a redirect, never reflects the body
// unescaped, and answers 200 to a plain unsubscribe only after recording the
// withdrawal.
func FuzzOneClickBody(f *testing.F) {
	st := &oneClickStore{}
	clock := &testClock{t: start}
	signer := mustSigner(f, keyNew, keyOld)
	srv := New(Config{
		BaseURL: "https://crumb.example", BusinessName: "Crumb & Co. Bakery",
		PostalAddress: "12 Mill Lane, Bristol BS1 4DJ, UK", Purposes: testPurposes,
		Now: clock.Now, MaxBody: 64 << 10, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}, Deps{Store: st, Signer: signer, Metrics: prometheus.NewRegistry(), Ready: func(context.Context) error { return nil }})
	link := signer.Links("https://crumb.example", custID, "birthday", birthdayKey, start).Unsubscribe

	f.Add("application/x-www-form-urlencoded", "List-Unsubscribe=One-Click")
	f.Add("multipart/form-data; boundary=xx", "--xx\r\nContent-Disposition: form-data; name=\"List-Unsubscribe\"\r\n\r\nOne-Click\r\n--xx--\r\n")
	f.Add("", "")
	f.Add("application/x-www-form-urlencoded", "List-Unsubscribe=One-Click&stop=all")
	f.Add("multipart/form-data", "--\r\n")
	f.Add("multipart/form-data; boundary=\"", strings.Repeat("-", 70))
	f.Add("application/x-www-form-urlencoded; charset=utf-16", "%zz&&==;;")
	f.Add("text/plain", "<script>alert(1)</script>")
	f.Add("application/json", `{"List-Unsubscribe":"One-Click"}`)
	f.Add("application/x-www-form-urlencoded", "via=page&stop=%3Cscript%3E")
	f.Fuzz(func(t *testing.T, contentType, body string) {
		clock.Add(time.Second)
		// The leave-reason and undo steps reach other parts of the store;
		// their own tests cover them.
		probe := httptest.NewRequest(http.MethodPost, link, strings.NewReader(body))
		if contentType != "" {
			probe.Header.Set("Content-Type", contentType)
		}
		parseAnyForm(probe, 64<<10)
		if step := probe.PostFormValue("step"); step == "reason" || step == "undo" {
			return
		}

		before := st.count()
		req := httptest.NewRequest(http.MethodPost, link, strings.NewReader(body))
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		code := rec.Code
		if code >= 500 || (code >= 300 && code < 400) {
			t.Fatalf("status %d for %q %q:\n%s", code, contentType, body, rec.Body)
		}
		if strings.Contains(rec.Body.String(), "<script>alert") {
			t.Fatalf("the page reflects the body unescaped")
		}
		if code == http.StatusOK && st.count() != before+1 {
			t.Fatalf("200 for %q %q without a recorded withdrawal", contentType, body)
		}
	})
}

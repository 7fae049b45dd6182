package web

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/internal/testenv"
	"github.com/courtesyhq/courtesy/store/storetest"
	"github.com/courtesyhq/courtesy/throttle/throttleredis"
)

// BenchmarkOneClickUnsubscribe measures the RFC 8058 POST end to end in
// process over SQLite: verify the token, look up the message, commit the
// withdrawal and the opt-out durably, render the confirmation.
func BenchmarkOneClickUnsubscribe(b *testing.B) {
	b.Run("store only", func(b *testing.B) { benchOneClick(b, nil) })
	// As wired: the customer's POST is counted in Redis first.
	b.Run("with the per-customer count", func(b *testing.B) {
		benchOneClick(b, throttleredis.NewCounter(testenv.Redis(b, testenv.RedisDBWeb), "bench"))
	})
}

func benchOneClick(b *testing.B, counter Counter) {
	st := storetest.OpenSQLite(b)
	signer := mustSigner(b, keyNew)
	srv := New(Config{BaseURL: "https://crumb.example", BusinessName: "Crumb", Purposes: testPurposes,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, Deps{Store: st, Signer: signer, Counter: counter})
	ctx := context.Background()
	const n = 5000
	cs := make([]courtesy.Customer, n)
	for i := range cs {
		cs[i] = courtesy.Customer{ID: fmt.Sprintf("c%d", i), Email: fmt.Sprintf("c%d@example.com", i)}
	}
	if _, err := st.UpsertCustomers(ctx, cs); err != nil {
		b.Fatal(err)
	}
	links := make([]string, n)
	for i := range links {
		links[i] = signer.Links("", cs[i].ID, "birthday", "birthday-treat:"+cs[i].ID+":2026", start).Unsubscribe
	}
	i := 0
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPost, links[i%n], strings.NewReader("List-Unsubscribe=One-Click"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d", rec.Code)
		}
		i++
	}
}

// BenchmarkUnsubscribePage measures the GET page a link scanner or a person
// opens: verify, two reads, render.
func BenchmarkUnsubscribePage(b *testing.B) {
	st := storetest.OpenSQLite(b)
	signer := mustSigner(b, keyNew)
	srv := New(Config{BaseURL: "https://crumb.example", BusinessName: "Crumb", Purposes: testPurposes, RateLimit: RateLimit{PerSecond: 1e9, Burst: 1 << 30},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, Deps{Store: st, Signer: signer})
	if _, err := st.UpsertCustomers(context.Background(), []courtesy.Customer{{ID: "c1", Email: "c1@example.com"}}); err != nil {
		b.Fatal(err)
	}
	link := signer.Links("", "c1", "birthday", "birthday-treat:c1:2026", start).Unsubscribe
	for b.Loop() {
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, link, nil))
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d", rec.Code)
		}
	}
}

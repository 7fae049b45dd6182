package web

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/courtesyhq/courtesy/integrations"
	"github.com/courtesyhq/courtesy/integrations/integrationstest"
	"github.com/courtesyhq/courtesy/store"
	"github.com/courtesyhq/courtesy/store/storetest"
)

// BenchmarkShopifyWebhook is the webhook path under load: 16 clients post
// signed orders/create deliveries, each a new order of a new customer with
// the marketing flag mapped, over kept-alive HTTP connections to the
// server, which verifies, parses and commits each one (delivery id,
// customer, platform id, event, consent) before its 200. It reports
// accepted deliveries a second, the client-side p50 and p99 and the
// process's CPU per delivery (server and clients together), and checks
// afterwards that every 200 left its customer in the store.
func BenchmarkShopifyWebhook(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) { benchShopifyWebhook(b, storetest.OpenSQLite(b)) })
	b.Run("postgres", func(b *testing.B) { benchShopifyWebhook(b, storetest.OpenPostgres(b)) })
}

func benchShopifyWebhook(b *testing.B, st *store.DB) {
	srv := httptest.NewServer(New(Config{
		BaseURL: "https://crumb.example", BusinessName: "Crumb", Purposes: testPurposes,
		Integrations: map[string]integrations.Settings{"shopify": {Secret: shopSecret, ConsentPurposes: []string{"surveys"}}},
		Logger:       slog.New(slog.NewTextHandler(io.Discard, nil)),
	}, Deps{Store: st, Signer: mustSigner(b, keyNew)}))
	defer srv.Close()
	const clients = 16
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
	fixture := platformFixture(b, "shopify/orders-create.json")

	type delivery struct {
		body []byte
		h    http.Header
	}
	run := fmt.Sprintf("%d", time.Now().UnixNano())
	ds := make([]delivery, b.N)
	for i := range ds {
		body := bytes.ReplaceAll(fixture, []byte("115310627314723954"), fmt.Appendf(nil, "9%08d", i))
		body = bytes.ReplaceAll(body, []byte("820982911946154508"), fmt.Appendf(nil, "8%08d", i))
		body = bytes.ReplaceAll(body, []byte("ada@example.org"), fmt.Appendf(nil, "buyer%d@example.org", i))
		ds[i] = delivery{body, integrationstest.Shopify(shopSecret, "orders/create", fmt.Sprintf("%s-%d", run, i), body)}
	}
	lat := make([]time.Duration, b.N)
	var next atomic.Int64
	var failed atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	cpu0 := processCPU(b)
	start := time.Now()
	for range clients {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(ds) {
					return
				}
				req, _ := http.NewRequest(http.MethodPost, srv.URL+"/hooks/shopify", bytes.NewReader(ds[i].body))
				req.Header = ds[i].h
				t := time.Now()
				res, err := client.Do(req)
				lat[i] = time.Since(t)
				if err != nil {
					failed.Add(1)
					continue
				}
				_, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode != http.StatusOK {
					failed.Add(1)
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	cpu := processCPU(b) - cpu0
	b.StopTimer()
	if n := failed.Load(); n > 0 {
		b.Fatalf("%d of %d deliveries failed", n, b.N)
	}
	n, err := st.CountCustomers(context.Background())
	if err != nil || n != b.N {
		b.Fatalf("%d customers stored after %d deliveries answered 200 (%v)", n, b.N, err)
	}
	slices.Sort(lat)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "deliveries/s")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/delivery")
	b.ReportMetric(0, "ns/op")
}

// processCPU is the user and system time the process has used: a figure
// that, unlike the rate, other work on a shared machine does not move much.
func processCPU(tb testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

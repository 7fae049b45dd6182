package web

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/consent"
	"github.com/courtesyhq/courtesy/internal/testenv"
	"github.com/courtesyhq/courtesy/mailer"
	"github.com/courtesyhq/courtesy/mailer/mailtest"
	"github.com/courtesyhq/courtesy/store"
	"github.com/courtesyhq/courtesy/store/storetest"
	"github.com/courtesyhq/courtesy/throttle/throttleredis"
)

var (
	keyNew = consent.Key{ID: "2026", Secret: bytes.Repeat([]byte{0x26}, 32)}
	keyOld = consent.Key{ID: "2025", Secret: bytes.Repeat([]byte{0x25}, 32)}
	start  = time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
)

const (
	custID      = "c-ada"
	custEmail   = "ada@example.com"
	birthdayKey = "birthday-treat:c-ada:2026"
	surveyKey   = "nps-after-purchase:c-ada:o-77"
	apiKey      = "test-api-key-0123456789"
)

var testPurposes = consent.Purposes{
	{ID: "birthday", Title: "Birthday treats", Description: "A greeting and a small treat on your birthday."},
	{ID: "reminders", Title: "Saved-item reminders", Description: "One reminder about something you saved."},
	{ID: "surveys", Title: "Feedback surveys", Description: "One short question after a purchase."},
}

// testClock is a clock the test moves.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type env struct {
	t      *testing.T
	dbPath string // the SQLite file, when the store is SQLite
	st     *store.DB
	rdb    *redis.Client
	sink   *mailtest.Sink
	signer *consent.Signer // the worker's signer: what the links in emails were made with
	clock  *testClock
	reg    *prometheus.Registry
	srv    *Server
	ts     *httptest.Server
	ready  error
}

type envOption func(*Config, *Deps)

// newEnv starts a server over a fresh SQLite store holding one customer who
// agreed to every purpose, a sent birthday message and a sent survey.
func newEnv(t *testing.T, opts ...envOption) *env {
	t.Helper()
	e := &env{t: t, clock: &testClock{t: start}, reg: prometheus.NewRegistry()}
	e.dbPath = filepath.Join(t.TempDir(), "courtesy.db")
	e.st = openStore(t, "sqlite://"+e.dbPath)
	e.rdb = testenv.Redis(t, testenv.RedisDBWeb)
	e.sink = mailtest.NewSink(t)
	e.signer = mustSigner(t, keyNew, keyOld)
	cfg := Config{
		BaseURL: "https://crumb.example", BusinessName: "Crumb & Co. Bakery",
		PostalAddress: "12 Mill Lane, Bristol BS1 4DJ, UK", ReplyTo: "hello@crumb.example",
		Purposes: testPurposes, CampaignNames: map[string]string{"birthday-treat": "Birthday treat"},
		APIKeys: []string{apiKey}, Now: e.clock.Now, MaxBody: 64 << 10,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	deps := Deps{Store: e.st, Signer: e.signer, Metrics: e.reg, Ready: func(context.Context) error { return e.ready },
		Counter: throttleredis.NewCounter(e.rdb, "courtesy"), Notify: newSinkNotifier(t, e.sink)}
	for _, o := range opts {
		o(&cfg, &deps)
	}
	if db, ok := deps.Store.(*store.DB); ok && db != e.st {
		e.st, e.dbPath = db, "" // an option chose the backend
	}
	e.srv = New(cfg, deps)
	e.ts = httptest.NewServer(e.srv)
	t.Cleanup(func() { e.ts.Close(); e.srv.Wait() })
	e.seed()
	return e
}

// onPostgres runs the server over a fresh PostgreSQL schema.
func onPostgres(t *testing.T) envOption {
	st := storetest.OpenPostgres(t)
	return func(_ *Config, d *Deps) { d.Store = st }
}

// sinkNotifier sends transactional messages over real SMTP to a sink, as
// the wired notifier does.
type sinkNotifier struct{ sender mailer.Sender }

func newSinkNotifier(tb testing.TB, sink *mailtest.Sink) *sinkNotifier {
	tb.Helper()
	s, err := mailer.Open(sink.URL(), mailer.Config{HelloName: "crumb.example"})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = s.Close() })
	return &sinkNotifier{sender: s}
}

func (n *sinkNotifier) Notify(ctx context.Context, m Transactional) error {
	return n.sender.Send(ctx, &mailer.Message{From: "Crumb & Co. <hello@crumb.example>", To: m.To, ToName: m.ToName, Subject: m.Subject,
		Text: m.Text, HTML: m.HTML, Date: start, UnsubscribeURL: m.UnsubscribeURL,
		Language: m.Locale, Headers: map[string]string{"X-Courtesy-Kind": m.Kind}})
}

func mustSigner(tb testing.TB, keys ...consent.Key) *consent.Signer {
	tb.Helper()
	s, err := consent.NewSigner(keys)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func (e *env) seed() {
	e.t.Helper()
	ctx := context.Background()
	md, _ := courtesy.ParseMonthDay("03-14")
	rowErrs, err := e.st.UpsertCustomers(ctx, []courtesy.Customer{{ID: custID, Email: custEmail, FirstName: "Ada", LastName: "Lovelace", Birthday: md, Timezone: "Europe/London"}})
	if err != nil || rowErrs[0] != nil {
		e.t.Fatalf("seed customer: %v %v", err, rowErrs)
	}
	for _, p := range testPurposes {
		if _, err := e.st.AppendConsent(ctx, courtesy.ConsentRecord{CustomerID: custID, Purpose: p.ID, Status: courtesy.Granted, Source: "form", Notice: "signup form v3: " + p.Description, RecordedAt: start.AddDate(0, -2, 0)}); err != nil {
			e.t.Fatalf("seed consent: %v", err)
		}
	}
	for _, m := range []courtesy.Message{
		{Key: birthdayKey, CampaignID: "birthday-treat", CustomerID: custID, Occurrence: "2026", Purpose: "birthday", Variant: "personal", Subject: "Happy birthday, Ada",
			Detail: `{"rule":"today is your birthday in Europe/London","data":["birthday (month and day)","time zone"],"limits":["at most 1 message a day"]}`},
		{Key: surveyKey, CampaignID: "nps-after-purchase", CustomerID: custID, Occurrence: "o-77", Purpose: "surveys", Variant: "a", Subject: "How did we do?"},
	} {
		m.Decision = courtesy.Decision{Outcome: courtesy.Sent}
		m.DueAt, m.CreatedAt, m.DecidedAt = start.Add(-time.Hour), start.Add(-2*time.Hour), start.Add(-time.Hour)
		if _, _, err := e.st.PlanMessage(ctx, m); err != nil {
			e.t.Fatalf("seed message: %v", err)
		}
	}
}

// links are the links the worker puts in the birthday message.
func (e *env) links() consent.LinkSet {
	return e.signer.Links(e.ts.URL, custID, "birthday", birthdayKey, start.Add(-time.Hour))
}

func (e *env) surveyLinks() consent.LinkSet {
	return e.signer.Links(e.ts.URL, custID, "surveys", surveyKey, start.Add(-time.Hour))
}

type response struct {
	code   int
	header http.Header
	body   string
}

// client never follows redirects and keeps no cookies, like a mail
// provider's one-click POST.
var client = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func (e *env) do(req *http.Request) response {
	e.t.Helper()
	res, err := client.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{code: res.StatusCode, header: res.Header, body: string(b)}
}

func (e *env) get(u string) response {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	return e.do(req)
}

// postForm posts a urlencoded form as a browser on the site would.
func (e *env) postForm(u string, form url.Values) response {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("Origin", e.ts.URL)
	return e.do(req)
}

func multipartBody(tb testing.TB, fields map[string]string) (string, *bytes.Buffer) {
	tb.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		if err := mw.WriteField(k, v); err != nil {
			tb.Fatal(err)
		}
	}
	if err := mw.Close(); err != nil {
		tb.Fatal(err)
	}
	return mw.FormDataContentType(), &buf
}

func (e *env) optOuts() []courtesy.OptOut {
	e.t.Helper()
	outs, err := e.st.OptOuts(context.Background(), courtesy.Filter{CustomerID: custID})
	if err != nil {
		e.t.Fatal(err)
	}
	return outs
}

func (e *env) history() []courtesy.ConsentRecord {
	e.t.Helper()
	h, err := e.st.ConsentHistory(context.Background(), custID)
	if err != nil && !errors.Is(err, courtesy.ErrNotFound) {
		e.t.Fatal(err)
	}
	return h
}

func (e *env) granted(purpose string) bool {
	e.t.Helper()
	return consent.Current(e.history(), purpose, e.clock.Now()).Granted
}

func pathOf(tb testing.TB, link string) string {
	tb.Helper()
	u, err := url.Parse(link)
	if err != nil {
		tb.Fatal(err)
	}
	return u.Path
}

// syncBuffer is a log the server writes while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

package web

import (
	"context"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/config"
	"github.com/courtesyhq/courtesy/consent"
	"github.com/courtesyhq/courtesy/integrations"
	"github.com/courtesyhq/courtesy/privacy"
	"github.com/courtesyhq/courtesy/report"
	"github.com/courtesyhq/courtesy/store"
)

// PageStore is what the customer pages read and write.
type PageStore interface {
	privacy.Source
	privacy.Eraser
	Message(ctx context.Context, key string) (courtesy.Message, error)
	AppendConsent(ctx context.Context, r courtesy.ConsentRecord) (int64, error)
	Withdraw(ctx context.Context, r courtesy.ConsentRecord, o courtesy.OptOut) (changed bool, err error)
	SetOptOutReason(ctx context.Context, id int64, reason, comment string) error
	SetPreferences(ctx context.Context, p courtesy.Preferences) error
	RecordAnswer(ctx context.Context, a courtesy.Answer) error
	RecordEngagement(ctx context.Context, e courtesy.Engagement) error
}

// IngestStore is what the JSON API writes.
type IngestStore interface {
	UpsertCustomers(ctx context.Context, cs []courtesy.Customer) (rowErrs []error, err error)
	AppendConsent(ctx context.Context, r courtesy.ConsentRecord) (int64, error)
	AddEvent(ctx context.Context, e courtesy.Event) (id int64, inserted bool, err error)
}

// Store is everything the server needs from the store.
type Store interface {
	PageStore
	IngestStore
	SignupStore
}

var _ Store = (*store.DB)(nil)

// RateLimit is a token bucket per client address.
type RateLimit struct {
	// PerSecond is the sustained rate. Defaults to 2.
	PerSecond float64
	// Burst is how many requests may come at once. Defaults to 40.
	Burst int
}

// Config is the server's configuration.
type Config struct {
	// BaseURL is where the pages are reached from the emails; its origin is
	// trusted for form POSTs. Required.
	BaseURL string
	// BusinessName is shown on every page. Required.
	BusinessName string
	// PostalAddress is shown in every page's footer.
	PostalAddress string
	// ReplyTo is the address a person can write to; survey detractors are
	// offered it.
	ReplyTo string
	// Purposes are the consent topics the preference page offers, in order.
	Purposes consent.Purposes
	// CampaignNames maps campaign ids to the names shown on the "why" page.
	// The id is shown for a campaign missing from it.
	CampaignNames map[string]string
	// LocalNames are the campaign names per BCP 47 locale, by campaign
	// id, where the business wrote them so. Defaults to none.
	LocalNames map[string]map[string]string
	// APIKeys are the bearer keys the ingest API accepts. Defaults to none:
	// the API then refuses every request.
	APIKeys []string
	// WebhookSecret is the basic-authentication password /hooks/ses and
	// /hooks/postmark accept. Defaults to none: they refuse every request.
	WebhookSecret string
	// Integrations are the shop platforms whose webhooks POST
	// /hooks/<platform> takes, by platform name. Defaults to none: a
	// platform without a Secret answers 404.
	Integrations map[string]integrations.Settings
	// MaxBody caps a request body in bytes. Defaults to 1 MiB.
	MaxBody int64
	// RateLimit applies per client address to the customer pages.
	// Defaults to 2 per second with bursts of 40.
	RateLimit RateLimit
	// CustomerLimit caps the POSTs one customer's links may make —
	// unsubscribe, preferences, erasure, survey — across every web process.
	// Defaults to 30 an hour.
	CustomerLimit Quota
	// FreshLinkLimit caps the emails with a fresh link one customer can be
	// sent from expired pages. Defaults to 3 a day.
	FreshLinkLimit Quota
	// ClientIPHeader names a header set by a trusted reverse proxy holding
	// the client's address (e.g. "X-Forwarded-For", "X-Real-IP"). Defaults
	// to "", which uses the connection's address.
	ClientIPHeader string
	// TrustedProxies are the address ranges ClientIPHeader is believed
	// from. Defaults to none: the header is never believed.
	TrustedProxies []netip.Prefix
	// Location is the time zone dates are shown in to a visitor who is not
	// a customer on file, and to a customer without one. Defaults to UTC.
	Location *time.Location
	// Locale is the language of the pages for a visitor whose language
	// courtesy does not speak, the business's (BCP 47). Defaults to "en".
	Locale string
	// Now tells the time. Defaults to courtesy.SystemClock.
	Now courtesy.Clock
	// Logger receives request failures. Defaults to slog.Default().
	Logger *slog.Logger
	// MetricsApart leaves /metrics off the main listener: the caller serves
	// MetricsHandler on an address of its own. Defaults to false.
	MetricsApart bool
	// MetricsCache is how long a scrape of /metrics is answered from the
	// last one. Defaults to 5 seconds.
	MetricsCache time.Duration
	// Login limits sign-in attempts to the dashboard.
	Login LoginLimits
	// AdminPassword opens the owner's dashboard at /admin/. Defaults to
	// none: the dashboard then says how to set one, and lets nobody in.
	AdminPassword string
	// Report is what the dashboard's report covers: the campaigns, the
	// purposes, the minimum sample. The dashboard chooses the period.
	Report report.Options
	// Signup is the sign-up page's wording.
	Signup SignupConfig
}

// Deps are the services the server calls.
type Deps struct {
	Store  Store
	Signer *consent.Signer
	// Ready reports whether Redis and the database are reachable, for
	// /readyz. Defaults to always ready.
	Ready func(ctx context.Context) error
	// Metrics receives the server's metrics; /metrics serves it when it is
	// also a prometheus.Gatherer (a *prometheus.Registry is both). Defaults
	// to a registry of the server's own.
	Metrics prometheus.Registerer
	// Feedback applies bounce and complaint reports. Defaults to none: the
	// feedback endpoints answer 503.
	Feedback FeedbackApplier
	// Admin is what the owner's dashboard reads and switches. Defaults to
	// none: the dashboard is closed.
	Admin AdminStore
	// Counter keeps the per-customer limits (Config.CustomerLimit,
	// FreshLinkLimit). Defaults to none: there are no such limits, and no
	// fresh links are emailed.
	Counter Counter
	// Notify sends the transactional messages a page offers, such as a
	// fresh link in place of an expired one. Defaults to none: the pages
	// then offer no such message.
	Notify Notifier
	// Forget is asked to drop what Redis keeps of a customer who erases
	// themselves from the preference page. Defaults to none.
	Forget []privacy.Forgetter
	// Deliveries keeps the shop platforms' webhooks. Defaults to Store
	// when it is one.
	Deliveries DeliveryStore
	// Signup seals sign-up tokens and keeps the per-address limits of
	// /join and /api/v1/signups. Defaults to none: those pages then answer
	// 503.
	Signup *Signups
}

// Server is the web front of courtesy. It is an http.Handler.
type Server struct {
	cfg    Config
	deps   Deps
	origin string // scheme://host of BaseURL
	mux    *http.ServeMux
	// patterns are the routes of mux, in the order they were added.
	patterns []string
	handler  http.Handler
	pages    *pages
	limiter  *limiter
	cop      *http.CrossOriginProtection
	metrics  *metrics
	// metricsH serves the Prometheus metrics, cached.
	metricsH http.Handler
	apiKeys  secrets
	webhook  secrets

	admin      *admin
	adminPages *adminPageSet

	// background counts the sends still running after their answer went.
	background sync.WaitGroup
}

// New builds the server. It panics when a required dependency is missing,
// as that is a wiring mistake, not a runtime condition.
func New(cfg Config, deps Deps) *Server {
	if deps.Store == nil || deps.Signer == nil {
		panic("web.New: Store and Signer are required")
	}
	cfg = withDefaults(cfg)
	if deps.Ready == nil {
		deps.Ready = func(context.Context) error { return nil }
	}
	if deps.Metrics == nil {
		deps.Metrics = prometheus.NewRegistry()
	}
	if ds, ok := deps.Store.(DeliveryStore); ok && deps.Deliveries == nil {
		deps.Deliveries = ds
	}
	s := &Server{
		cfg:     cfg,
		deps:    deps,
		origin:  originOf(cfg.BaseURL),
		mux:     http.NewServeMux(),
		pages:   mustLoadPages(cfg),
		limiter: newLimiter(cfg.RateLimit.PerSecond, cfg.RateLimit.Burst),
		cop:     http.NewCrossOriginProtection(),
		metrics: newMetrics(deps.Metrics),
		apiKeys: apiKeys(cfg.APIKeys),
		webhook: newSecrets(cfg.WebhookSecret),

		admin:      newAdmin(cfg),
		adminPages: mustLoadAdminPages(cfg),
	}
	if s.origin != "" {
		// Behind a proxy the Host header may not be the public one.
		_ = s.cop.AddTrustedOrigin(s.origin)
	}
	s.metricsH = s.newMetricsHandler()
	s.routes()
	s.handler = s.withSecurityHeaders(s.withMetrics(s.mux))
	return s
}

func withDefaults(cfg Config) Config {
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = 1 << 20
	}
	if cfg.RateLimit.PerSecond <= 0 {
		cfg.RateLimit.PerSecond = 2
	}
	if cfg.RateLimit.Burst <= 0 {
		cfg.RateLimit.Burst = 40
	}
	if cfg.CustomerLimit.Count <= 0 || cfg.CustomerLimit.Window <= 0 {
		cfg.CustomerLimit = Quota{Count: 30, Window: time.Hour}
	}
	if cfg.FreshLinkLimit.Count <= 0 || cfg.FreshLinkLimit.Window <= 0 {
		cfg.FreshLinkLimit = Quota{Count: 3, Window: 24 * time.Hour}
	}
	if cfg.MetricsCache <= 0 {
		cfg.MetricsCache = 5 * time.Second
	}
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	if cfg.Now == nil {
		cfg.Now = courtesy.SystemClock
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.BusinessName == "" {
		cfg.BusinessName = "courtesy"
	}
	if cfg.Signup.NoticeText == "" {
		cfg.Signup.NoticeVersion, cfg.Signup.NoticeText = config.DefaultNotice.Version, config.DefaultNotice.Text
	}
	return cfg
}

func originOf(base string) string {
	u, err := url.Parse(strings.TrimSpace(base))
	if err != nil || u.Scheme == "" || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// routeTable registers handlers on the server's mux and keeps their
// patterns, so a test can walk every route the server has.
type routeTable struct{ s *Server }

func (t routeTable) Handle(pattern string, h http.Handler) {
	t.s.patterns = append(t.s.patterns, pattern)
	t.s.mux.Handle(pattern, h)
}

func (t routeTable) HandleFunc(pattern string, h func(http.ResponseWriter, *http.Request)) {
	t.Handle(pattern, http.HandlerFunc(h))
}

func (s *Server) routes() {
	m := routeTable{s}
	page := s.limited // customer pages carry a per-address rate limit

	m.HandleFunc("POST /u/{token}", s.unsubscribePost) // rate-limited inside: see there
	m.Handle("GET /u/{token}", page(s.unsubscribeGet))
	m.Handle("GET /p/{token}", page(s.preferencesGet))
	m.Handle("POST /p/{token}", page(s.preferencesPost))
	m.Handle("GET /p/{token}/export", page(s.exportGet))
	m.Handle("GET /p/{token}/erase", page(s.eraseGet))
	m.Handle("POST /p/{token}/erase", page(s.erasePost))
	m.Handle("GET /why/{token}", page(s.whyGet))
	m.Handle("POST /why/{token}", page(s.whyPost))
	m.Handle("GET /s/{token}", page(s.surveyGet))
	m.Handle("POST /s/{token}", page(s.surveyPost))
	m.Handle("POST /fresh/{token}", page(s.freshPost))

	// The sign-up form may sit on the shop's own site: /join takes
	// cross-origin posts (see joinPost); the confirmation does not.
	m.Handle("GET /join", page(s.joinGet))
	m.Handle("POST /join", page(s.joinPost))
	m.Handle("GET /c/{token}", page(s.confirmGet))
	m.Handle("POST /c/{token}", page(s.confirmPost))
	m.HandleFunc("POST /c/{token}/decline", s.declinePost)

	m.HandleFunc("POST /api/v1/customers", s.apiCustomers)
	m.HandleFunc("POST /api/v1/signups", s.apiSignups)
	m.HandleFunc("POST /api/v1/consents", s.apiConsents)
	m.HandleFunc("POST /api/v1/events", s.apiEvents)
	m.HandleFunc("POST /api/v1/feedback", s.feedbackPost)
	m.HandleFunc("POST /hooks/ses", s.sesHook)
	m.HandleFunc("POST /hooks/postmark", s.postmarkHook)
	s.platformRoutes()

	m.HandleFunc("GET /healthz", s.healthz)
	m.HandleFunc("GET /readyz", s.readyz)
	if !s.cfg.MetricsApart {
		m.Handle("GET /metrics", s.metricsH)
	}
	m.HandleFunc("GET /static/style.css", s.stylesheet)
	s.adminRoutes()
	m.HandleFunc("/", s.notFound)
}

// Wait waits for the sends the server started after answering (fresh
// links); call it once the HTTP server has shut down.
func (s *Server) Wait() { s.background.Wait() }

// ServeHTTP serves a request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

func (s *Server) now() time.Time { return s.cfg.Now() }

// NewHTTPServer returns an http.Server for h with timeouts that a slow or
// idle client cannot hold a connection open past.
func NewHTTPServer(addr string, h http.Handler) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
}

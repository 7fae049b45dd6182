package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"os"
	"strings"
	"time"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/campaigns"
	"github.com/courtesyhq/courtesy/config"
	"github.com/courtesyhq/courtesy/consent"
	"github.com/courtesyhq/courtesy/mailer"
	"github.com/courtesyhq/courtesy/scheduler"
	"github.com/courtesyhq/courtesy/shop"
	"github.com/courtesyhq/courtesy/store"
	"github.com/courtesyhq/courtesy/throttle"
	"github.com/courtesyhq/courtesy/throttle/throttleredis"
	"github.com/courtesyhq/courtesy/web"
	"github.com/courtesyhq/courtesy/worker"
)

// app is one command's running parts, opened on demand and closed in
// reverse order.
type app struct {
	inv     *invocation
	cfg     *config.Config
	loaded  shop.Shop
	logger  *slog.Logger
	now     courtesy.Clock
	db      *store.DB
	rdb     redis.UniversalClient
	closers []func() error
	// observe is told of every decision this process records.
	observe func(campaignID string, d courtesy.Decision, took time.Duration)
	// keyPrefix names courtesy's own Redis keys (limits, rate, lease).
	// Empty means "courtesy".
	keyPrefix string
	// registry holds the process's metrics, served at /metrics.
	registry *prometheus.Registry
	metrics  *web.SendMetrics
	// smtp is the process's one pool of SMTP connections: the pipeline and
	// the guardrail's email to the owner share it.
	smtp mailer.Sender
}

// load reads the configuration and campaigns. Problems in what a person
// wrote are usage errors (exit 2), each named by file and line.
func (inv *invocation) load() (*app, error) {
	r := shop.Load(inv.config)
	if r.Diagnostics.HasErrors() {
		return nil, usageError{errors.New(errorsOnly(r.Diagnostics).Error())}
	}
	cfg := r.Config
	if err := cfg.ApplyEnv(inv.getenv); err != nil {
		return nil, usageError{err}
	}
	a := &app{inv: inv, cfg: cfg, loaded: r, now: courtesy.SystemClock}
	level := inv.getenv("COURTESY_LOG_LEVEL")
	if level == "" {
		level = inv.logLevel
	}
	a.logger = newLogger(inv.stdio.err, level)
	quietRedisClient()
	for _, d := range r.Diagnostics {
		a.logger.Warn(d.String())
	}
	return a, nil
}

// loadStore loads the configuration and opens the store: what most
// commands need first.
func (inv *invocation) loadStore() (*app, *store.DB, error) {
	a, err := inv.load()
	if err != nil {
		return nil, nil, err
	}
	db, err := a.store()
	if err != nil {
		a.close()
		return nil, nil, err
	}
	return a, db, nil
}

func errorsOnly(ds courtesy.Diagnostics) courtesy.Diagnostics {
	var out courtesy.Diagnostics
	for _, d := range ds {
		if d.Severity == courtesy.SeverityError {
			out = append(out, d)
		}
	}
	return out
}

// newLogger logs text to a terminal and JSON otherwise.
func newLogger(w interface{ Write([]byte) (int, error) }, level string) *slog.Logger {
	var lv slog.Level
	_ = lv.UnmarshalText([]byte(level))
	opts := &slog.HandlerOptions{Level: lv}
	if isTerminal(w) {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

func (a *app) close() {
	for i := len(a.closers) - 1; i >= 0; i-- {
		if err := a.closers[i](); err != nil {
			a.logger.Warn("close", "err", err)
		}
	}
	a.closers = nil
}

func (a *app) ctx() context.Context { return a.inv.ctx }

func (a *app) store() (*store.DB, error) {
	if a.db != nil {
		return a.db, nil
	}
	if err := a.makeDataDir(); err != nil {
		return nil, err
	}
	keys, err := a.fingerprintKeys()
	if err != nil {
		return nil, err
	}
	db, err := store.Open(a.ctx(), a.cfg.Database.URL, store.WithFingerprintKeys(keys...))
	if err != nil {
		return nil, fmt.Errorf("open the database: %w", err)
	}
	if db.FingerprintKeyMissing() {
		_ = db.Close()
		return nil, usagef("the database keeps addresses as keyed fingerprints, and COURTESY_LINK_KEYS (or COURTESY_FINGERPRINT_KEY) is not set: without the key an erased address would not be recognised")
	}
	a.db = db
	a.closers = append(a.closers, db.Close)
	return db, nil
}

// redis connects to Redis: one node, Sentinel or Cluster, as configured.
func (a *app) redis() (redis.UniversalClient, error) {
	if a.rdb != nil {
		return a.rdb, nil
	}
	rdb, where, err := redisClient(a.cfg)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(a.ctx(), 3*time.Second)
	defer cancel()
	if err := rdb.Ping(ctx).Err(); err != nil {
		_ = rdb.Close()
		return nil, fmt.Errorf("%s is not reachable: %w (%s)", where, err, redisHint(a.cfg, err))
	}
	a.rdb = rdb
	a.closers = append(a.closers, rdb.Close)
	return rdb, nil
}

// signer builds the link signer from COURTESY_LINK_KEYS.
func (a *app) signer() (*consent.Signer, error) {
	keys := a.cfg.Secrets.LinkKeys
	if len(keys) == 0 {
		return nil, usagef("COURTESY_LINK_KEYS is not set: every message's links are signed with it. Create one with\n  export COURTESY_LINK_KEYS=\"k1:$(head -c32 /dev/urandom | base64)\"")
	}
	return consent.NewSigner(keys)
}

// dkim reads the configured DKIM key and checks it against the From domain.
func (a *app) dkim() (*mailer.DKIM, error) {
	d := a.cfg.DKIM
	if !d.Enabled() {
		return nil, nil
	}
	pem, err := os.ReadFile(a.cfg.Path(d.PrivateKeyFile))
	if err != nil {
		return nil, usagef("%s: dkim.private_key_file: %v", a.cfg.File(), err)
	}
	k := &mailer.DKIM{Domain: d.Domain, Selector: d.Selector, PrivateKeyPEM: pem}
	if err := k.Check(fromDomain(a.cfg.Business.From)); err != nil {
		return nil, usagef("%s: dkim: %v", a.cfg.File(), err)
	}
	return k, nil
}

// sender opens the SMTP pool once, so every part of the process that sends
// shares its connections.
func (a *app) sender() (mailer.Sender, error) {
	if a.smtp != nil {
		return a.smtp, nil
	}
	k, err := a.dkim()
	if err != nil {
		return nil, err
	}
	s, err := mailer.Open(a.cfg.SMTP.URL, mailer.Config{
		MaxConnections: a.cfg.SMTP.MaxConnections,
		HelloName:      fromDomain(a.cfg.Business.From),
		DKIM:           k,
	})
	if err != nil {
		return nil, usagef("SMTP_URL %s: %v", redactURL(a.cfg.SMTP.URL), err)
	}
	a.smtp = s
	a.closers = append(a.closers, s.Close)
	return s, nil
}

// pipeline wires the send pipeline.
func (a *app) pipeline(enq worker.Scheduler) (*worker.Pipeline, error) {
	cfg, err := a.pipelineConfig()
	if err != nil {
		return nil, err
	}
	rdb, err := a.redis()
	if err != nil {
		return nil, err
	}
	if cfg.Sender, err = a.sender(); err != nil {
		return nil, err
	}
	if r := a.providerRate(rdb); r != nil {
		cfg.Rate = r
	}
	limiter := throttleredis.NewLimiter(rdb, a.redisPrefix()+":limits", a.db)
	cfg.Scheduler = enq
	cfg.Streams = a.cfg.SMTP.MaxConnections // a batch keeps every connection busy
	m := a.metricsOf()
	cfg.Sender = timedSender{cfg.Sender, m}
	cfg.Limiter = countedLimiter{limiter, m}
	observe := a.observe
	cfg.Observe = func(campaignID string, d courtesy.Decision, took time.Duration) {
		m.ObserveDecision(campaignID, d, took)
		if observe != nil {
			observe(campaignID, d, took)
		}
	}
	return worker.New(cfg)
}

// providerRate is smtp.max_per_second, shared through Redis by everything
// that sends: the pipeline and the web pages' transactional messages. Nil
// when there is no limit.
func (a *app) providerRate(rdb redis.UniversalClient) *throttleredis.Rate {
	ps := a.cfg.SMTP.MaxPerSecond
	if ps <= 0 {
		return nil
	}
	return throttleredis.NewRate(rdb, a.redisPrefix()+":rate", max(1, int(ps+0.5)), 0)
}

// dryRun wires a pipeline that decides without changing anything, for
// preview and simulate: it needs the database, not Redis or SMTP.
func (a *app) dryRun() (*worker.DryRun, error) {
	cfg, err := a.pipelineConfig()
	if err != nil {
		return nil, err
	}
	return worker.NewDryRun(cfg, a.db)
}

// pipelineConfig is what every pipeline shares: the business, campaigns,
// rules, links and the store.
func (a *app) pipelineConfig() (worker.Config, error) {
	db, err := a.store()
	if err != nil {
		return worker.Config{}, err
	}
	signer, err := a.signer()
	if err != nil {
		return worker.Config{}, err
	}
	quiet := throttle.QuietHours(a.cfg.Limits.QuietHours) // validated when the config was read
	var limits []throttle.Limit
	for _, l := range a.cfg.Limits.PerCustomer {
		limits = append(limits, throttle.Limit(l))
	}
	b := a.cfg.Business
	return worker.Config{
		Business: worker.Business{
			Name: b.Name, PostalAddress: b.PostalAddress, From: b.From, ReplyTo: b.ReplyTo,
			BaseURL: b.BaseURL, Domain: fromDomain(b.From), Location: a.cfg.Location(),
			ReturnPath: a.cfg.SMTP.ReturnPath, VERPKeys: a.cfg.Secrets.LinkKeys,
		},
		Campaigns:  a.campaignsByID(),
		Limits:     limits,
		QuietHours: quiet,
		Tone:       a.loaded.Tone,
		Signer:     signer,
		Store:      db,
		Now:        a.now,
		Logger:     a.logger,
		Observe:    a.observe,
	}, nil
}

func (a *app) redisPrefix() string {
	if a.keyPrefix == "" {
		return "courtesy"
	}
	return a.keyPrefix
}

// metricsOf returns the process's metrics, made on first use.
func (a *app) metricsOf() *web.SendMetrics {
	if a.metrics == nil {
		a.registry = prometheus.NewRegistry()
		a.metrics = web.NewSendMetrics(a.registry)
	}
	return a.metrics
}

// timedSender measures every SMTP transaction.
type timedSender struct {
	mailer.Sender
	m *web.SendMetrics
}

func (s timedSender) Send(ctx context.Context, msg *mailer.Message) error {
	start := time.Now()
	err := s.Sender.Send(ctx, msg)
	result := "ok"
	switch {
	case err == nil:
	case mailer.IsTemporary(err):
		result = "temporary"
	default:
		result = "permanent"
	}
	s.m.ObserveSMTP(result, time.Since(start))
	return err
}

// countedLimiter counts frequency-limit checks by result.
type countedLimiter struct {
	worker.BatchLimiter
	m *web.SendMetrics
}

func (l countedLimiter) ReserveAll(ctx context.Context, reqs []throttle.Request) ([]throttle.Reservation, error) {
	rs, err := l.BatchLimiter.ReserveAll(ctx, reqs)
	if err == nil {
		for _, r := range rs {
			l.m.ObserveLimit(r.OK)
		}
	}
	return rs, err
}

func (l countedLimiter) Reserve(ctx context.Context, req throttle.Request) (throttle.Reservation, error) {
	r, err := l.BatchLimiter.Reserve(ctx, req)
	if err == nil {
		l.m.ObserveLimit(r.OK)
	}
	return r, err
}

func (a *app) campaignsByID() map[string]*campaigns.Campaign {
	m := make(map[string]*campaigns.Campaign, len(a.loaded.Campaigns))
	for _, c := range a.loaded.Campaigns {
		m[c.ID] = c
	}
	return m
}

// queue returns the asynq client that enqueues message tasks.
func (a *app) queue() (worker.Enqueuer, error) {
	rdb, err := a.redis()
	if err != nil {
		return worker.Enqueuer{}, err
	}
	// The client shares the Redis connection, which is closed with the app.
	return worker.Enqueuer{Client: asynq.NewClientFromRedisClient(rdb), Redis: rdb,
		MarkPrefix: a.redisPrefix() + ":queued"}, nil
}

func (a *app) planner(q scheduler.Enqueuer) (*scheduler.Planner, error) {
	db, err := a.store()
	if err != nil {
		return nil, err
	}
	return &scheduler.Planner{Campaigns: a.loaded.Campaigns, Store: db, Queue: q, Location: a.cfg.Location(),
		SendTimeout: mailer.DefaultTimeout}, nil
}

// fromDomain is the domain of the business's From address.
func fromDomain(from string) string {
	addr, err := mail.ParseAddress(from)
	if err != nil {
		return ""
	}
	_, d, _ := strings.Cut(addr.Address, "@")
	return strings.ToLower(d)
}

// redactURL hides a password in a URL shown in an error.
func redactURL(s string) string {
	at := strings.LastIndex(s, "@")
	scheme := strings.Index(s, "://")
	if at < 0 || scheme < 0 || at < scheme {
		return s
	}
	userinfo := s[scheme+3 : at]
	if u, _, ok := strings.Cut(userinfo, ":"); ok {
		return s[:scheme+3] + u + ":***" + s[at:]
	}
	return s
}

// isTerminal reports whether w is a character device: a person is reading.
func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

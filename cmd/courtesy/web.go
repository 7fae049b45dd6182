package main

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/courtesyhq/courtesy/consent"
	"github.com/courtesyhq/courtesy/signup"
	"github.com/courtesyhq/courtesy/signup/signupredis"
	"github.com/courtesyhq/courtesy/throttle/throttleredis"
	"github.com/courtesyhq/courtesy/web"
)

// webServers are the HTTP servers of the web role: the pages (embedded, so
// it reads as the one server it usually is), and /metrics when it has an
// address of its own.
type webServers struct {
	*http.Server
	metrics *http.Server // nil: /metrics is served with the pages
	handler *web.Server
}

// webServer builds the customers' pages, the API and the health endpoints.
func (a *app) webServer() (*webServers, error) {
	db, err := a.store()
	if err != nil {
		return nil, err
	}
	signer, err := a.signer()
	if err != nil {
		return nil, err
	}
	forget, err := a.forgetters()
	if err != nil {
		return nil, err
	}
	purposes := a.purposes()
	names := map[string]string{}
	localNames := map[string]map[string]string{}
	for _, c := range a.loaded.Campaigns {
		names[c.ID] = c.Name
		localNames[c.ID] = c.Names
	}
	notify, err := a.notifier()
	if err != nil {
		return nil, err
	}
	rdb, err := a.redis()
	if err != nil {
		return nil, err
	}
	signups, err := a.signups()
	if err != nil {
		return nil, err
	}
	b := a.cfg.Business
	wc := a.cfg.Web
	h := web.New(web.Config{
		BaseURL:       b.BaseURL,
		BusinessName:  b.Name,
		PostalAddress: b.PostalAddress,
		ReplyTo:       b.ReplyTo,
		Purposes:      purposes,
		CampaignNames: names,
		LocalNames:    localNames,
		APIKeys:       a.cfg.Secrets.APIKeys,
		WebhookSecret: a.cfg.Secrets.WebhookSecret,
		Location:      a.cfg.Location(),
		Locale:        b.Locale,
		Now:           a.now,
		Logger:        a.logger,
		AdminPassword: a.cfg.Secrets.AdminPassword,
		Report:        a.reportOptions(),
		Integrations:  a.integrationSettings(),
		Signup: web.SignupConfig{
			NoticeVersion: a.cfg.Signup.Notice.Version, NoticeText: a.cfg.Signup.Notice.Text,
			NoticeTexts: a.cfg.Signup.Notice.Texts, PrivacyURL: a.cfg.Signup.PrivacyURL,
		},
		RateLimit:      web.RateLimit{PerSecond: wc.RateLimit.PerSecond, Burst: wc.RateLimit.Burst},
		CustomerLimit:  web.Quota(wc.CustomerLimit),
		FreshLinkLimit: web.Quota(wc.FreshLinkLimit),
		ClientIPHeader: wc.ClientIPHeader,
		TrustedProxies: wc.TrustedProxies,
		Login:          web.LoginLimits{PerAddress: wc.Login.PerAddress, PerAccount: wc.Login.PerAccount, MaxBackoff: time.Duration(wc.Login.MaxBackoff)},
		MetricsApart:   wc.MetricsListen != "",
	}, web.Deps{
		Store:    db,
		Signer:   signer,
		Feedback: a.feedbackProcessor(db),
		Admin:    db,
		Notify:   notify,
		Counter:  throttleredis.NewCounter(rdb, a.redisPrefix()),
		Signup:   signups,
		Metrics:  a.webMetrics(),
		Forget:   forget,
		Ready: func(ctx context.Context) error {
			if err := db.Ping(ctx); err != nil {
				return err
			}
			if a.rdb != nil {
				return a.rdb.Ping(ctx).Err()
			}
			return nil
		},
	})
	ws := &webServers{Server: web.NewHTTPServer(wc.Listen, h), handler: h}
	if wc.MetricsListen != "" {
		ws.metrics = web.NewHTTPServer(wc.MetricsListen, h.MetricsHandler())
	}
	return ws, nil
}

// serveHTTP serves until ctx is done, then shuts down gracefully and waits
// for the sends the pages started.
func serveHTTP(ctx context.Context, ws *webServers, log *slog.Logger) error {
	srvs := []*http.Server{ws.Server}
	if ws.metrics != nil {
		srvs = append(srvs, ws.metrics)
	}
	var lns []net.Listener
	for _, srv := range srvs {
		ln, err := net.Listen("tcp", srv.Addr)
		if err != nil {
			for _, l := range lns {
				_ = l.Close()
			}
			return err
		}
		lns = append(lns, ln)
	}
	log.Info("web pages", "listen", "http://"+lns[0].Addr().String())
	if len(lns) > 1 {
		log.Info("metrics", "listen", "http://"+lns[1].Addr().String()+"/metrics")
	}
	errc := make(chan error, len(srvs))
	for i, srv := range srvs {
		go func() { errc <- srv.Serve(lns[i]) }()
	}
	var first error
	select {
	case first = <-errc:
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, srv := range srvs {
		if err := srv.Shutdown(sctx); err != nil && first == nil {
			first = err
		}
	}
	ws.handler.Wait()
	if first != nil && !errors.Is(first, http.ErrServerClosed) {
		return first
	}
	return nil
}

// signups builds what the sign-up pages need: tokens sealed with the link
// keys, and the per-address limits and daily count in Redis.
func (a *app) signups() (*web.Signups, error) {
	if _, err := a.signer(); err != nil {
		return nil, err
	}
	sealer, err := signup.NewSealer(a.cfg.Secrets.LinkKeys)
	if err != nil {
		return nil, err
	}
	rdb, err := a.redis()
	if err != nil {
		return nil, err
	}
	return &web.Signups{
		Sealer: sealer,
		Gate:   signupredis.NewGate(rdb, a.redisPrefix(), signup.AddressLimits),
		Tally:  signupredis.NewTally(rdb, a.redisPrefix(), a.cfg.Location()),
	}, nil
}

// purposes are the configured purposes as the pages show them.
func (a *app) purposes() consent.Purposes {
	var out consent.Purposes
	for _, p := range a.cfg.Purposes {
		out = append(out, consent.Purpose{ID: p.Name, Title: p.Title, Description: p.Description,
			Titles: p.Titles, Descriptions: p.Descriptions})
	}
	return out
}

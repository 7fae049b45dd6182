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
	"github.com/courtesyhq/courtesy/throttle"
	"github.com/courtesyhq/courtesy/web"
)

// webServer builds the customers' pages, the API and the health endpoints.
func (a *app) webServer() (*http.Server, error) {
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
	var purposes consent.Purposes
	for _, p := range a.cfg.Purposes {
		purposes = append(purposes, consent.Purpose{ID: p.Name, Title: p.Title, Description: p.Description,
			Titles: p.Titles, Descriptions: p.Descriptions})
	}
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
		Integrations:  a.integrationSettings(),
		Location:      a.cfg.Location(),
		Locale:        b.Locale,
		Now:           a.now,
		Logger:        a.logger,
		AdminPassword: a.cfg.Secrets.AdminPassword,
		Report:        a.reportOptions(),
		Signup: web.SignupConfig{
			NoticeVersion: a.cfg.Signup.Notice.Version, NoticeText: a.cfg.Signup.Notice.Text,
			PrivacyURL: a.cfg.Signup.PrivacyURL,
		},
	}, web.Deps{
		Store:    db,
		Signer:   signer,
		Feedback: a.feedbackProcessor(db),
		Admin:    db,
		Notify:   notify,
		Counter:  throttle.NewCounter(rdb, a.redisPrefix()),
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
	return web.NewHTTPServer(a.cfg.Web.Listen, h), nil
}

// serveHTTP serves until ctx is done, then shuts down gracefully.
func serveHTTP(ctx context.Context, srv *http.Server, log *slog.Logger) error {
	ln, err := net.Listen("tcp", srv.Addr)
	if err != nil {
		return err
	}
	log.Info("web pages", "listen", "http://"+ln.Addr().String())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
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

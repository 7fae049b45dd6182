package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/mailer"
	"github.com/courtesyhq/courtesy/web"
)

// mailNotifier sends the web pages' transactional messages through the
// process's SMTP pool — DKIM-signed like every other message — taking turns
// from the same provider rate as the send pipeline.
type mailNotifier struct {
	sender  mailer.Sender
	rate    rateWaiter // nil: no provider limit
	from    string
	replyTo string
	domain  string
	now     courtesy.Clock
	log     *slog.Logger
	sent    *prometheus.CounterVec
}

// rateWaiter is the provider's shared send rate.
type rateWaiter interface {
	Wait(ctx context.Context) error
}

var _ web.Notifier = (*mailNotifier)(nil)

// Notify sends m. The address stays out of the log: the customer id, when
// there is one, says whom it concerned.
func (n *mailNotifier) Notify(ctx context.Context, m web.Transactional) error {
	if n.rate != nil {
		if err := n.rate.Wait(ctx); err != nil {
			n.count(m.Kind, "failed")
			return fmt.Errorf("transactional %s: wait for the send rate: %w", m.Kind, err)
		}
	}
	err := n.sender.Send(ctx, &mailer.Message{
		From: n.from, ReplyTo: n.replyTo, To: m.To, ToName: m.ToName,
		Subject: m.Subject, Text: m.Text, HTML: m.HTML, Language: m.Locale,
		MessageID: mailer.NewMessageID(n.domain), Date: n.now(),
		UnsubscribeURL: m.UnsubscribeURL, Headers: map[string]string{"X-Courtesy-Kind": m.Kind},
	})
	if err != nil {
		n.count(m.Kind, "failed")
		n.log.Warn("transactional message not sent", "kind", m.Kind, "customer", m.CustomerID, "err", err)
		return fmt.Errorf("transactional %s: %w", m.Kind, err)
	}
	n.count(m.Kind, "sent")
	n.log.Info("transactional message sent", "kind", m.Kind, "customer", m.CustomerID)
	return nil
}

func (n *mailNotifier) count(kind, result string) {
	if n.sent != nil {
		n.sent.WithLabelValues(kind, result).Inc()
	}
}

// notifier builds the web pages' transactional sender over the process's
// SMTP pool and provider rate.
func (a *app) notifier() (*mailNotifier, error) {
	s, err := a.sender()
	if err != nil {
		return nil, err
	}
	rdb, err := a.redis()
	if err != nil {
		return nil, err
	}
	b := a.cfg.Business
	n := &mailNotifier{
		sender: s, from: b.From, replyTo: b.ReplyTo, domain: fromDomain(b.From),
		now: a.now, log: a.logger, sent: a.transactionalCounter(),
	}
	if r := a.providerRate(rdb); r != nil {
		n.rate = r
	}
	return n, nil
}

// transactionalCounter counts transactional messages by kind and result on
// the process's registry.
func (a *app) transactionalCounter() *prometheus.CounterVec {
	a.metricsOf()
	c := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "courtesy_transactional_messages_total",
		Help: "Transactional messages (fresh links, sign-up confirmations) by kind and result.",
	}, []string{"kind", "result"})
	if err := a.registry.Register(c); err != nil {
		if are, ok := err.(prometheus.AlreadyRegisteredError); ok {
			if existing, ok := are.ExistingCollector.(*prometheus.CounterVec); ok {
				return existing
			}
		}
		a.logger.Warn("transactional metrics", "err", err)
	}
	return c
}

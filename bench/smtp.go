package main

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/courtesyhq/courtesy/campaigns"
	"github.com/courtesyhq/courtesy/consent"
	"github.com/courtesyhq/courtesy/lint"
	"github.com/courtesyhq/courtesy/mailer"
	"github.com/courtesyhq/courtesy/templates"
)

// renderMessages renders n birthday messages the way the pipeline does —
// template, signed links, footer — so the raw SMTP run sends the same bytes
// without any of the pipeline around it.
func renderMessages(shop lint.Result, signer *consent.Signer, n int) ([]*mailer.Message, error) {
	var c *campaigns.Campaign
	for _, cc := range shop.Campaigns {
		if cc.Kind == campaigns.Birthday {
			c = cc
		}
	}
	if c == nil {
		return nil, fmt.Errorf("the bench shop has no birthday campaign")
	}
	b := shop.Config.Business
	out := make([]*mailer.Message, n)
	for i := range out {
		id := custID(i)
		key := c.ID + ":" + id + ":2026"
		links := signer.Links(b.BaseURL, id, c.Purpose, key, simDay)
		r, err := c.Template("").Render(templates.Data{
			Customer: templates.Customer{ID: id, FirstName: "Alex", LastName: fmt.Sprintf("Baker%d", i), Locale: "en-GB"},
			Business: templates.Business{Name: b.Name, PostalAddress: b.PostalAddress},
			Campaign: templates.Campaign{ID: c.ID, Name: c.Name},
			Links:    templates.Links{Unsubscribe: links.Unsubscribe, Preferences: links.Preferences, Why: links.Why, Survey: links.Survey},
		})
		if err != nil {
			return nil, err
		}
		out[i] = &mailer.Message{
			From: b.From, ReplyTo: b.ReplyTo, To: fmt.Sprintf("person%d@example.org", i),
			ToName: strings.TrimSpace(fmt.Sprintf("Alex Baker%d", i)), Subject: r.Subject, Text: r.Text, HTML: r.HTML,
			MessageID: mailer.NewMessageID("crumb.example"), Date: simDay, UnsubscribeURL: links.Unsubscribe,
			Headers: map[string]string{"X-Courtesy-Campaign": c.ID},
		}
	}
	return out, nil
}

// runRawSMTP sends msgs through the mailer's pool of reused connections from
// concurrency goroutines: the ceiling the pipeline's sending can reach.
func runRawSMTP(ctx context.Context, sinkURL string, msgs []*mailer.Message, conns, concurrency int, dkim *mailer.DKIM) (result, error) {
	s, err := mailer.Open(sinkURL, mailer.Config{MaxConnections: conns, HelloName: "crumb.example", DKIM: dkim})
	if err != nil {
		return result{}, err
	}
	defer s.Close()
	next := make(chan *mailer.Message, len(msgs))
	for _, m := range msgs {
		next <- m
	}
	close(next)
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	m := startMeter(nil)
	for range concurrency {
		wg.Go(func() {
			for msg := range next {
				if err := s.Send(ctx, msg); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
					return
				}
			}
		})
	}
	wg.Wait()
	r := m.stop("raw SMTP", len(msgs))
	return r, first
}

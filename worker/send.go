package worker

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/campaigns"
	"github.com/courtesyhq/courtesy/mailer"
	"github.com/courtesyhq/courtesy/store"
	"github.com/courtesyhq/courtesy/templates"
	"github.com/courtesyhq/courtesy/throttle"
	"github.com/courtesyhq/courtesy/tone"
)

// compose renders the message and checks its tone. goOn comes with the
// message to send; any other verdict says why it must not go.
func (p *Pipeline) compose(ctx context.Context, j *job) (*mailer.Message, verdict) {
	b := p.cfg.Business
	links := p.cfg.Signer.Links(b.BaseURL, j.customer.ID, j.campaign.Purpose, j.msg.Key, j.now)
	data := templates.Data{
		Customer: templates.Customer{ID: j.customer.ID, FirstName: j.customer.FirstName, LastName: j.customer.LastName, Locale: j.customer.Locale},
		Business: templates.Business{Name: b.Name, PostalAddress: b.PostalAddress},
		Campaign: templates.Campaign{ID: j.campaign.ID, Name: j.campaign.Name},
		Links:    templates.Links{Unsubscribe: links.Unsubscribe, Preferences: links.Preferences, Why: links.Why, Survey: links.Survey},
	}
	// Invariant 12: the customer's locale picks the whole message, footer
	// included, or none of it.
	tpl := j.campaign.Message(j.msg.Variant, j.customer.Locale)
	data.Campaign.Name = j.campaign.NameIn(tpl.Lang().String())
	if j.detail.EventID != 0 && j.campaign.Kind == campaigns.InterestReminder {
		ev, err := p.event(ctx, j)
		if err != nil {
			return nil, stall(fmt.Errorf("load item: %w", err))
		}
		data.Item = templates.Item{ID: ev.ItemID, Name: ev.ItemName, URL: ev.ItemURL}
	}
	out, err := tpl.Render(data)
	if err != nil {
		j.detail.Error = err.Error()
		return nil, decide(courtesy.Decision{Outcome: courtesy.Failed, Reason: "render"})
	}
	if checker := p.cfg.Tone[string(j.campaign.Tone)]; checker != nil {
		// The checker reads what the shop wrote, not the footer courtesy
		// adds: the footer's fixed words are not the shop's voice, and a
		// model reading the last sentence beside them would judge words
		// no marketer chose. The footer names the business on every
		// message, so the sender rule, which lint applies to the
		// template, has nothing to find here.
		tc := tone.Context{
			Kind:      string(j.campaign.Kind),
			StockData: j.campaign.StockData,
			Personal:  []string{j.customer.FirstName, j.customer.LastName, data.Item.Name},
			Lang:      out.Lang, // invariant 12: the rules of the message's own language
			Allow:     tone.Allows(j.campaign.ToneAllow),
		}
		if f, held := checker.Held(tc, out.Subject+"\n\n"+out.Body); held {
			j.detail.Finding = fmt.Sprintf("%s: %s (%q)", f.Rule, f.Message, f.Match)
			return nil, decide(courtesy.Decision{Outcome: courtesy.Held, Reason: "tone:" + f.Rule})
		}
	}
	m := &mailer.Message{
		From:           b.From,
		ReplyTo:        b.ReplyTo,
		To:             j.customer.Email,
		ToName:         strings.TrimSpace(j.customer.FirstName + " " + j.customer.LastName),
		Subject:        out.Subject,
		Text:           out.Text,
		HTML:           out.HTML,
		Language:       out.Lang,
		MessageID:      mailer.NewMessageID(b.Domain),
		Date:           j.now,
		UnsubscribeURL: links.Unsubscribe,
		ReturnPath:     b.envelopeFrom(j.msg.Key),
		Headers: map[string]string{
			"X-Courtesy-Campaign": j.campaign.ID,
		},
	}
	return m, verdict{}
}

// send renders and checks the message, then hands it to SMTP, claiming it
// just before the final "."; the verdict says what became of it.
func (p *Pipeline) send(ctx context.Context, j *job) verdict {
	if err := ctx.Err(); err != nil {
		return stall(err) // the worker is stopping: the message waits for the next
	}
	m, v := p.compose(ctx, j)
	if v.kind != goOn {
		return v
	}
	j.msg.MessageID, j.msg.Subject = m.MessageID, m.Subject
	if p.cfg.Rate != nil {
		if err := p.cfg.Rate.Wait(ctx); err != nil {
			return stall(fmt.Errorf("wait for the provider's rate: %w", err))
		}
	}
	m.Commit = func(ctx context.Context) error { return p.claim(ctx, j) }
	err := p.cfg.Sender.Send(ctx, m)
	var stop *stopped
	switch {
	case err == nil:
		return decide(courtesy.Decision{Outcome: courtesy.Sent})
	case errors.As(err, &stop):
		return stop.v // the claim stopped it: nothing was sent
	case errors.Is(err, mailer.ErrAbandoned):
		// The claim itself failed (the database did not answer): the
		// server was left without the final ".", so try again later.
		return verdict{kind: retry, err: err}
	}
	return p.sendFailed(ctx, j, err)
}

// stopped is the claim's answer when the message must not go after all:
// the verdict to record instead. Nothing was sent.
type stopped struct{ v verdict }

func (s *stopped) Error() string {
	if s.v.kind == settled {
		return "the message was decided by another attempt"
	}
	return "a last check stopped the message: " + s.v.decision.String()
}

// claim is the message's commit. Invariant 3: the key is claimed at the
// last moment the message can still be withdrawn — its data is with the
// server, the final "." not yet sent — so a worker that dies before then
// leaves nothing delivered and the message is simply tried again, and one
// that dies after it leaves a claim that is never sent twice. What the
// claim reads (the ledger, the suppressions, the pauses and the send log,
// in which every claimed message stands) may still stop the message.
func (p *Pipeline) claim(ctx context.Context, j *job) error {
	res, claim, err := p.cfg.Store.ClaimForSend(ctx, j.msg.Key, j.now, j.now.Add(-p.logSpan(j.campaign)))
	if err != nil {
		return fmt.Errorf("claim: %w", err)
	}
	if res != store.Claimed {
		return &stopped{verdict{kind: settled}} // another attempt decided it
	}
	if v, ok := p.lastCheck(j, claim, p.cfg.Now()); ok {
		return &stopped{v}
	}
	// Invariant 4 again: a message reserved but not yet claimed is in
	// Redis only, and Redis may have lost it since, letting another
	// through. The store's log has every message claimed, this check's
	// turn among them taken under the claim.
	if r := throttle.Fits(j.limits, j.campaign.ID, j.msg.Key, j.now, claim.Sent); !r.OK {
		return &stopped{p.refused(j, r)}
	}
	return nil
}

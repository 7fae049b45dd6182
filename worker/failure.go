package worker

import (
	"context"
	"fmt"

	"github.com/hibiken/asynq"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/mailer"
)

// sendFailed says what an SMTP failure means: a temporary one is tried
// again; a permanent one is final, and a bad mailbox suppresses the
// address; a message sent in full without a reply may have gone, and is
// never sent again.
func (p *Pipeline) sendFailed(ctx context.Context, j *job, sendErr error) verdict {
	j.detail.Error = sendErr.Error()
	if mailer.IsUnknownOutcome(sendErr) {
		return decide(courtesy.Decision{Outcome: courtesy.Failed, Reason: courtesy.ReasonUnknownOutcome})
	}
	if mailer.IsTemporary(sendErr) && !j.lastTry {
		return verdict{kind: retry, err: fmt.Errorf("temporary SMTP failure: %w", sendErr)}
	}
	if mailer.IsAddressFailure(sendErr) {
		if err := p.cfg.Store.AddSuppression(ctx, courtesy.Suppression{
			EmailHash: p.cfg.Store.Fingerprint(j.customer.Email), Reason: "hard-bounce", Source: "smtp",
			Detail: sendErr.Error(), At: j.now,
		}); err != nil {
			p.cfg.Logger.Error("suppress bounced address", "customer", j.customer.ID, "err", err)
		}
	}
	reason := "rejected"
	if mailer.IsTemporary(sendErr) {
		reason = "temporary-retries-exhausted"
	}
	v := decide(courtesy.Decision{Outcome: courtesy.Failed, Reason: reason})
	v.err = fmt.Errorf("permanent SMTP failure: %v: %w", sendErr, asynq.SkipRetry)
	return v
}

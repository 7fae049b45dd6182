package worker

import (
	"context"
	"log/slog"

	"github.com/courtesyhq/courtesy/throttle"
)

// reservation is a message's place in its customer's frequency windows,
// from the moment it is reserved until the message has gone, or will not
// go. It is the one owner of that place: reserve makes it, settle keeps it
// for a message that went (or may have) and gives it back otherwise.
type reservation struct {
	limiter  Limiter
	customer string
	key      string
}

// reserveAll asks for room for every request in one call when the limiter
// can take them together, and one request at a time otherwise.
func reserveAll(ctx context.Context, l Limiter, rs []throttle.Request) ([]throttle.Reservation, error) {
	if b, ok := l.(BatchLimiter); ok && len(rs) > 1 {
		return b.ReserveAll(ctx, rs)
	}
	out := make([]throttle.Reservation, len(rs))
	for i, r := range rs {
		res, err := l.Reserve(ctx, r)
		if err != nil {
			return nil, err
		}
		out[i] = res
	}
	return out, nil
}

// settle keeps the place when the verdict says the message went, or may
// have, and gives it back otherwise.
func (r *reservation) settle(ctx context.Context, v verdict, log *slog.Logger) {
	if r == nil || v.keepsSlot() {
		return
	}
	// Given back even when the task is cancelled: a place kept for a
	// message that did not go would hold the customer's window shut.
	if err := r.limiter.Release(context.WithoutCancel(ctx), r.customer, r.key); err != nil {
		log.Warn("release reservation", "key", r.key, "err", err)
	}
}

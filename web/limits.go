package web

import (
	"context"
	"net/http"
	"time"
)

// Quota is a number of events in a window of time.
type Quota struct {
	Count  int
	Window time.Duration
}

// Counter counts events per key in windows shared by every web process
// (Redis: throttleredis.Counter), so a limit per customer holds however the
// requests are spread.
type Counter interface {
	Take(ctx context.Context, key string, limit int, window time.Duration, now time.Time) (bool, error)
}

// customerAllows counts one POST made with a customer's link and reports
// whether it is within Config.CustomerLimit. When the count cannot be
// taken the request goes ahead: an opt-out must not wait for Redis.
func (s *Server) customerAllows(r *http.Request, customerID string) bool {
	if s.deps.Counter == nil {
		return true
	}
	q := s.cfg.CustomerLimit
	ok, err := s.deps.Counter.Take(r.Context(), counterPost+customerID, q.Count, q.Window, s.now())
	if err != nil {
		s.cfg.Logger.Warn("per-customer limit not counted; letting the request through", "err", err)
		return true
	}
	return ok
}

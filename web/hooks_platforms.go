package web

import (
	"context"
	"errors"
	"io"
	"net/http"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/consent"
	"github.com/courtesyhq/courtesy/integrations"
	"github.com/courtesyhq/courtesy/store"
)

// DeliveryStore keeps the deliveries of the shop platforms' webhooks, once
// each and whole.
type DeliveryStore interface {
	RecordDelivery(ctx context.Context, d courtesy.Delivery,
		applies func(ledger []courtesy.ConsentRecord, r courtesy.ConsentRecord) bool) (courtesy.DeliveryOutcome, error)
}

var _ DeliveryStore = (*store.DB)(nil)

// platformRoutes registers POST /hooks/<platform> for each platform.
func (s *Server) platformRoutes() {
	for _, p := range []integrations.Platform{integrations.Shopify, integrations.WooCommerce, integrations.Stripe} {
		s.mux.HandleFunc("POST /hooks/"+p.Name, s.platformHook(p))
	}
}

// deliveryResult answers a platform; it reads only the status, people
// testing a webhook read the rest.
type deliveryResult struct {
	Recorded  bool `json:"recorded"`
	Duplicate bool `json:"duplicate,omitempty"`
}

// platformHook takes one platform's webhook. The order matters: a platform
// that is off answers as an unknown address does; the signature is checked
// over the raw body before any of it is read; the delivery is kept, in one
// durable transaction that also records its id, before the 200, so a
// delivery the platform sends again (it does whenever it missed the answer)
// finds its id and writes nothing.
func (s *Server) platformHook(p integrations.Platform) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		set := s.cfg.Integrations[p.Name]
		if set.Secret == "" || s.deps.Deliveries == nil {
			s.notFound(w, r)
			return
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			s.failJSON(w, r, err) // 413 past MaxBody
			return
		}
		d, err := p.Read(r.Header, body, set, s.now())
		switch {
		case errors.Is(err, integrations.ErrSignature):
			s.refuseDelivery(w, r, http.StatusUnauthorized, err)
			return
		case err != nil:
			s.refuseDelivery(w, r, http.StatusBadRequest, err)
			return
		case d.ID == "":
			writeJSON(w, http.StatusOK, deliveryResult{})
			return
		}
		out, err := s.deps.Deliveries.RecordDelivery(r.Context(), d, consent.PlatformRecordApplies)
		if err != nil {
			s.failJSON(w, r, err) // 5xx: the platform delivers it again
			return
		}
		s.cfg.Logger.Info("webhook delivery", "route", r.Pattern, "duplicate", out.Duplicate, "erased", out.Erased,
			"customer", out.CustomerID, "created", out.CustomerCreated, "events", out.EventsAdded, "consents", out.ConsentsAdded)
		writeJSON(w, http.StatusOK, deliveryResult{Recorded: !out.Duplicate, Duplicate: out.Duplicate})
	}
}

// refuseDelivery answers a delivery courtesy will not take and logs why,
// for the owner setting up the webhook. The reason names fields, never
// their values.
func (s *Server) refuseDelivery(w http.ResponseWriter, r *http.Request, code int, err error) {
	s.cfg.Logger.Warn("webhook delivery refused", "route", r.Pattern, "status", code, "reason", err)
	writeJSON(w, code, map[string]string{"error": http.StatusText(code)})
}

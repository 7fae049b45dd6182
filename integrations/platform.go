package integrations

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/courtesyhq/courtesy"
)

// Errors a caller answers by kind; returned errors wrap them with the
// reason, which the caller logs.
var (
	// ErrSignature is a delivery whose signature is missing, malformed,
	// stale or made with another secret: nothing in it may be believed.
	ErrSignature = errors.New("signature does not verify")
	// ErrMalformed is a correctly signed delivery that is not what the
	// platform documents.
	ErrMalformed = errors.New("malformed delivery")
)

// Settings are the owner's choices for one platform.
type Settings struct {
	// Secret signs the platform's deliveries. Empty means the platform is
	// off: its endpoint answers as if it did not exist.
	Secret string
	// ConsentPurposes are the purposes the platform's marketing flag grants,
	// and its "unsubscribed" withdraws. Defaults to none: the flag then
	// records nothing, and consent comes only from the person's own acts.
	ConsentPurposes []string
	// Topics are the webhook topics taken; the others are answered and
	// ignored. Defaults to the platform's DefaultTopics.
	Topics []string
	// MarketingField is, for WooCommerce, the order meta_data key a
	// checkout plugin stores its marketing checkbox under; WooCommerce has
	// none of its own. Defaults to none.
	MarketingField string
}

// Platform is one source of webhooks.
type Platform struct {
	// Name is the source recorded with what it delivers: "shopify",
	// "woocommerce" or "stripe".
	Name string
	// DefaultTopics are taken when Settings.Topics is empty; Topics lists
	// every topic the platform can be set to take.
	DefaultTopics, Topics []string

	verify func(secret []byte, h http.Header, body []byte, now time.Time) error
	parse  func(h http.Header, body []byte, s Settings, now time.Time) (courtesy.Delivery, error)
}

// Platforms lists every platform, by name.
var Platforms = map[string]Platform{
	Shopify.Name:     Shopify,
	WooCommerce.Name: WooCommerce,
	Stripe.Name:      Stripe,
}

// Read verifies a delivery and parses it. A delivery with nothing to record
// (a ping, a topic not taken) is a Delivery with an empty ID. now is the
// time the delivery was received.
func (p Platform) Read(h http.Header, body []byte, s Settings, now time.Time) (courtesy.Delivery, error) {
	if s.Secret == "" {
		return courtesy.Delivery{}, fmt.Errorf("%s: no secret: %w", p.Name, ErrSignature)
	}
	if err := p.verify([]byte(s.Secret), h, body, now); err != nil {
		return courtesy.Delivery{}, fmt.Errorf("%s: %w", p.Name, err)
	}
	d, err := p.parse(h, body, s, now)
	if err != nil {
		return courtesy.Delivery{}, fmt.Errorf("%s: %w", p.Name, err)
	}
	if d.ID != "" {
		d.Source, d.ReceivedAt = p.Name, now
	}
	return d, nil
}

// takes reports whether the owner's settings take a topic; defaults are
// the platform's DefaultTopics.
func takes(s Settings, defaults []string, topic string) bool {
	if len(s.Topics) == 0 {
		return slices.Contains(defaults, topic)
	}
	return slices.Contains(s.Topics, topic)
}

// malformed wraps a reason as ErrMalformed.
func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrMalformed, fmt.Sprintf(format, args...))
}

// flagConsents turns a platform's marketing flag into one record per
// mapped purpose: granted or withdrawn as the flag says, with the
// platform's own words as the notice and its time, never later than now.
// An empty status, or no mapped purpose, is no record at all.
func flagConsents(s Settings, status courtesy.ConsentStatus, notice string, at, now time.Time) []courtesy.ConsentRecord {
	if status == "" {
		return nil
	}
	if at.IsZero() || at.After(now) {
		at = now
	}
	var out []courtesy.ConsentRecord
	for _, p := range s.ConsentPurposes {
		out = append(out, courtesy.ConsentRecord{Purpose: p, Status: status, Basis: "consent", Notice: notice,
			RecordedAt: at.UTC()})
	}
	return out
}

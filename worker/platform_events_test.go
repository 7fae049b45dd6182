package worker_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/courtesyhq/courtesy/integrations"
	"github.com/courtesyhq/courtesy/integrations/integrationstest"
	"github.com/courtesyhq/courtesy/web"
)

const shopSecret = "shpss_0123456789abcdef0123456789abcdef"

// shopifyHooks serves the real webhook endpoint over the env's store and
// clock, Shopify's marketing flag mapped to purposes.
func (e *env) shopifyHooks(purposes ...string) *httptest.Server {
	return e.serveWeb(func(c *web.Config) {
		c.Integrations = map[string]integrations.Settings{"shopify": {Secret: shopSecret, ConsentPurposes: purposes}}
	})
}

// deliverShopifyOrder posts the committed orders/create fixture, signed as
// Shopify signs it, with the webhook id id.
func (e *env) deliverShopifyOrder(srv *httptest.Server, id string) {
	e.t.Helper()
	body, err := os.ReadFile(filepath.Join("..", "integrations", "testdata", "shopify", "orders-create.json"))
	if err != nil {
		e.t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/hooks/shopify", bytes.NewReader(body))
	req.Header = integrationstest.Shopify(shopSecret, "orders/create", id, body)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		e.t.Fatalf("POST /hooks/shopify: %s", resp.Status)
	}
}

// surveys returns the survey decisions of the Shopify buyer.
func surveysOf(got map[string]string) map[string]string {
	out := map[string]string{}
	for k, d := range got {
		if strings.HasPrefix(k, "after-purchase-survey:shopify-115310627314723954:") {
			out[k] = d
		}
	}
	return out
}

func TestShopifyOrderBringsOneSurvey(t *testing.T) {
	e := newEnv(t, options{more: []string{surveyYAML}})
	hooks := e.shopifyHooks("surveys")
	e.clock.Set(mustTime(t, "2026-11-20T15:20:00Z"))
	e.deliverShopifyOrder(hooks, "b54557e4-bdd9")
	e.deliverShopifyOrder(hooks, "b54557e4-bdd9") // Shopify's retry
	got := surveysOf(e.runAt("2026-11-23T10:00:00Z"))
	if len(got) != 1 {
		t.Fatalf("survey decisions two days after the order: %v, want one", got)
	}
	for k, d := range got {
		if d != "sent" {
			t.Errorf("%s: %s, want sent", k, d)
		}
	}
	msgs := e.sink.Messages()
	if len(msgs) != 1 || !strings.Contains(strings.Join(msgs[0].To, ","), "ada@example.org") ||
		!strings.Contains(string(msgs[0].Data), "Hello Ada") {
		t.Fatalf("sink holds %d messages; want the survey to ada@example.org", len(msgs))
	}
	// The same order under another webhook id (orders/paid, say) is the
	// same purchase: no second survey.
	e.deliverShopifyOrder(hooks, "another-webhook-id")
	e.runAt("2026-11-24T10:00:00Z", "2026-11-25T10:00:00Z")
	if e.sink.Count() != 1 {
		t.Errorf("the order delivered again brought %d messages", e.sink.Count())
	}
}

func TestShopifyOrderWithoutMappedConsentBringsNoSurvey(t *testing.T) {
	e := newEnv(t, options{more: []string{surveyYAML}})
	hooks := e.shopifyHooks() // the flag says "subscribed"; the owner mapped it to nothing
	e.clock.Set(mustTime(t, "2026-11-20T15:20:00Z"))
	e.deliverShopifyOrder(hooks, "b54557e4-bdd9")
	got := surveysOf(e.runAt("2026-11-23T10:00:00Z"))
	if len(got) != 1 {
		t.Fatalf("survey decisions: %v, want the purchase's one", got)
	}
	for k, d := range got {
		if d != "suppressed:no-consent" {
			t.Errorf("%s: %s, want suppressed:no-consent", k, d)
		}
	}
	if e.sink.Count() != 0 {
		t.Errorf("sink received %d messages", e.sink.Count())
	}
}

func TestEveryProductOfAPlatformOrderCountsAsBought(t *testing.T) {
	e := newEnv(t, options{more: []string{reminderYAML, surveyYAML}})
	hooks := e.serveWeb(func(c *web.Config) {
		c.APIKeys = []string{"test-key-0123456789"}
		c.Integrations = map[string]integrations.Settings{"shopify": {Secret: shopSecret, ConsentPurposes: []string{"reminders", "surveys"}}}
	})
	e.clock.Set(mustTime(t, "2026-11-20T15:20:00Z"))
	e.deliverShopifyOrder(hooks, "b54557e4-bdd9")
	// She had saved the cinnamon bun, the order's second product, the day before.
	e.postEvent(hooks, `{"customer_id":"shopify-115310627314723954","type":"interest","item_id":"921728736","item_name":"Cinnamon bun","occurred_at":"2026-11-19T09:00:00Z"}`)
	got := e.runAt("2026-11-22T10:00:00Z")
	if d, ok := got["saved-reminder:shopify-115310627314723954:i921728736"]; ok && d != "suppressed:purchased" {
		t.Errorf("reminder about a product she bought: %s", d)
	}
	if n := e.sentBy("saved-reminder"); n != 0 {
		t.Errorf("%d reminders went out for a product in her order", n)
	}
}

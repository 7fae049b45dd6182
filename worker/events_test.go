package worker_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/consent"
	"github.com/courtesyhq/courtesy/web"
)

const reminderYAML = `id: saved-reminder
name: Saved-item reminder
kind: interest_reminder
purpose: reminders
priority: 5
send:
  at: "10:00"
  window: 8h
trigger:
  event: interest
  after: 3d
expires: 14d
template:
  subject: "{{.Item.Name}} is still on our shelf"
  text: reminder.txt
tone: informative
`

const surveyYAML = `id: after-purchase-survey
name: How did we do?
kind: nps_survey
purpose: surveys
priority: 1
send:
  at: "10:00"
  window: 8h
trigger:
  event: purchase
  after: 2d
expires: 7d
fatigue: 90d
template:
  subject: "One quick question from Crumb & Co."
  text: survey.txt
tone: neutral
`

// shopAPI serves the real ingest API over the env's store and clock.
func (e *env) shopAPI() *httptest.Server {
	return e.serveWeb(func(c *web.Config) { c.APIKeys = []string{"test-key-0123456789"} })
}

// serveWeb serves the real web front over the env's store and clock, its
// config set by with.
func (e *env) serveWeb(with func(*web.Config)) *httptest.Server {
	e.t.Helper()
	cfg := web.Config{
		BaseURL:      "https://crumb.example",
		BusinessName: "Crumb & Co. Bakery",
		Purposes:     consent.Purposes{{ID: "reminders", Title: "Reminders"}, {ID: "surveys", Title: "Surveys"}},
		Now:          e.clock.Now,
	}
	with(&cfg)
	srv := httptest.NewServer(web.New(cfg, web.Deps{Store: e.db, Signer: e.signer}))
	e.t.Cleanup(srv.Close)
	return srv
}

func (e *env) postEvent(srv *httptest.Server, body string) {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/v1/events", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer test-key-0123456789")
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		e.t.Fatalf("POST /api/v1/events %s: %s", body, resp.Status)
	}
}

// runAt plans and works at each time and returns every decision taken,
// by key.
func (e *env) runAt(times ...string) map[string]string {
	e.t.Helper()
	out := map[string]string{}
	for _, at := range times {
		e.clock.Set(mustTime(e.t, at))
		keys := e.plan()
		e.work(keys)
	}
	msgs, err := e.db.Messages(context.Background(), courtesy.Filter{})
	if err != nil {
		e.t.Fatal(err)
	}
	for _, m := range msgs {
		out[m.Key] = m.Decision.String()
	}
	return out
}

func reminderEnv(t *testing.T) (*env, *httptest.Server) {
	e := newEnv(t, options{more: []string{reminderYAML, surveyYAML}})
	e.customer("c1", "ann@example.com", "Ann", "", "Europe/London")
	e.consent("c1", "reminders", courtesy.Granted, signedUp)
	e.consent("c1", "surveys", courtesy.Granted, signedUp)
	return e, e.shopAPI()
}

const (
	interestSourdough = `{"customer_id":"c1","type":"interest","item_id":"sourdough","item_name":"Sourdough loaf","item_url":"https://crumb.example/shop/sourdough","occurred_at":"2026-11-20T09:00:00Z"}`
	buySourdough      = `{"customer_id":"c1","type":"purchase","item_id":"sourdough","item_name":"Sourdough loaf","order_id":"o-1","amount":"4.50","occurred_at":"%s"}`
)

func TestInterestBringsOneReminderAfterThreeDays(t *testing.T) {
	e, api := reminderEnv(t)
	e.postEvent(api, interestSourdough)
	got := e.runAt("2026-11-22T10:00:00Z", "2026-11-23T08:30:00Z")
	if len(got) != 0 {
		t.Fatalf("before three days have passed: %v", got)
	}
	got = e.runAt("2026-11-23T10:00:00Z")
	if got["saved-reminder:c1:isourdough"] != "sent" || len(got) != 1 {
		t.Fatalf("three days after the interest: %v", got)
	}
	msgs := e.sink.Messages()
	if len(msgs) != 1 || !strings.Contains(string(msgs[0].Data), "Sourdough loaf") || !strings.Contains(msgs[0].Header.Get("Subject"), "Sourdough loaf") {
		t.Errorf("the reminder does not name the item")
	}
	// Saving the same item again brings no second reminder, ever.
	e.postEvent(api, strings.Replace(interestSourdough, "2026-11-20T09:00:00Z", "2026-11-24T09:00:00Z", 1))
	e.runAt("2026-11-27T10:00:00Z", "2026-11-28T10:00:00Z")
	if e.sink.Count() != 1 {
		t.Errorf("a second interest in the same item brought %d messages", e.sink.Count())
	}
}

func TestPurchaseBeforeTheReminderMeansNone(t *testing.T) {
	e, api := reminderEnv(t)
	e.postEvent(api, interestSourdough)
	e.postEvent(api, strings.Replace(buySourdough, "%s", "2026-11-21T12:00:00Z", 1))
	got := e.runAt("2026-11-23T10:00:00Z")
	if d, ok := got["saved-reminder:c1:isourdough"]; ok && d != "suppressed:purchased" {
		t.Errorf("reminder decision %q", d)
	}
	if n := e.sentBy("saved-reminder"); n != 0 {
		t.Errorf("%d reminders went out for an item already bought", n)
	}
}

// sentBy counts the messages of a campaign the sink received.
func (e *env) sentBy(campaign string) int {
	n := 0
	for _, m := range e.sink.Messages() {
		if m.Header.Get("X-Courtesy-Campaign") == campaign {
			n++
		}
	}
	return n
}

func TestPurchaseAfterTheReminderWasQueued(t *testing.T) {
	e, api := reminderEnv(t)
	e.postEvent(api, interestSourdough)
	e.clock.Set(mustTime(t, "2026-11-23T10:00:00Z"))
	keys := e.plan() // queued …
	e.postEvent(api, strings.Replace(buySourdough, "%s", "2026-11-23T10:00:01Z", 1))
	e.work(keys) // … and the worker runs after the purchase
	if got := e.decision("saved-reminder:c1:isourdough"); got != "suppressed:purchased" {
		t.Errorf("decision = %q, want suppressed:purchased", got)
	}
	if e.sink.Count() != 0 {
		t.Errorf("sink received %d", e.sink.Count())
	}
}

func TestPurchaseBringsOneSurveyPerFatigueWindow(t *testing.T) {
	e, api := reminderEnv(t)
	e.postEvent(api, strings.Replace(buySourdough, "%s", "2026-11-20T12:00:00Z", 1))
	got := e.runAt("2026-11-21T10:00:00Z")
	if len(got) != 0 {
		t.Fatalf("a day after the purchase: %v", got)
	}
	got = e.runAt("2026-11-23T10:00:00Z")
	if got["after-purchase-survey:c1:oo-1"] != "sent" {
		t.Fatalf("two days after: %v", got)
	}
	msgs := e.sink.Messages()
	// Undo quoted-printable's soft breaks and "=" escapes.
	body := strings.NewReplacer("=\r\n", "", "=3D", "=").Replace(string(msgs[len(msgs)-1].Data))
	for score := 0; score <= 10; score++ {
		if !strings.Contains(body, "score="+strconv.Itoa(score)) {
			t.Errorf("the survey lacks the link for score %d", score)
		}
	}
	// A second purchase inside the 90-day window brings no second survey.
	e.postEvent(api, strings.Replace(strings.Replace(buySourdough, "o-1", "o-2", 1), "%s", "2026-12-10T12:00:00Z", 1))
	// Due two days later, at the next 10:00: 13 December.
	got = e.runAt("2026-12-13T10:00:00Z")
	if got["after-purchase-survey:c1:oo-2"] != "suppressed:fatigue" {
		t.Errorf("second purchase inside the fatigue window: %v", got)
	}
	surveys := 0
	for _, m := range e.sink.Messages() {
		if m.Header.Get("X-Courtesy-Campaign") == "after-purchase-survey" {
			surveys++
		}
	}
	if surveys != 1 {
		t.Errorf("%d surveys sent, want 1", surveys)
	}
}

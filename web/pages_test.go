package web

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/privacy"
	"github.com/courtesyhq/courtesy/store"
)

func TestSurvey(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	links := e.surveyLinks()
	for n, link := range links.Survey {
		res := e.get(link)
		if res.code != http.StatusOK {
			t.Fatalf("GET score %d: status %d", n, res.code)
		}
		if want := `value="` + strconv.Itoa(n) + `" checked`; !strings.Contains(res.body, want) {
			t.Errorf("GET score %d: the score is not pre-selected", n)
		}
	}
	if got, _ := e.st.Answers(ctx, courtesy.Filter{CustomerID: custID}); len(got) != 0 {
		t.Fatalf("GETs recorded %d answers; a GET must record nothing", len(got))
	}
	post := pathOf(t, links.Survey[0])
	if res := e.postForm(e.ts.URL+post, url.Values{"comment": {"no score"}}); res.code != http.StatusUnprocessableEntity {
		t.Errorf("POST without a score: %d, want 422", res.code)
	}
	res := e.postForm(e.ts.URL+post, url.Values{"score": {"3"}, "comment": {"Cake was dry."}})
	if res.code != http.StatusOK || !strings.Contains(res.body, "mailto:hello@crumb.example") {
		t.Errorf("detractor POST: %d, offer to reach a person shown: %v", res.code, strings.Contains(res.body, "mailto:"))
	}
	e.clock.Add(time.Minute)
	res = e.postForm(e.ts.URL+post, url.Values{"score": {"9"}})
	if res.code != http.StatusOK || strings.Contains(res.body, "sorry") {
		t.Errorf("promoter POST: %d", res.code)
	}
	got, err := e.st.Answers(ctx, courtesy.Filter{CustomerID: custID})
	if err != nil {
		t.Fatal(err)
	}
	want := []courtesy.Answer{{MessageKey: surveyKey, CustomerID: custID, CampaignID: "nps-after-purchase", Variant: "a", Score: 9, At: start.Add(time.Minute)}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("answers after two POSTs (-want +got):\n%s", diff)
	}
}

func apiPost(e *env, path, key, body string) response {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.ts.URL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	return e.do(req)
}

func TestAPI(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name     string
		path     string
		key      string
		body     string
		wantCode int
		wantBody []string
	}{
		{name: "no key", path: "/api/v1/customers", body: `{"id":"x","email":"x@example.com"}`, wantCode: 401},
		{name: "wrong key", path: "/api/v1/customers", key: "nope", body: `{"id":"x","email":"x@example.com"}`, wantCode: 401},
		{name: "too large", path: "/api/v1/customers", key: apiKey, body: `[` + strings.Repeat(`{"id":"x","email":"x@example.com"},`, 3000) + `{}]`, wantCode: 413},
		{name: "bad email names field and index", path: "/api/v1/customers", key: apiKey,
			body: `[{"id":"a","email":"a@example.com"},{"id":"b","email":"not-an-address"}]`, wantCode: 422,
			wantBody: []string{`"index": 1`, `"field": "email"`}},
		{name: "bad timezone", path: "/api/v1/customers", key: apiKey, body: `{"id":"a","email":"a@example.com","timezone":"Mars/Olympus"}`, wantCode: 422, wantBody: []string{`"field": "timezone"`}},
		{name: "bad locale", path: "/api/v1/customers", key: apiKey, body: `{"id":"a","email":"a@example.com","locale":"English please"}`, wantCode: 422, wantBody: []string{`"field": "locale"`, "BCP 47"}},
		{name: "bad birthday", path: "/api/v1/customers", key: apiKey, body: `{"id":"a","email":"a@example.com","birthday":"02-30"}`, wantCode: 422, wantBody: []string{`"field": "birthday"`}},
		{name: "unknown field", path: "/api/v1/customers", key: apiKey, body: `{"id":"a","email":"a@example.com","age":41}`, wantCode: 422, wantBody: []string{`"field": "age"`}},
		{name: "wrong type", path: "/api/v1/customers", key: apiKey, body: `{"id":7,"email":"a@example.com"}`, wantCode: 422, wantBody: []string{`"field": "id"`}},
		{name: "customer batch", path: "/api/v1/customers", key: apiKey,
			body:     `[{"id":"b1","email":"b1@example.com","birthday":"1990-07-04","timezone":"America/New_York"},{"id":"b2","email":"b2@example.com"}]`,
			wantCode: 200, wantBody: []string{`"accepted": 2`}},
		{name: "consent batch", path: "/api/v1/consents", key: apiKey,
			body:     `[{"customer_id":"b1","purpose":"birthday","status":"granted","notice":"checkout box v2","recorded_at":"2026-11-01T10:00:00Z"},{"customer_id":"b2","purpose":"*","status":"withdrawn"}]`,
			wantCode: 200, wantBody: []string{`"accepted": 2`}},
		{name: "consent for an unknown purpose", path: "/api/v1/consents", key: apiKey, body: `{"customer_id":"b1","purpose":"lottery","status":"granted","notice":"n"}`, wantCode: 422, wantBody: []string{`"field": "purpose"`}},
		{name: "grant without notice", path: "/api/v1/consents", key: apiKey, body: `{"customer_id":"b1","purpose":"birthday","status":"granted"}`, wantCode: 422, wantBody: []string{`"field": "notice"`}},
		{name: "event batch", path: "/api/v1/events", key: apiKey,
			body:     `[{"customer_id":"b1","type":"interest","item_id":"sourdough","item_name":"Sourdough loaf","occurred_at":"2026-11-20T08:00:00Z"},{"customer_id":"b1","type":"purchase","order_id":"o-1","amount":"12.50","occurred_at":"2026-11-21T08:00:00Z"}]`,
			wantCode: 200, wantBody: []string{`"accepted": 2`}},
		{name: "event type", path: "/api/v1/events", key: apiKey, body: `{"customer_id":"b1","type":"visit"}`, wantCode: 422, wantBody: []string{`"index": 0`, `"field": "type"`}},
		{name: "event amount sign", path: "/api/v1/events", key: apiKey, body: `{"customer_id":"b1","type":"purchase","amount":"12.+5"}`, wantCode: 422, wantBody: []string{`"field": "amount"`}},
		{name: "event amount", path: "/api/v1/events", key: apiKey, body: `{"customer_id":"b1","type":"purchase","amount":"12.345"}`, wantCode: 422, wantBody: []string{`"field": "amount"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := apiPost(e, tt.path, tt.key, tt.body)
			if res.code != tt.wantCode {
				t.Fatalf("status %d, want %d\n%s", res.code, tt.wantCode, res.body)
			}
			for _, w := range tt.wantBody {
				if !strings.Contains(res.body, w) {
					t.Errorf("body lacks %s:\n%s", w, res.body)
				}
			}
		})
	}
	ctx := context.Background()
	c, err := e.st.Customer(ctx, "b1")
	if err != nil {
		t.Fatal(err)
	}
	if c.Birthday.String() != "07-04" || c.Timezone != "America/New_York" {
		t.Errorf("stored customer %+v", c)
	}
	if _, err := e.st.Customer(ctx, "a"); !errors.Is(err, courtesy.ErrNotFound) {
		t.Errorf("a rejected batch stored its valid item: %v", err)
	}
	evs, err := e.st.CustomerEvents(ctx, "b1")
	if err != nil {
		t.Fatal(err)
	}
	var amounts []int64
	for _, ev := range evs {
		amounts = append(amounts, ev.AmountCents)
	}
	if diff := cmp.Diff([]int64{0, 1250}, amounts, cmpSortInts); diff != "" {
		t.Errorf("event amounts (-want +got):\n%s", diff)
	}
	// The same event again is accepted and not stored twice.
	res := apiPost(e, "/api/v1/events", apiKey, `{"customer_id":"b1","type":"purchase","order_id":"o-1","amount":"12.50","occurred_at":"2026-11-21T08:00:00Z"}`)
	if !strings.Contains(res.body, `false`) {
		t.Errorf("duplicate event not reported as not inserted:\n%s", res.body)
	}
}

var cmpSortInts = cmp.Transformer("sort", func(in []int64) []int64 {
	out := append([]int64(nil), in...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
})

func TestPreferences(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	link := e.links().Preferences
	res := e.get(link)
	if res.code != http.StatusOK {
		t.Fatalf("GET: %d", res.code)
	}
	for _, want := range []string{"Birthday treats", "A greeting and a small treat", custEmail, "14 March", "signup form v3", "Happy birthday, Ada", "/why/", "/export", "/erase"} {
		if !strings.Contains(res.body, want) {
			t.Errorf("preference page lacks %q", want)
		}
	}
	form := url.Values{"step": {"save"}, "purpose": {"reminders", "surveys"}, "pause": {"30"}, "frequency": {"1/7d"}}
	if res := e.postForm(link, form); res.code != http.StatusOK || !strings.Contains(res.body, "Saved") {
		t.Fatalf("POST: %d", res.code)
	}
	if e.granted("birthday") || !e.granted("reminders") || !e.granted("surveys") {
		t.Error("after turning birthday off: wrong consent states")
	}
	p, err := e.st.Preferences(ctx, custID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([2]any{start.AddDate(0, 0, 30), "1/7d"}, [2]any{p.PausedUntil.UTC(), p.MaxPerWindow}); diff != "" {
		t.Errorf("pause, frequency (-want +got):\n%s", diff)
	}
	outs := e.optOuts()
	if len(outs) != 1 || outs[0].Source != "preferences" || outs[0].Purpose != "birthday" || outs[0].CampaignID != "birthday-treat" {
		t.Errorf("opt-outs %+v, want one for birthday from the preference page", outs)
	}
	engs, _ := e.st.Engagements(ctx, courtesy.Filter{CustomerID: custID})
	if len(engs) != 1 || engs[0].Kind != "preference-change" {
		t.Errorf("engagements %+v, want one preference-change", engs)
	}
	// Saving the same choices again changes nothing.
	before := len(e.history())
	e.postForm(link, url.Values{"step": {"save"}, "purpose": {"reminders", "surveys"}, "pause": {"keep"}, "frequency": {"1/7d"}})
	if after := len(e.history()); after != before {
		t.Errorf("an unchanged save appended %d ledger records", after-before)
	}
	crossSite := mustRequest(t, http.MethodPost, link, "step=stopall")
	crossSite.Header.Set("Sec-Fetch-Site", "cross-site")
	if res := e.do(crossSite); res.code != http.StatusForbidden {
		t.Errorf("cross-site preference POST: %d, want 403", res.code)
	}
	if !e.granted("surveys") {
		t.Error("a cross-site POST changed consent")
	}
}

// TestPreferencesRefuseAFormThePageCouldNotSend: a save with a pause,
// frequency or topic the page does not offer is refused whole, with no
// consent record and no preference written, rather than half applied under
// a "Saved".
func TestPreferencesRefuseAFormThePageCouldNotSend(t *testing.T) {
	for _, form := range []url.Values{
		{"step": {"save"}, "pause": {"999"}, "frequency": {""}},
		{"step": {"save"}, "pause": {"none"}, "frequency": {"banana"}},
		{"step": {"save"}, "purpose": {"reminders", "lottery"}, "pause": {"none"}},
	} {
		t.Run(form.Encode(), func(t *testing.T) {
			e := newEnv(t)
			before := len(e.history())
			res := e.postForm(e.links().Preferences, form)
			if res.code != http.StatusUnprocessableEntity || strings.Contains(res.body, "Saved") {
				t.Errorf("POST = %d (saved: %v), want 422 and nothing saved", res.code, strings.Contains(res.body, "Saved"))
			}
			if after := len(e.history()); after != before {
				t.Errorf("a refused form appended %d consent records", after-before)
			}
			if !e.granted("birthday") {
				t.Error("a refused form withdrew the birthday consent")
			}
			if p, err := e.st.Preferences(context.Background(), custID); err != nil || !p.UpdatedAt.IsZero() {
				t.Errorf("a refused form wrote preferences: %+v, %v", p, err)
			}
		})
	}
}

func TestExport(t *testing.T) {
	e := newEnv(t)
	res := e.get(pathJoin(e.links().Preferences, "/export"))
	if res.code != http.StatusOK || !strings.Contains(res.header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("export: %d %q", res.code, res.header.Get("Content-Disposition"))
	}
	var rec privacy.Record
	if err := json.Unmarshal([]byte(res.body), &rec); err != nil {
		t.Fatal(err)
	}
	if rec.Profile.Email != custEmail || len(rec.Consents) != 3 || len(rec.Messages) != 2 {
		t.Errorf("export holds %s, %d consents, %d messages", rec.Profile.Email, len(rec.Consents), len(rec.Messages))
	}
}

func pathJoin(link, suffix string) string {
	u, _ := url.Parse(link)
	u.Path += suffix
	return u.String()
}

func TestErasureThroughPreferencePage(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	erase := pathJoin(e.links().Preferences, "/erase")
	if res := e.get(erase); res.code != http.StatusOK || !strings.Contains(res.body, "Yes, erase everything") {
		t.Fatalf("confirmation step: %d", res.code)
	}
	if res := e.postForm(erase, url.Values{}); res.code != http.StatusOK || !strings.Contains(res.body, "Yes, erase everything") {
		t.Errorf("POST without confirmation: %d, want the confirmation page again", res.code)
	}
	if _, err := e.st.Customer(ctx, custID); err != nil {
		t.Fatalf("erased without confirmation: %v", err)
	}
	if res := e.postForm(erase, url.Values{"confirm": {"yes"}}); res.code != http.StatusOK || !strings.Contains(res.body, "erased") {
		t.Fatalf("erase: %d", res.code)
	}
	if _, err := e.st.Customer(ctx, custID); !errors.Is(err, courtesy.ErrNotFound) {
		t.Errorf("customer after erasure: %v, want ErrNotFound", err)
	}
	if h := e.history(); len(h) != 0 {
		t.Errorf("%d consent records survive erasure", len(h))
	}
	if erased, err := e.st.IsErased(ctx, store.EmailHash(custEmail)); err != nil || !erased {
		t.Errorf("IsErased = %v, %v; the hash must remain", erased, err)
	}
	rowErrs, err := e.st.UpsertCustomers(ctx, []courtesy.Customer{{ID: "c-new", Email: " ADA@example.com "}})
	if err != nil {
		t.Fatal(err)
	}
	if len(rowErrs) != 1 || !errors.Is(rowErrs[0], courtesy.ErrErased) {
		t.Errorf("re-import of the erased address: %v, want ErrErased", rowErrs)
	}
	if res := e.get(e.links().Preferences); res.code != http.StatusGone || strings.Contains(res.body, custEmail) {
		t.Errorf("preference page after erasure: %d", res.code)
	}
	if res := e.do(mustRequest(t, http.MethodPost, e.links().Unsubscribe, "List-Unsubscribe=One-Click")); res.code != http.StatusOK {
		t.Errorf("one-click unsubscribe after erasure: %d, want 200 (nothing can be sent)", res.code)
	}
}

func TestWhy(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	res := e.get(e.links().Why)
	if res.code != http.StatusOK {
		t.Fatalf("why: %d", res.code)
	}
	for _, want := range []string{"Birthday treat", "Because today is your birthday in Europe/London.", "birthday (month and day)", "at most 1 message a day", "signup form v3", "/u/", "/p/"} {
		if !strings.Contains(res.body, want) {
			t.Errorf("why page lacks %q", want)
		}
	}
	engs, err := e.st.Engagements(ctx, courtesy.Filter{CustomerID: custID})
	if err != nil {
		t.Fatal(err)
	}
	if len(engs) != 0 {
		t.Errorf("the GET recorded engagements %+v, want none: scanners open every link", engs)
	}
	if res := e.postForm(e.links().Why, nil); res.code != http.StatusOK {
		t.Fatalf("why POST: %d", res.code)
	}
	engs, err = e.st.Engagements(ctx, courtesy.Filter{CustomerID: custID})
	if err != nil {
		t.Fatal(err)
	}
	if len(engs) != 1 || engs[0].Kind != "why-view" || engs[0].MessageKey != birthdayKey {
		t.Errorf("engagements %+v, want the one why-view the button made", engs)
	}
}

// failingStore refuses every withdrawal, as a database that is down would.
type failingStore struct{ Store }

func (failingStore) Withdraw(context.Context, courtesy.ConsentRecord, courtesy.OptOut) (bool, error) {
	return false, errors.New("disk I/O error")
}

func TestUnsubscribeIsNot200UnlessRecorded(t *testing.T) {
	e := newEnv(t, func(_ *Config, d *Deps) { d.Store = failingStore{d.Store} })
	res := e.do(mustRequest(t, http.MethodPost, e.links().Unsubscribe, "List-Unsubscribe=One-Click"))
	if res.code == http.StatusOK || strings.Contains(res.body, "disk I/O") {
		t.Errorf("unrecorded unsubscribe answered %d (raw error shown: %v)", res.code, strings.Contains(res.body, "disk"))
	}
}

// TestAWrongMethodIsNotANotFound: a page that exists answers another
// method with 405 and the methods it takes, as HTTP asks, not with the
// "nothing here" page; a path that names nothing is still a 404.
func TestAWrongMethodIsNotANotFound(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		method, path string
		code         int
		allow        string
	}{
		{http.MethodPut, "/u/some-token", http.StatusMethodNotAllowed, "GET, HEAD, POST"},
		{http.MethodDelete, "/p/some-token", http.StatusMethodNotAllowed, "GET, HEAD, POST"},
		{http.MethodGet, "/api/v1/events", http.StatusMethodNotAllowed, "POST"},
		{http.MethodPut, "/no/such/page", http.StatusNotFound, ""},
		{http.MethodGet, "/no/such/page", http.StatusNotFound, ""},
	} {
		req, err := http.NewRequest(tc.method, e.ts.URL+tc.path, nil)
		if err != nil {
			t.Fatal(err)
		}
		res, err := e.ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != tc.code || res.Header.Get("Allow") != tc.allow {
			t.Errorf("%s %s = %d, Allow %q; want %d, Allow %q", tc.method, tc.path, res.StatusCode, res.Header.Get("Allow"), tc.code, tc.allow)
		}
	}
}

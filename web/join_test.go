package web

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"fmt"
	"io"
	"mime/quotedprintable"
	"net/http"
	"net/mail"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/consent"
	"github.com/courtesyhq/courtesy/internal/testenv"
	"github.com/courtesyhq/courtesy/mailer/mailtest"
	"github.com/courtesyhq/courtesy/signup"
	"github.com/courtesyhq/courtesy/signup/signupredis"
	"github.com/courtesyhq/courtesy/store"
)

const (
	shopOrigin = "https://www.crumb-shop.example"
	newEmail   = "grace@example.org"
	notice     = "We write only about what you tick, and never more often than our limits allow."
)

// signupEnv is a server whose sign-ups go through real Redis limits and a
// real SMTP exchange with the sink, over a SQLite file the test can count
// the rows of.
type signupEnv struct {
	*env
	sink   *mailtest.Sink
	sealer *signup.Sealer
	dbPath string
	tally  *signupredis.Tally
}

func newSignupEnv(t *testing.T, opts ...envOption) *signupEnv {
	t.Helper()
	se := &signupEnv{sink: mailtest.NewSink(t), dbPath: filepath.Join(t.TempDir(), "courtesy.db")}
	db, err := store.Open(context.Background(), "sqlite://"+se.dbPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if se.sealer, err = signup.NewSealer([]consent.Key{keyNew, keyOld}); err != nil {
		t.Fatal(err)
	}
	rdb := testenv.Redis(t, testenv.RedisDBWeb)
	se.tally = signupredis.NewTally(rdb, "t", time.UTC)
	notifier := newSinkNotifier(t, se.sink)
	withSignups := func(c *Config, d *Deps) {
		d.Store = db
		c.Signup = SignupConfig{NoticeVersion: "2026-11", NoticeText: notice, PrivacyURL: "https://crumb.example/privacy"}
		d.Notify = notifier
		d.Signup = &Signups{Sealer: se.sealer, Gate: signupredis.NewGate(rdb, "t", signup.AddressLimits), Tally: se.tally}
	}
	se.env = newEnv(t, append([]envOption{withSignups}, opts...)...)
	return se
}

// joinFrom posts the sign-up form as a browser on origin would.
func (se *signupEnv) joinFrom(origin string, form url.Values) response {
	se.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, se.ts.URL+"/join", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", origin)
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	res := se.do(req)
	se.srv.Wait() // the confirmation goes after the answer
	return res
}

func signupForm(email string, purposes ...string) url.Values {
	return url.Values{"email": {email}, "first_name": {"Grace"}, "birthday_month": {"12"}, "birthday_day": {"9"},
		"purpose": purposes, "notice": {"2026-11"}, "website": {""}}
}

var confirmLink = regexp.MustCompile(`https://crumb\.example(/c/[A-Za-z0-9_-]+)`)

// confirmPath is the /c/ link of the n-th message the sink received.
func (se *signupEnv) confirmPath(n int) string {
	se.t.Helper()
	msgs := se.sink.Messages()
	if len(msgs) <= n {
		se.t.Fatalf("the sink holds %d messages, want a %d-th", len(msgs), n+1)
	}
	body, _ := io.ReadAll(mustBody(se.t, msgs[n]))
	m := confirmLink.FindAllStringSubmatch(string(body), -1)
	if len(m) != 1 {
		se.t.Fatalf("message %d has %d /c/ links, want one:\n%s", n, len(m), body)
	}
	return m[0][1]
}

// mustBody is the text of a received single-part message, decoded.
func mustBody(tb testing.TB, r mailtest.Received) io.Reader {
	tb.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(r.Data))
	if err != nil {
		tb.Fatal(err)
	}
	if strings.EqualFold(m.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
		return quotedprintable.NewReader(m.Body)
	}
	if strings.EqualFold(m.Header.Get("Content-Transfer-Encoding"), "base64") {
		return base64.NewDecoder(base64.StdEncoding, m.Body)
	}
	return m.Body
}

// rowCounts counts the rows of every table of the store.
func (se *signupEnv) rowCounts() map[string]int {
	se.t.Helper()
	db, err := sql.Open("sqlite", "file:"+se.dbPath+"?mode=ro")
	if err != nil {
		se.t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT name FROM sqlite_master WHERE type = 'table'`)
	if err != nil {
		se.t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		_ = rows.Scan(&n)
		tables = append(tables, n)
	}
	rows.Close()
	out := map[string]int{}
	for _, tb := range tables {
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM "` + tb + `"`).Scan(&n); err != nil {
			se.t.Fatal(err)
		}
		out[tb] = n
	}
	return out
}

// TestJoinFromAnotherSiteConfirmsOnlyOnThePersonsOwnAct follows one
// sign-up from a form on the shop's own site to the confirmed consents.
func TestJoinFromAnotherSiteConfirmsOnlyOnThePersonsOwnAct(t *testing.T) {
	se := newSignupEnv(t)
	before := se.rowCounts()

	res := se.joinFrom(shopOrigin, signupForm(newEmail, "birthday", "surveys"))
	if res.code != http.StatusOK || !strings.Contains(res.body, "Check your inbox") {
		t.Fatalf("cross-origin POST /join = %d:\n%s", res.code, res.body)
	}
	msgs := se.sink.Messages()
	if len(msgs) != 1 || !slices.Equal(msgs[0].To, []string{newEmail}) {
		t.Fatalf("sink holds %d messages (%v), want one to %s", len(msgs), msgs, newEmail)
	}
	h := msgs[0].Header
	if h.Get("X-Courtesy-Kind") != KindConfirmation || !strings.HasPrefix(h.Get("List-Unsubscribe"), "<https://crumb.example/c/") {
		t.Errorf("confirmation headers: kind %q, List-Unsubscribe %q", h.Get("X-Courtesy-Kind"), h.Get("List-Unsubscribe"))
	}
	link := se.confirmPath(0)
	if diff := cmp.Diff(before, se.rowCounts()); diff != "" {
		t.Fatalf("the database changed before any confirmation (-before +after):\n%s", diff)
	}

	for range 3 { // a mail scanner, then the person, then again
		res = se.get(se.ts.URL + link)
		if res.code != http.StatusOK || !strings.Contains(res.body, ">Confirm</button>") || !strings.Contains(res.body, newEmail) {
			t.Fatalf("GET %s = %d:\n%s", link, res.code, res.body)
		}
	}
	if diff := cmp.Diff(before, se.rowCounts()); diff != "" {
		t.Fatalf("GET of the confirmation link changed the database (-before +after):\n%s", diff)
	}

	se.clock.Add(time.Hour)
	confirmedAt := se.clock.Now()
	res = se.postForm(se.ts.URL+link, url.Values{})
	if res.code != http.StatusOK || !strings.Contains(res.body, "signed up") || !strings.Contains(res.body, `href="/p/`) {
		t.Fatalf("POST %s = %d:\n%s", link, res.code, res.body)
	}
	c, err := se.st.CustomerByEmail(context.Background(), newEmail)
	if err != nil {
		t.Fatal(err)
	}
	if c.FirstName != "Grace" || c.Birthday.String() != "12-09" {
		t.Errorf("customer = %+v, want Grace born 12-09", c)
	}
	hist, err := se.st.ConsentHistory(context.Background(), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	type rec struct{ Purpose, Status, Basis, Source, Notice string }
	var got []rec
	for _, h := range hist {
		got = append(got, rec{h.Purpose, string(h.Status), h.Basis, h.Source, h.Notice})
		if !h.RecordedAt.Equal(confirmedAt) {
			t.Errorf("consent to %s recorded at %v, want the confirmation's time %v", h.Purpose, h.RecordedAt, confirmedAt)
		}
	}
	want := []rec{
		{"birthday", "granted", "consent", "signup-form", notice + " (notice 2026-11)"},
		{"surveys", "granted", "consent", "signup-form", notice + " (notice 2026-11)"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("consents (-want +got):\n%s", diff)
	}

	evs, err := se.st.CustomerEvents(context.Background(), c.ID)
	if err != nil || len(evs) != 1 || evs[0].Type != courtesy.Signup || !evs[0].OccurredAt.Equal(confirmedAt) {
		t.Errorf("events after confirming = %+v (%v), want one sign-up at %v", evs, err, confirmedAt)
	}
	engs, err := se.st.Engagements(context.Background(), courtesy.Filter{CustomerID: c.ID})
	if err != nil || len(engs) != 1 || engs[0].Kind != KindConfirmation || !engs[0].At.Equal(start) {
		t.Errorf("engagements = %+v (%v), want the confirmation message, sent at %v", engs, err, start)
	}
	prefs := se.get(se.ts.URL + regexp.MustCompile(`href="(/p/[^"]+)"`).FindStringSubmatch(res.body)[1])
	if !strings.Contains(prefs.body, "our sign-up form, confirmed from your email") || !strings.Contains(prefs.body, notice) {
		t.Errorf("the preference page does not say how and under which notice the consent was given:\n%s", prefs.body)
	}

	after := se.rowCounts()
	res = se.postForm(se.ts.URL+link, url.Values{})
	if res.code != http.StatusOK {
		t.Fatalf("second confirmation = %d", res.code)
	}
	if diff := cmp.Diff(after, se.rowCounts()); diff != "" {
		t.Errorf("confirming twice changed the database (-first +second):\n%s", diff)
	}
	if se.sink.Count() != 1 {
		t.Errorf("the sink holds %d messages, want only the confirmation", se.sink.Count())
	}
}

// TestConfirmTakesNoPostFromAnotherSite: only /join is open to other
// sites; the confirmation is the person's act on our page.
func TestConfirmTakesNoPostFromAnotherSite(t *testing.T) {
	se := newSignupEnv(t)
	se.joinFrom(shopOrigin, signupForm(newEmail, "birthday"))
	link := se.confirmPath(0)
	before := se.rowCounts()
	req, _ := http.NewRequest(http.MethodPost, se.ts.URL+link, strings.NewReader(""))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", shopOrigin)
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if res := se.do(req); res.code != http.StatusForbidden {
		t.Errorf("cross-site POST %s = %d, want 403", link, res.code)
	}
	if diff := cmp.Diff(before, se.rowCounts()); diff != "" {
		t.Errorf("a refused confirmation changed the database:\n%s", diff)
	}
}

// TestJoinAnswersAlikeWhoeverTheAddressIs: a known customer's address and
// a stranger's get the same bytes back, as does a bot and an address over
// its limit.
func TestJoinAnswersAlikeWhoeverTheAddressIs(t *testing.T) {
	se := newSignupEnv(t)
	known := se.joinFrom(shopOrigin, signupForm(custEmail, "birthday"))
	unknown := se.joinFrom(shopOrigin, signupForm(newEmail, "birthday"))
	limited := se.joinFrom(shopOrigin, signupForm(newEmail, "birthday"))
	bot := signupForm("bot@example.net", "birthday")
	bot.Set("website", "https://spam.example")
	botRes := se.joinFrom(shopOrigin, bot)
	for name, r := range map[string]response{"unknown": unknown, "over its limit": limited, "bot": botRes} {
		if r.code != known.code || r.body != known.body {
			t.Errorf("%s address: %d, %d bytes; known address: %d, %d bytes", name, r.code, len(r.body), known.code, len(known.body))
		}
	}
	if se.sink.Count() != 2 {
		t.Errorf("sink holds %d messages, want 2 (known and unknown; not the repeat, not the bot)", se.sink.Count())
	}
}

// TestJoinHoldsEachAddressToItsLimits: ten sign-ups of one address in a
// minute send one confirmation; ten minutes on, one more; three a day.
func TestJoinHoldsEachAddressToItsLimits(t *testing.T) {
	se := newSignupEnv(t)
	for range 10 {
		se.joinFrom(shopOrigin, signupForm("Grace@Example.org", "birthday"))
		se.clock.Add(5 * time.Second)
	}
	if n := se.sink.Count(); n != 1 {
		t.Fatalf("ten sign-ups in a minute sent %d confirmations, want 1", n)
	}
	for range 5 {
		se.clock.Add(11 * time.Minute)
		se.joinFrom(shopOrigin, signupForm(newEmail, "birthday"))
	}
	if n := se.sink.Count(); n != 3 {
		t.Errorf("after five more, ten minutes apart: %d confirmations, want 3 a day", n)
	}
	got, err := se.tally.PerDay(context.Background(), start, start.AddDate(0, 0, 1))
	if err != nil {
		t.Fatal(err)
	}
	if got[start.Format(time.DateOnly)] != 15 {
		t.Errorf("sign-ups started counted %v, want 15 on %s", got, start.Format(time.DateOnly))
	}
}

// TestJoinNamesTheFieldToCorrect: the page comes back with what was typed
// and the field at fault; nothing is sent.
func TestJoinNamesTheFieldToCorrect(t *testing.T) {
	se := newSignupEnv(t)
	for _, tc := range []struct {
		form url.Values
		want string
	}{
		{signupForm("grace@", "birthday"), "look like an email address"},
		{signupForm(newEmail), "tick at least one topic"},
		{url.Values{"email": {newEmail}, "purpose": {"birthday"}, "birthday_month": {"02"}, "birthday_day": {"30"}}, "a day that exists"},
		{url.Values{"email": {newEmail}, "purpose": {"birthday"}, "notice": {"2025-01"}}, "Our wording changed"},
	} {
		res := se.joinFrom(shopOrigin, tc.form)
		if res.code != http.StatusUnprocessableEntity || !strings.Contains(res.body, tc.want) {
			t.Errorf("POST %v = %d, want 422 saying %q:\n%s", tc.form, res.code, tc.want, res.body)
		}
		if email := tc.form.Get("email"); !strings.Contains(res.body, `value="`+email+`"`) {
			t.Errorf("the page lost what was typed (%q)", email)
		}
	}
	if se.sink.Count() != 0 {
		t.Errorf("invalid sign-ups sent %d messages", se.sink.Count())
	}
}

// TestJoinPageOffersEachPurposeUnticked shows the form: every purpose (or
// the ones asked for) with its words, none ticked, the notice and the
// honeypot.
func TestJoinPageOffersEachPurposeUnticked(t *testing.T) {
	se := newSignupEnv(t)
	res := se.get(se.ts.URL + "/join")
	for _, want := range []string{`name="purpose" value="birthday">`, "Saved-item reminders", "One short question after a purchase.", notice,
		`href="https://crumb.example/privacy"`, `name="website"`, `name="notice" value="2026-11"`} {
		if !strings.Contains(res.body, want) {
			t.Errorf("GET /join lacks %q", want)
		}
	}
	if strings.Contains(res.body, "checked") {
		t.Error("GET /join ticks a box for the visitor")
	}
	res = se.get(se.ts.URL + "/join?purposes=surveys")
	if strings.Contains(res.body, `value="birthday"`) || !strings.Contains(res.body, `value="surveys"`) {
		t.Error("?purposes=surveys does not show surveys alone")
	}
}

// TestConfirmRefusesBadLinks: a tampered, expired or re-worded link gets
// the generic page and records nothing.
func TestConfirmRefusesBadLinks(t *testing.T) {
	se := newSignupEnv(t)
	se.joinFrom(shopOrigin, signupForm(newEmail, "birthday"))
	link := se.confirmPath(0)
	before := se.rowCounts()
	flip := []byte(link)
	i := len(flip) - 10
	flip[i] = "AB"[map[bool]int{true: 1}[flip[i] == 'A']]
	generic := se.get(se.ts.URL + "/c/nothing-here")
	if generic.code != http.StatusNotFound {
		t.Fatalf("GET of a made-up link = %d, want 404", generic.code)
	}
	for _, l := range []string{string(flip), link + "x", strings.ToLower(link)} {
		for _, method := range []string{http.MethodGet, http.MethodPost} {
			var res response
			if method == http.MethodGet {
				res = se.get(se.ts.URL + l)
			} else {
				res = se.postForm(se.ts.URL+l, url.Values{})
			}
			if res.code != http.StatusNotFound || res.body != generic.body {
				t.Errorf("%s of a tampered link = %d, want the generic 404 page", method, res.code)
			}
		}
	}
	se.clock.Add(signup.TTL + time.Second)
	if res := se.postForm(se.ts.URL+link, url.Values{}); res.code != http.StatusNotFound {
		t.Errorf("POST of an expired link = %d, want 404", res.code)
	}
	if diff := cmp.Diff(before, se.rowCounts()); diff != "" {
		t.Errorf("refused links changed the database:\n%s", diff)
	}
}

// TestConfirmOfAnErasedAddressIsRefused: an erasure's fingerprint blocks
// the address coming back through the sign-up form.
func TestConfirmOfAnErasedAddressIsRefused(t *testing.T) {
	se := newSignupEnv(t)
	if _, err := se.st.EraseCustomer(context.Background(), custID, custEmail, start); err != nil {
		t.Fatal(err)
	}
	se.joinFrom(shopOrigin, signupForm(custEmail, "birthday"))
	link := se.confirmPath(0)
	before := se.rowCounts()
	if res := se.postForm(se.ts.URL+link, url.Values{}); res.code != http.StatusGone {
		t.Errorf("confirming an erased address = %d, want 410", res.code)
	}
	if diff := cmp.Diff(before, se.rowCounts()); diff != "" {
		t.Errorf("an erased address came back:\n%s", diff)
	}
}

// TestAPISignupsStartTheSameDoubleOptIn: a shop's backend starts a sign-up;
// the person still confirms it.
func TestAPISignupsStartTheSameDoubleOptIn(t *testing.T) {
	se := newSignupEnv(t)
	post := func(key, body string) response {
		req, _ := http.NewRequest(http.MethodPost, se.ts.URL+"/api/v1/signups", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+key)
		req.Header.Set("Content-Type", "application/json")
		return se.do(req)
	}
	body := `{"email": "grace@example.org", "first_name": "Grace", "birthday": "12-09", "locale": "en-GB", "purposes": ["reminders"]}`
	if res := post("wrong", body); res.code != http.StatusUnauthorized {
		t.Errorf("without the key = %d, want 401", res.code)
	}
	if res := post(apiKey, `{"email": "grace@", "purposes": []}`); res.code != http.StatusUnprocessableEntity ||
		!strings.Contains(res.body, `"field": "email"`) || !strings.Contains(res.body, `"field": "purposes"`) {
		t.Errorf("invalid sign-up = %d:\n%s", res.code, res.body)
	}
	before := se.rowCounts()
	if res := post(apiKey, body); res.code != http.StatusAccepted {
		t.Fatalf("sign-up = %d:\n%s", res.code, res.body)
	}
	se.srv.Wait()
	if diff := cmp.Diff(before, se.rowCounts()); diff != "" {
		t.Errorf("an API sign-up stored something before its confirmation:\n%s", diff)
	}
	link := se.confirmPath(0)
	if res := se.postForm(se.ts.URL+link, url.Values{}); res.code != http.StatusOK {
		t.Fatalf("confirm = %d", res.code)
	}
	c, err := se.st.CustomerByEmail(context.Background(), newEmail)
	if err != nil || c.Locale != "en-GB" {
		t.Fatalf("customer = %+v, %v; want one in en-GB", c, err)
	}
	hist, _ := se.st.ConsentHistory(context.Background(), c.ID)
	if len(hist) != 1 || hist[0].Purpose != "reminders" || hist[0].Source != SourceSignup {
		t.Errorf("consents = %+v, want reminders from the sign-up", hist)
	}
}

// TestJoinHoldsEachClientToThePagesRateLimit: one client sending many
// addresses is held by the per-client limit, whatever the addresses.
func TestJoinHoldsEachClientToThePagesRateLimit(t *testing.T) {
	se := newSignupEnv(t, func(c *Config, _ *Deps) { c.RateLimit = RateLimit{PerSecond: 0.001, Burst: 3} })
	var codes []int
	for i := range 5 {
		codes = append(codes, se.joinFrom(shopOrigin, signupForm(fmt.Sprintf("person%d@example.org", i), "birthday")).code)
	}
	if diff := cmp.Diff([]int{200, 200, 200, 429, 429}, codes); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	if n := se.sink.Count(); n != 3 {
		t.Errorf("%d confirmations sent, want 3", n)
	}
}

// TestDeclineAnswersAndKeepsNothing: the confirmation's one-click
// unsubscribe answers 200 to a mail provider's POST and stores nothing,
// as nothing was stored to remove.
func TestDeclineAnswersAndKeepsNothing(t *testing.T) {
	se := newSignupEnv(t)
	se.joinFrom(shopOrigin, signupForm(newEmail, "birthday"))
	unsub := se.sink.Messages()[0].Header.Get("List-Unsubscribe")
	path := strings.TrimSuffix(strings.TrimPrefix(unsub, "<https://crumb.example"), ">")
	before := se.rowCounts()
	req, _ := http.NewRequest(http.MethodPost, se.ts.URL+path, strings.NewReader("List-Unsubscribe=One-Click"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if res := se.do(req); res.code != http.StatusOK || !strings.Contains(res.body, "Nothing more will happen") {
		t.Errorf("POST %s = %d:\n%s", path, res.code, res.body)
	}
	if diff := cmp.Diff(before, se.rowCounts()); diff != "" {
		t.Errorf("declining stored something:\n%s", diff)
	}
}

package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/courtesyhq/courtesy"
)

// TestUndoOnlyRevertsThisLinksOwnRecentWithdrawal: undo restores consent
// only as the person's own correction — the withdrawal this same link made,
// within ten minutes, once, from the page itself.
func TestUndoOnlyRevertsThisLinksOwnRecentWithdrawal(t *testing.T) {
	undo := url.Values{"step": {"undo"}}
	unsubscribe := url.Values{"via": {"page"}}

	t.Run("nothing withdrawn: no consent is invented", func(t *testing.T) {
		e := newEnv(t)
		before := len(e.history())
		if res := e.postForm(e.links().Unsubscribe, undo); res.code != http.StatusConflict || !strings.Contains(res.body, "be undone here") {
			t.Errorf("undo with nothing withdrawn: %d, want 409 and the page that says so", res.code)
		}
		if n := len(e.history()); n != before {
			t.Errorf("history grew from %d to %d", before, n)
		}
	})
	t.Run("too late", func(t *testing.T) {
		e := newEnv(t)
		e.postForm(e.links().Unsubscribe, unsubscribe)
		e.clock.Add(undoWindow + time.Second)
		if res := e.postForm(e.links().Unsubscribe, undo); res.code != http.StatusConflict {
			t.Errorf("undo after %s: %d, want 409", undoWindow+time.Second, res.code)
		}
		if e.granted("birthday") {
			t.Error("a late undo re-granted birthday")
		}
	})
	t.Run("once", func(t *testing.T) {
		e := newEnv(t)
		e.postForm(e.links().Unsubscribe, unsubscribe)
		if res := e.postForm(e.links().Unsubscribe, undo); res.code != http.StatusOK {
			t.Fatalf("first undo: %d", res.code)
		}
		e.clock.Add(time.Minute)
		e.postForm(e.links().Unsubscribe, unsubscribe)
		if res := e.postForm(e.links().Unsubscribe, undo); res.code != http.StatusConflict {
			t.Errorf("second undo by the same link: %d, want 409", res.code)
		}
		if e.granted("birthday") {
			t.Error("the second undo re-granted birthday")
		}
	})
	t.Run("another link's withdrawal", func(t *testing.T) {
		e := newEnv(t)
		e.postForm(e.links().Preferences, url.Values{"purpose": {"reminders", "surveys"}}) // birthday off on the preference page
		if e.granted("birthday") {
			t.Fatal("the preference page did not withdraw birthday")
		}
		if res := e.postForm(e.links().Unsubscribe, undo); res.code != http.StatusConflict {
			t.Errorf("undo of the preference page's withdrawal from the unsubscribe link: %d, want 409", res.code)
		}
		other := e.signer.Links(e.ts.URL, custID, "birthday", "birthday-treat:c-ada:2025", start.Add(-time.Hour)).Unsubscribe
		e.clock.Add(time.Minute)
		e.postForm(e.links().Unsubscribe, unsubscribe)
		if res := e.postForm(other, undo); res.code != http.StatusConflict {
			t.Errorf("undo from last year's message link: %d, want 409", res.code)
		}
	})
	t.Run("no proof of the same origin", func(t *testing.T) {
		e := newEnv(t)
		e.postForm(e.links().Unsubscribe, unsubscribe)
		req, _ := http.NewRequest(http.MethodPost, e.links().Unsubscribe, strings.NewReader("step=undo"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if res := e.do(req); res.code != http.StatusForbidden {
			t.Errorf("undo without Origin or Sec-Fetch-Site: %d, want 403", res.code)
		}
		if e.granted("birthday") {
			t.Error("a headerless undo re-granted birthday")
		}
	})
}

// TestRepeatedWithdrawalWritesNothing: forty unsubscribe/undo pairs with one
// link leave three records (the withdrawal, its one undo, the withdrawal
// after it), and a withdrawal already in force — the same purpose, or
// everything stopped — adds none.
func TestRepeatedWithdrawalWritesNothing(t *testing.T) {
	e := newEnv(t, func(c *Config, _ *Deps) { c.CustomerLimit = Quota{Count: 1000, Window: time.Hour} })
	before := len(e.history())
	for range 40 {
		e.postForm(e.links().Unsubscribe, url.Values{"via": {"page"}})
		e.postForm(e.links().Unsubscribe, url.Values{"step": {"undo"}})
		e.clock.Add(time.Second)
	}
	if n := len(e.history()) - before; n != 3 {
		t.Errorf("40 unsubscribe/undo pairs added %d records, want 3", n)
	}
	if n := len(e.optOuts()); n != 2 {
		t.Errorf("%d opt-outs, want 2", n)
	}

	all := url.Values{"via": {"page"}, "stop": {"all"}}
	e.postForm(e.surveyLinks().Unsubscribe, all)
	after := len(e.history())
	e.postForm(e.surveyLinks().Unsubscribe, all)
	one := e.do(mustRequest(t, http.MethodPost, e.surveyLinks().Unsubscribe, "List-Unsubscribe=One-Click"))
	if one.code != http.StatusOK {
		t.Errorf("one-click with everything stopped: %d, want 200", one.code)
	}
	if n := len(e.history()); n != after {
		t.Errorf("withdrawals already in force added %d records", n-after)
	}
	if e.granted(courtesy.AllPurposes) {
		t.Error("everything should be stopped")
	}
}

// TestTokenPostsAreLimitedPerCustomer: a customer's links may POST
// CustomerLimit times an hour, counted in Redis across all of them; beyond
// it the answer is 429 and a page that says to wait, and nothing is written.
func TestTokenPostsAreLimitedPerCustomer(t *testing.T) {
	e := newEnv(t, func(c *Config, _ *Deps) { c.CustomerLimit = Quota{Count: 4, Window: time.Hour} })
	posts := []func() response{
		func() response { return e.postForm(e.links().Unsubscribe, url.Values{"via": {"page"}}) },
		func() response { return e.postForm(e.surveyLinks().Survey[9], url.Values{"score": {"9"}}) },
		func() response { return e.postForm(e.links().Preferences, url.Values{"purpose": {"birthday"}}) },
		func() response {
			return e.do(mustRequest(t, http.MethodPost, e.surveyLinks().Unsubscribe, "List-Unsubscribe=One-Click"))
		},
	}
	for i, p := range posts {
		if res := p(); res.code != http.StatusOK {
			t.Fatalf("POST %d within the limit: %d", i+1, res.code)
		}
	}
	before := len(e.history())
	res := e.postForm(e.links().Preferences+"/erase", url.Values{"confirm": {"yes"}})
	if res.code != http.StatusTooManyRequests || !strings.Contains(res.body, "One moment") || res.header.Get("Retry-After") == "" {
		t.Errorf("fifth POST in the hour: %d, want 429 with its page and Retry-After", res.code)
	}
	if len(e.history()) != before {
		t.Error("the refused POST wrote")
	}
	e.clock.Add(time.Hour)
	if res := posts[0](); res.code != http.StatusOK {
		t.Errorf("an hour later: %d, want 200", res.code)
	}
}

// brokenCounter is Redis away.
type brokenCounter struct{}

func (brokenCounter) Take(context.Context, string, int, time.Duration, time.Time) (bool, error) {
	return false, errors.New("dial tcp 127.0.0.1:6379: connection refused")
}

// TestOptOutDoesNotWaitForRedis: when the per-customer count cannot be
// taken, an unsubscribe still goes through; a fresh link is not sent.
func TestOptOutDoesNotWaitForRedis(t *testing.T) {
	e := newEnv(t, func(_ *Config, d *Deps) { d.Counter = brokenCounter{} })
	if res := e.do(mustRequest(t, http.MethodPost, e.links().Unsubscribe, "List-Unsubscribe=One-Click")); res.code != http.StatusOK {
		t.Errorf("one-click with Redis away: %d, want 200", res.code)
	}
	if e.granted("birthday") {
		t.Error("the opt-out was not recorded")
	}
	e.clock.Add(365 * 24 * time.Hour)
	tok := strings.TrimPrefix(pathOf(t, e.links().Why), "/why/")
	if res := e.postForm(e.ts.URL+"/fresh/"+tok, nil); res.code != http.StatusOK {
		t.Errorf("fresh-link button with Redis away: %d, want the usual answer", res.code)
	}
	e.srv.Wait()
	if n := e.sink.Count(); n != 0 {
		t.Errorf("%d messages sent without a count, want 0", n)
	}
}

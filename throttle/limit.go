package throttle

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/courtesyhq/courtesy/internal/duration"
)

// Day and Week are the units of "3/7d" and "1/2w". They are fixed lengths: a
// window is elapsed time, so a daylight-saving change neither widens nor
// narrows it.
const (
	Day  = duration.Day
	Week = duration.Week
)

// The limits behind a customer's "at most one message a week/month" choice.
var (
	OnePerWeek  = Limit{Count: 1, Window: Week}
	OnePerMonth = Limit{Count: 1, Window: 30 * Day}
)

// Limit is "at most Count messages in any Window".
type Limit struct {
	Count  int
	Window time.Duration
}

// ParseLimit reads "N/duration" such as "1/24h", "3/7d" or "1/365d", the
// duration written as in the config file ("3d", "2w", "24h") and of at least
// a second. The config file, the campaign files and a customer's preference
// all write limits so.
func ParseLimit(s string) (Limit, error) {
	n, d, ok := strings.Cut(strings.TrimSpace(s), "/")
	if !ok {
		return Limit{}, fmt.Errorf("%q is not a limit (write it like 3/7d: at most 3 in any 7 days)", s)
	}
	count, err := strconv.Atoi(strings.TrimSpace(n))
	if err != nil || count < 1 {
		return Limit{}, fmt.Errorf("%q is not a limit: the count must be a whole number of 1 or more", s)
	}
	w, err := duration.Parse(strings.TrimSpace(d))
	if err != nil {
		return Limit{}, fmt.Errorf("%q is not a limit: %w", s, err)
	}
	if w < time.Second {
		return Limit{}, fmt.Errorf("%q is not a limit: the window must be at least 1s", s)
	}
	return Limit{Count: count, Window: w}, nil
}

// MustParseLimit is ParseLimit for limits written in code; it panics on a
// malformed one.
func MustParseLimit(s string) Limit {
	l, err := ParseLimit(s)
	if err != nil {
		panic(err)
	}
	return l
}

// String writes the limit as ParseLimit reads it, in the largest whole unit
// up to days ("3/7d", "1/365d", "1/90m"): the unit people write.
func (l Limit) String() string { return strconv.Itoa(l.Count) + "/" + duration.Format(l.Window) }

// Validate reports a limit that cannot be enforced: a count below one or a
// window shorter than a millisecond.
func (l Limit) Validate() error {
	if l.Count < 1 {
		return fmt.Errorf("limit %s: the count must be 1 or more", l)
	}
	if l.Window < time.Millisecond {
		return fmt.Errorf("limit %s: the window is too short", l)
	}
	return nil
}

// implies reports whether honouring l also honours o: no more messages in
// a window at least as long.
func (l Limit) implies(o Limit) bool { return l.Count <= o.Count && l.Window >= o.Window }

// Strictest merges lists of limits that apply to the same scope and drops
// those another one already implies, shortest window first. It changes
// nothing that is enforced — every window must have room anyway — but it
// keeps the check short and what a person is shown to the point.
func Strictest(lists ...[]Limit) []Limit {
	var all []Limit
	for _, list := range lists {
		all = append(all, list...)
	}
	var out []Limit
	for i, l := range all {
		implied := false
		for j, o := range all {
			// Of two equal limits keep the first.
			if i != j && o.implies(l) && (o != l || j < i) {
				implied = true
				break
			}
		}
		if !implied {
			out = append(out, l)
		}
	}
	slices.SortFunc(out, func(a, b Limit) int {
		return cmp.Or(cmp.Compare(a.Window, b.Window), cmp.Compare(a.Count, b.Count))
	})
	return out
}

// GlobalScope is the scope of limits that count every campaign together:
// the configured per-customer limits and the customer's own preference.
const GlobalScope = "global"

// CampaignScope is the scope of one campaign's own limits.
func CampaignScope(campaignID string) string { return "campaign:" + campaignID }

// Scoped is a limit and the messages it counts: GlobalScope or
// CampaignScope(id).
type Scoped struct {
	Scope string
	Limit Limit
}

func (s Scoped) String() string { return s.Scope + " " + s.Limit.String() }

// Campaign is the campaign whose messages the limit counts, "" for the
// global scope; false for a scope that is neither.
func (s Scoped) Campaign() (id string, ok bool) {
	if s.Scope == GlobalScope {
		return "", true
	}
	id, ok = strings.CutPrefix(s.Scope, "campaign:")
	return id, ok && id != ""
}

// Combine lists every limit a message of campaignID must pass: the global
// limits and the customer's preference counted across all campaigns, and
// the campaign's own limits. All of them are enforced, so the strictest
// wins wherever it binds.
func Combine(campaignID string, global, campaign, preference []Limit) []Scoped {
	var out []Scoped
	for _, l := range Strictest(global, preference) {
		out = append(out, Scoped{Scope: GlobalScope, Limit: l})
	}
	for _, l := range Strictest(campaign) {
		out = append(out, Scoped{Scope: CampaignScope(campaignID), Limit: l})
	}
	return out
}

package throttle

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/courtesyhq/courtesy/config"
)

// Day and Week are the units of "3/7d" and "1/2w". They are fixed lengths: a
// window is elapsed time, so a daylight-saving change neither widens nor
// narrows it.
const (
	Day  = config.Day
	Week = config.Week
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

// ParseLimit reads "N/duration" such as "1/24h", "3/7d" or "1/365d": the
// syntax of the config file (config.ParseLimit), so a customer's preference
// and the owner's limits are written alike.
func ParseLimit(s string) (Limit, error) {
	l, err := config.ParseLimit(s)
	if err != nil {
		return Limit{}, err
	}
	return Limit(l), nil
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
func (l Limit) String() string { return config.Limit(l).String() }

// validate reports a limit the Limiter cannot enforce.
func (l Limit) validate() error {
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

// scopeCampaign is the campaign whose messages a scope counts, "" for the
// global scope; false for a scope that is neither.
func scopeCampaign(scope string) (string, bool) {
	if scope == GlobalScope {
		return "", true
	}
	id, ok := strings.CutPrefix(scope, "campaign:")
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

package store

import (
	"strconv"
	"strings"

	"github.com/courtesyhq/courtesy"
)

// where collects the conditions of a query and their arguments.
type where struct {
	conds []string
	args  []any
}

func (w *where) add(cond string, args ...any) {
	w.conds = append(w.conds, cond)
	w.args = append(w.args, args...)
}

func (w *where) String() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

// common adds the campaign, customer and time conditions of f, for a table
// whose columns are campaign_id, customer_id and the given time column.
// campaignCol is empty when the table has no campaign.
func (w *where) common(f courtesy.Filter, campaignCol, timeCol string) {
	if f.CampaignID != "" && campaignCol != "" {
		w.add(campaignCol+" = ?", f.CampaignID)
	}
	if f.CustomerID != "" {
		w.add("customer_id = ?", f.CustomerID)
	}
	if !f.Since.IsZero() {
		w.add(timeCol+" >= ?", micros(f.Since))
	}
	if !f.Until.IsZero() {
		w.add(timeCol+" < ?", micros(f.Until))
	}
}

// limit renders f.Limit as a LIMIT clause.
func limit(f courtesy.Filter) string {
	if f.Limit <= 0 {
		return ""
	}
	return " LIMIT " + strconv.Itoa(f.Limit)
}

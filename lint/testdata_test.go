package lint

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/courtesyhq/courtesy"
)

// where is a diagnostic without its wording: file:line:col, then the field
// and rule it names.
func where(d courtesy.Diagnostic) string {
	return fmt.Sprintf("%s:%d:%d %s %s %s", d.File, d.Line, d.Col, d.Severity, d.Field, d.Rule)
}

func campaignIDs(r Result) []string {
	var ids []string
	for _, c := range r.Campaigns {
		ids = append(ids, c.ID)
	}
	slices.Sort(ids)
	return ids
}

// A shop written well (testdata/good) lints with nothing to say.
func TestAGoodShopLintsClean(t *testing.T) {
	r := Run("testdata/good/courtesy.yaml")
	if len(r.Diagnostics) != 0 {
		t.Errorf("diagnostics for a good shop:\n%s", lines(r.Diagnostics))
	}
	if diff := cmp.Diff([]string{"birthday", "reminder"}, campaignIDs(r)); diff != "" {
		t.Errorf("campaigns checked (-want +got):\n%s", diff)
	}
}

// In testdata/mixed every problem is named by file, line, column and field
// (or rule), and one broken campaign does not stop the others being checked:
// the campaign whose send.at is not a time and the one whose template names
// a field the data lacks are reported, the pushy words of a third are
// reported, and the good campaign beside them raises nothing.
func TestEveryProblemIsNamedAndOneBadCampaignDoesNotHideTheOthers(t *testing.T) {
	r := Run("testdata/mixed/courtesy.yaml")
	var got []string
	for _, d := range r.Diagnostics {
		got = append(got, where(d))
	}
	want := []string{
		"campaigns/broken.yaml:6:7 error send.at ",
		"campaigns/misspelt.yaml:9:41 error template.subject template",
		"templates/misspelt.txt:4:17 error  template",
		"templates/pushy.txt:3:25 error  courteous.fake-scarcity",
		"templates/pushy.txt:3:38 error  courteous.false-urgency",
		"templates/pushy.txt:3:43 error  courteous.exclamation-run",
		"templates/pushy.txt:3:47 error  courteous.caps-word",
		"templates/pushy.txt:3:47 error  courteous.false-urgency",
		"templates/pushy.txt:3:52 error  courteous.caps-word",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("diagnostics (-want +got):\n%s\nin full:\n%s", diff, lines(r.Diagnostics))
	}
	for _, field := range []string{".Item.Nmae", ".Item.Adress"} {
		if !strings.Contains(lines(r.Diagnostics), "unknown field "+field) {
			t.Errorf("no diagnostic names the template field %s:\n%s", field, lines(r.Diagnostics))
		}
	}
	// Every campaign was read as far as it could be, the faulty ones too,
	// so that each file's problems are reported together.
	if diff := cmp.Diff([]string{"broken", "misspelt", "pushy", "reminder"}, campaignIDs(r)); diff != "" {
		t.Errorf("campaigns read (-want +got):\n%s", diff)
	}
	for _, d := range r.Diagnostics {
		if strings.Contains(d.File, "reminder") {
			t.Errorf("the good campaign raised %s", d)
		}
	}
}

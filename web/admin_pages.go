package web

import (
	"bytes"
	"embed"
	"encoding/csv"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/internal/csvsafe"
	"github.com/courtesyhq/courtesy/report"
)

//go:embed templates/admin/*.html templates/admin/admin.css
var adminFS embed.FS

// adminView is what every dashboard template receives.
type adminView struct {
	Site     site
	Title    string
	CSRF     string
	SignedIn bool
	Data     any
}

type adminPageSet struct {
	site site
	set  map[string]*template.Template
	css  []byte
}

func mustLoadAdminPages(cfg Config) *adminPageSet {
	loc := cfg.Location
	funcs := template.FuncMap{
		"when": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.In(loc).Format("2006-01-02 15:04")
		},
	}
	css, err := adminFS.ReadFile("templates/admin/admin.css")
	if err != nil {
		panic(err)
	}
	return &adminPageSet{
		site: site{Name: cfg.BusinessName, PostalAddress: cfg.PostalAddress, ReplyTo: cfg.ReplyTo},
		set:  parsePages(adminFS, "templates/admin", funcs),
		css:  append(append(css, '\n'), report.Stylesheet...),
	}
}

func (p *adminPageSet) render(w http.ResponseWriter, code int, name string, v adminView) {
	v.Site = p.site
	var buf bytes.Buffer
	if err := p.set[name].ExecuteTemplate(&buf, "layout.html", v); err != nil {
		buf.Reset()
		code = http.StatusInternalServerError
		_ = p.set["problem"].ExecuteTemplate(&buf, "layout.html", adminView{Site: p.site, Title: "Error", Data: errorView(tongue{}, code)})
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(code)
	_, _ = w.Write(buf.Bytes())
}

func (s *Server) adminRoutes() {
	m := routeTable{s}
	m.HandleFunc("GET /admin/{$}", s.adminOnly(s.adminDashboard))
	m.HandleFunc("GET /admin/login", s.adminLoginGet)
	m.HandleFunc("POST /admin/login", s.adminLoginPost)
	m.HandleFunc("POST /admin/logout", s.adminOnly(s.adminLogout))
	m.HandleFunc("GET /admin/logs", s.adminOnly(s.adminLogs))
	m.HandleFunc("GET /admin/export.csv", s.adminOnly(s.adminExport))
	m.HandleFunc("POST /admin/campaigns/{id}/{action}", s.adminOnly(s.adminCampaign))
	m.HandleFunc("GET /admin/admin.css", s.adminStylesheet)
}

func (s *Server) adminStylesheet(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	_, _ = w.Write(s.adminPages.css)
}

// periods are the report periods the dashboard offers.
var periods = []struct {
	Value string
	Days  int
}{{"1d", 1}, {"7d", 7}, {"30d", 30}, {"90d", 90}, {"365d", 365}}

func periodOf(v string, def string) (string, time.Duration) {
	for _, p := range periods {
		if p.Value == v {
			return p.Value, time.Duration(p.Days) * 24 * time.Hour
		}
	}
	return periodOf(def, "30d")
}

type dashboardData struct {
	Period    string
	Periods   []string
	Campaigns []report.Campaign
	Report    template.HTML
}

func periodValues() []string {
	out := make([]string, len(periods))
	for i, p := range periods {
		out[i] = p.Value
	}
	return out
}

func (s *Server) adminDashboard(w http.ResponseWriter, r *http.Request, sess string) {
	period, d := periodOf(r.URL.Query().Get("since"), "30d")
	o := s.cfg.Report
	o.Until = s.now()
	o.Since = o.Until.Add(-d)
	o.Now = s.cfg.Now
	if o.Location == nil {
		o.Location = s.cfg.Location
	}
	rep, err := report.Build(r.Context(), s.deps.Admin, o)
	if err != nil {
		s.adminFail(w, r, err)
		return
	}
	frag, err := report.Fragment(rep)
	if err != nil {
		s.adminFail(w, r, err)
		return
	}
	// Buttons only for the configured campaigns: one known from old data
	// alone cannot be switched.
	var switchable []report.Campaign
	for _, c := range rep.Campaigns {
		if s.knownCampaign(c.ID) {
			switchable = append(switchable, c)
		}
	}
	s.adminPages.render(w, http.StatusOK, "dashboard", adminView{Title: "Dashboard", CSRF: s.admin.csrf(sess), SignedIn: true,
		Data: dashboardData{Period: period, Periods: periodValues(), Campaigns: switchable, Report: frag}})
}

func (s *Server) knownCampaign(id string) bool {
	for _, c := range s.cfg.Report.Campaigns {
		if c.ID == id {
			return true
		}
	}
	return false
}

// logQuery is a search of the owner's logs.
type logQuery struct {
	Kind     string // decisions, sends or optouts
	Campaign string
	Customer string
	Outcome  string
	Since    string
}

func (q logQuery) Encode() string {
	v := url.Values{}
	for k, x := range map[string]string{"kind": q.Kind, "campaign": q.Campaign, "customer": q.Customer,
		"outcome": q.Outcome, "since": q.Since} {
		if x != "" {
			v.Set(k, x)
		}
	}
	return v.Encode()
}

func (s *Server) parseLogQuery(r *http.Request) (logQuery, courtesy.Filter) {
	v := r.URL.Query()
	q := logQuery{Kind: v.Get("kind"), Campaign: strings.TrimSpace(v.Get("campaign")),
		Customer: strings.TrimSpace(v.Get("customer")), Outcome: v.Get("outcome")}
	switch q.Kind {
	case "sends", "optouts":
	default:
		q.Kind = "decisions"
	}
	var d time.Duration
	q.Since, d = periodOf(v.Get("since"), "7d")
	f := courtesy.Filter{CampaignID: q.Campaign, CustomerID: q.Customer, Since: s.now().Add(-d)}
	switch {
	case q.Kind == "sends":
		f.Outcomes = []courtesy.Outcome{courtesy.Sent}
	case q.Outcome != "":
		o := courtesy.Outcome(q.Outcome)
		if o.Final() || o == courtesy.Planned || o == courtesy.Deferred || o == courtesy.Claimed {
			f.Outcomes = []courtesy.Outcome{o}
		} else {
			q.Outcome = ""
		}
	}
	return q, f
}

// logTable is rows of text under a header, shared by the page and the CSV.
type logTable struct {
	Header []string
	Rows   [][]string
}

func (s *Server) logRows(r *http.Request, q logQuery, f courtesy.Filter) (logTable, error) {
	ts := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(s.cfg.Location).Format("2006-01-02 15:04:05")
	}
	if q.Kind == "optouts" {
		outs, err := s.deps.Admin.OptOuts(r.Context(), f)
		if err != nil {
			return logTable{}, err
		}
		t := logTable{Header: []string{"time", "customer", "purpose", "source", "campaign", "variant", "reason", "comment"}}
		for _, o := range outs {
			t.Rows = append(t.Rows, []string{ts(o.At), o.CustomerID, o.Purpose, o.Source, o.CampaignID, o.Variant, o.Reason, o.Comment})
		}
		return t, nil
	}
	msgs, err := s.deps.Admin.Messages(r.Context(), f)
	if err != nil {
		return logTable{}, err
	}
	t := logTable{Header: []string{"time", "campaign", "variant", "customer", "decision", "version", "subject"}}
	for _, m := range msgs {
		t.Rows = append(t.Rows, []string{ts(m.DecidedAt), m.CampaignID, m.Variant, m.CustomerID, m.Decision.String(), m.CampaignVersion, m.Subject})
	}
	return t, nil
}

// maxLogRows caps a log page; the CSV export has everything.
const maxLogRows = 200

type logsData struct {
	Query     logQuery
	Periods   []string
	Outcomes  []string
	Campaigns []string
	Table     logTable
	More      bool
	CSV       string
}

func (s *Server) adminLogs(w http.ResponseWriter, r *http.Request, sess string) {
	q, f := s.parseLogQuery(r)
	f.Limit = maxLogRows + 1
	t, err := s.logRows(r, q, f)
	if err != nil {
		s.adminFail(w, r, err)
		return
	}
	more := len(t.Rows) > maxLogRows
	if more {
		t.Rows = t.Rows[:maxLogRows]
	}
	var ids []string
	for _, c := range s.cfg.Report.Campaigns {
		ids = append(ids, c.ID)
	}
	s.adminPages.render(w, http.StatusOK, "logs", adminView{Title: "Logs", CSRF: s.admin.csrf(sess), SignedIn: true,
		Data: logsData{Query: q, Periods: periodValues(), Campaigns: ids, Table: t, More: more,
			Outcomes: []string{"sent", "suppressed", "held", "failed", "expired", "control", "deferred", "planned"},
			CSV:      "/admin/export.csv?" + q.Encode()}})
}

func (s *Server) adminExport(w http.ResponseWriter, r *http.Request, _ string) {
	q, f := s.parseLogQuery(r)
	t, err := s.logRows(r, q, f)
	if err != nil {
		s.adminFail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="courtesy-%s-%s.csv"`, q.Kind, s.now().UTC().Format("20060102")))
	cw := csv.NewWriter(w)
	_ = cw.Write(t.Header)
	for _, row := range t.Rows {
		_ = cw.Write(csvsafe.Record(row))
	}
	cw.Flush()
}

// adminCampaign pauses or resumes a campaign: the same switch as
// `courtesy campaign pause|resume` and the guardrail. A resume dates the
// state now, so the guardrail judges only what follows it.
func (s *Server) adminCampaign(w http.ResponseWriter, r *http.Request, _ string) {
	id, action := r.PathValue("id"), r.PathValue("action")
	if !s.knownCampaign(id) || (action != "pause" && action != "resume") {
		s.adminFail(w, r, fmt.Errorf("campaign %q %s: %w", id, action, courtesy.ErrNotFound))
		return
	}
	reason := "manual " + action + " on the dashboard"
	if note := strings.TrimSpace(r.PostFormValue("note")); note != "" {
		reason += ": " + note
	}
	st := courtesy.CampaignState{ID: id, Paused: action == "pause", Reason: reason, At: s.now()}
	if err := s.deps.Admin.SetCampaignState(r.Context(), st); err != nil {
		s.adminFail(w, r, err)
		return
	}
	s.cfg.Logger.Info("campaign "+action+"d on the dashboard", "campaign", id)
	http.Redirect(w, r, "/admin/?since="+url.QueryEscape(r.PostFormValue("since"))+"#campaign-"+id, http.StatusSeeOther)
}

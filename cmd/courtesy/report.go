package main

import (
	"flag"
	"time"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/courtesyhq/courtesy/config"
	"github.com/courtesyhq/courtesy/guardrail"
	"github.com/courtesyhq/courtesy/report"
	"github.com/courtesyhq/courtesy/signup/signupredis"
	"github.com/courtesyhq/courtesy/web"
	"github.com/courtesyhq/courtesy/worker"
)

func init() {
	commands["report"] = command{
		"report [--since DUR | --from DATE [--until DATE]] [--window DUR] [--format table|json|html]",
		"the owner's report: per campaign and variant, against the control group",
		cmdReport,
	}
}

func cmdReport(inv *invocation, args []string) error {
	fs := inv.flags("report")
	since := fs.String("since", "30d", "report on the last `DUR` (such as 7d, 90d)")
	from := fs.String("from", "", "report on a calendar period from this `DATE` (YYYY-MM-DD, in the business's time zone)")
	until := fs.String("until", "", "end the --from period before this `DATE` (exclusive; default now)")
	window := fs.String("window", "7d", "a purchase this long after a message counts as following it")
	format := fs.String("format", "table", "table, json or html")
	if _, err := parsePositional(fs, args, 0, 0); err != nil {
		return err
	}
	if !oneOf(*format, "table", "json", "html") {
		return usagef("--format %q: want table, json or html", *format)
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if set["since"] && (set["from"] || set["until"]) {
		return usagef("--since and --from/--until both name the period: give one")
	}
	if set["until"] && !set["from"] {
		return usagef("--until %q needs --from: a calendar period has a first day", *until)
	}
	d, err := config.ParseDuration(*since)
	if err != nil || d <= 0 {
		return usagef("--since %q: want a duration such as 30d", *since)
	}
	w, err := config.ParseDuration(*window)
	if err != nil || w <= 0 {
		return usagef("--window %q: want a duration such as 7d", *window)
	}
	a, db, err := inv.loadStore()
	if err != nil {
		return err
	}
	defer a.close()
	if _, err := a.redis(); err != nil {
		// The rest of the report is in the database.
		a.logger.Warn("sign-ups started are counted in Redis, which is not reachable", "err", err)
	}
	opts := a.reportOptions()
	opts.Until = a.now().In(opts.Location)
	opts.Since = opts.Until.Add(-d)
	if set["from"] {
		if opts.Since, opts.Until, err = calendarPeriod(*from, *until, opts.Until); err != nil {
			return err
		}
	}
	opts.Window = w
	r, err := report.Build(a.ctx(), db, opts)
	if err != nil {
		return err
	}
	switch *format {
	case "json":
		return report.WriteJSON(inv.stdio.out, r)
	case "html":
		return report.WriteHTML(inv.stdio.out, r)
	}
	return report.WriteText(inv.stdio.out, r)
}

// calendarPeriod reads --from and --until, dates at midnight in now's time
// zone (the business's); until is exclusive and defaults to now.
func calendarPeriod(from, until string, now time.Time) (since, end time.Time, err error) {
	day := func(flag, s string) (time.Time, error) {
		t, err := time.ParseInLocation(time.DateOnly, s, now.Location())
		if err != nil {
			return t, usagef("--%s %q: want a date such as 2027-05-01", flag, s)
		}
		return t, nil
	}
	if since, err = day("from", from); err != nil {
		return since, end, err
	}
	end = now
	if until != "" {
		if end, err = day("until", until); err != nil {
			return since, end, err
		}
	}
	if !since.Before(end) {
		return since, end, usagef("--from %s is not before --until %s: the period is empty", from, end.Format(time.DateOnly))
	}
	return since, end, nil
}

// reportOptions are the report's settings from the configuration; the
// period is the caller's.
func (a *app) reportOptions() report.Options {
	o := report.Options{
		MinSample: a.cfg.Guardrails.MinSample,
		Purposes:  a.cfg.PurposeNames(),
		Location:  a.cfg.Location(),
		Now:       a.now,
	}
	for _, c := range a.loaded.Campaigns {
		o.Campaigns = append(o.Campaigns, report.CampaignInfo{ID: c.ID, Name: c.Name, Purpose: c.Purpose})
	}
	if a.rdb != nil {
		o.Started = signupredis.NewTally(a.rdb, a.redisPrefix(), a.cfg.Location())
	}
	return o
}

// guard builds the guardrail over the configured campaigns. It emails the
// owner through the process's SMTP pool when business.owner_email is set.
func (a *app) guard() (*guardrail.Guard, error) {
	db, err := a.store()
	if err != nil {
		return nil, err
	}
	g := a.cfg.Guardrails
	b := a.cfg.Business
	cfg := guardrail.Config{
		MaxOptOutRate:    g.MaxOptoutRate,
		MaxComplaintRate: g.MaxComplaintRate,
		MinSample:        g.MinSample,
		OwnerEmail:       b.OwnerEmail,
		From:             b.From,
		BaseURL:          b.BaseURL,
		Domain:           fromDomain(b.From),
		Locale:           b.Locale,
		Store:            db,
		Now:              a.now,
		Logger:           a.logger,
	}
	for _, c := range a.loaded.Campaigns {
		if c.Enabled {
			cfg.Campaigns = append(cfg.Campaigns, c.ID)
		}
	}
	if b.OwnerEmail != "" {
		s, err := a.sender()
		if err != nil {
			return nil, err
		}
		cfg.Sender = s
	}
	return guardrail.New(cfg)
}

// webMetrics is the registry /metrics serves, with the depth of the send
// queue read from Redis at each scrape when this process is connected to it.
func (a *app) webMetrics() *prometheus.Registry {
	a.metricsOf()
	reg := a.registry
	if a.rdb != nil {
		insp := asynq.NewInspectorFromRedisClient(a.rdb)
		reg.MustRegister(web.QueueCollector{Info: func() (map[string]int, error) {
			q, err := insp.GetQueueInfo(worker.Queue)
			if err != nil {
				return nil, err
			}
			return map[string]int{"pending": q.Pending, "active": q.Active, "scheduled": q.Scheduled,
				"retry": q.Retry, "archived": q.Archived}, nil
		}})
	}
	return reg
}

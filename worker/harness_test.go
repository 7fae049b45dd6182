package worker_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/campaigns"
	"github.com/courtesyhq/courtesy/consent"
	"github.com/courtesyhq/courtesy/internal/testenv"
	"github.com/courtesyhq/courtesy/mailer"
	"github.com/courtesyhq/courtesy/mailer/mailtest"
	"github.com/courtesyhq/courtesy/scheduler"
	"github.com/courtesyhq/courtesy/store"
	"github.com/courtesyhq/courtesy/store/storetest"
	"github.com/courtesyhq/courtesy/throttle"
	"github.com/courtesyhq/courtesy/throttle/throttleredis"
	"github.com/courtesyhq/courtesy/tone"
	"github.com/courtesyhq/courtesy/worker"
)

// clock is a test clock the pipeline and planner read.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

// queue records what the pipeline and planner enqueue instead of using
// asynq, so a test decides when each task runs.
type queue struct {
	mu      sync.Mutex
	tasks   []task
	batches int
	batchOf map[string]int // key → the batch task it was queued in
}

type task struct {
	key string
	due time.Time
}

func (q *queue) Enqueue(_ context.Context, key string, due, _ time.Time) error {
	q.mu.Lock()
	q.tasks = append(q.tasks, task{key, due})
	delete(q.batchOf, key)
	q.mu.Unlock()
	return nil
}

// EnqueueBatch queues messages due now as one batch task: work runs them
// together.
func (q *queue) EnqueueBatch(_ context.Context, keys []string) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.batches++
	if q.batchOf == nil {
		q.batchOf = map[string]int{}
	}
	for _, k := range keys {
		q.tasks = append(q.tasks, task{key: k})
		q.batchOf[k] = q.batches
	}
	return nil
}

// tasksOf groups keys as they were queued: the keys of one batch task
// together, each other key alone. A key queued again on its own since
// leaves its batch.
func (q *queue) tasksOf(keys []string) [][]string {
	q.mu.Lock()
	defer q.mu.Unlock()
	var out [][]string
	last := 0
	for _, k := range keys {
		b := q.batchOf[k]
		if b != 0 && b == last {
			out[len(out)-1] = append(out[len(out)-1], k)
			continue
		}
		out = append(out, []string{k})
		last = b
	}
	return out
}

// take removes and returns the keys of the tasks due by now; tasks for
// later stay queued, as asynq's scheduled tasks do.
func (q *queue) take(now time.Time) []string {
	q.mu.Lock()
	defer q.mu.Unlock()
	var keys []string
	rest := q.tasks[:0]
	for _, t := range q.tasks {
		if t.due.After(now) {
			rest = append(rest, t)
			continue
		}
		keys = append(keys, t.key)
	}
	q.tasks = rest
	return keys
}

const birthdayYAML = `id: birthday-treat
name: Birthday treat
kind: birthday
purpose: birthday
priority: 10
send:
  at: "09:30"
  window: 3h
limits: ["1/365d"]
template:
  subject: "Happy birthday, {{.Customer.FirstName}}"
  text: birthday.txt
  html: birthday.html
tone: warm
`

var templateFS = fstest.MapFS{
	"templates/birthday.txt":     {Data: []byte("Dear {{.Customer.FirstName}},\n\nHappy birthday from all of us at {{.Business.Name}}. Your next slice is on us.\n")},
	"templates/birthday.html":    {Data: []byte("<p>Dear {{.Customer.FirstName}},</p><p>Happy birthday from all of us at {{.Business.Name}}.</p>")},
	"templates/greeting.txt":     {Data: []byte("Dear {{.Customer.FirstName}},\n\nHappy birthday from all of us at {{.Business.Name}}.\n")},
	"templates/greeting.html":    {Data: []byte("<p>Dear {{.Customer.FirstName}},</p><p>Happy birthday from all of us at {{.Business.Name}}.</p>")},
	"templates/greeting.de.txt":  {Data: []byte("Liebe(r) {{.Customer.FirstName}},\n\nalles Gute zum Geburtstag von uns allen bei {{.Business.Name}}.\n")},
	"templates/greeting.de.html": {Data: []byte("<p>Liebe(r) {{.Customer.FirstName}},</p><p>alles Gute zum Geburtstag von uns allen bei {{.Business.Name}}.</p>")},
	"templates/loud.txt":         {Data: []byte("LAST CHANCE!!! Only today, {{.Customer.FirstName}}.\n")},
	"templates/reminder.txt":     {Data: []byte("Hello {{.Customer.FirstName}},\n\nYou saved {{.Item.Name}} ({{.Item.URL}}). It is still here if you would like it.\n\n{{.Business.Name}}\n")},
	"templates/knapp.de.txt":     {Data: []byte("Hallo {{.Customer.FirstName}},\n\nalles Gute zum Geburtstag! Die Vorräte gehen zur Neige.\n\n{{.Business.Name}}\n")},
	"templates/survey.txt": {Data: []byte("Hello {{.Customer.FirstName}},\n\nHow likely is it that you would recommend {{.Business.Name}} to a friend or colleague?\n" +
		"{{range $i, $u := .Links.Survey}}{{$i}}: {{$u}}\n{{end}}")},
}

// env is one test's running pipeline over real Redis, a SQLite store and an
// in-process SMTP server.
type env struct {
	t        *testing.T
	rdb      *redis.Client
	db       *store.DB
	sink     *mailtest.Sink
	clock    *clock
	queue    *queue
	pipeline *worker.Pipeline
	planner  *scheduler.Planner
	signer   *consent.Signer
	sender   mailer.Sender
}

type options struct {
	campaignYAML string
	more         []string // further campaign files
	sender       func(mailer.Sender) mailer.Sender
	quiet        string
	limits       []throttle.Limit
	now          func() time.Time // the pipeline's clock; defaults to the env's test clock
	limiter      func(worker.Limiter) worker.Limiter
	store        func(worker.Store) worker.Store // wraps what the pipeline reads and records
	locale       string                          // the business's language
	streams      int                             // messages of a batch with SMTP at once; 1 sends on the task's goroutine
	toneRules    []tone.Rule                     // the shop's own tone rules
}

func newEnv(t *testing.T, o options) *env {
	t.Helper()
	if o.campaignYAML == "" {
		o.campaignYAML = birthdayYAML
	}
	rdb := testenv.Redis(t, testenv.RedisDBWorker)
	db := storetest.OpenSQLite(t)
	sink := mailtest.NewSink(t)
	c, diags := campaigns.Parse("campaigns/test.yaml", []byte(o.campaignYAML), campaigns.Env{
		Purposes:     []string{"birthday", "reminders", "surveys"},
		Templates:    templateFS,
		TemplatesDir: "templates",
		Location:     time.UTC,
		Locale:       o.locale,
	})
	if diags.HasErrors() {
		t.Fatalf("campaign: %v", diags)
	}
	all := map[string]*campaigns.Campaign{c.ID: c}
	list := []*campaigns.Campaign{c}
	for i, y := range o.more {
		mc, diags := campaigns.Parse(fmt.Sprintf("campaigns/more%d.yaml", i), []byte(y), campaigns.Env{
			Purposes: []string{"birthday", "reminders", "surveys"}, Templates: templateFS, TemplatesDir: "templates", Location: time.UTC,
			Locale: o.locale,
		})
		if diags.HasErrors() {
			t.Fatalf("campaign: %v", diags)
		}
		all[mc.ID] = mc
		list = append(list, mc)
	}
	key, err := consent.GenerateKey("k1")
	if err != nil {
		t.Fatal(err)
	}
	signer, err := consent.NewSigner([]consent.Key{key})
	if err != nil {
		t.Fatal(err)
	}
	sender, err := mailer.Open(sink.URL(), mailer.Config{MaxConnections: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sender.Close() })
	if o.sender != nil {
		sender = o.sender(sender)
	}
	checker, err := tone.New("warm", o.toneRules...)
	if err != nil {
		t.Fatal(err)
	}
	var quiet throttle.QuietHours
	if o.quiet != "" {
		var err error
		if quiet, err = throttle.ParseQuietHours(o.quiet); err != nil {
			t.Fatal(err)
		}
	}
	e := &env{t: t, rdb: rdb, db: db, sink: sink, clock: &clock{}, queue: &queue{}, signer: signer, sender: sender}
	now := o.now
	if now == nil {
		now = e.clock.Now
	}
	var limiter worker.Limiter = throttleredis.NewLimiter(rdb, "test:"+t.Name(), db)
	var pipelineStore worker.Store = db
	if o.store != nil {
		pipelineStore = o.store(db)
	}
	if o.limiter != nil {
		limiter = o.limiter(limiter)
	}
	e.pipeline, err = worker.New(worker.Config{
		Business: worker.Business{
			Name: "Crumb & Co. Bakery", PostalAddress: "12 Mill Lane, Bristol BS1 4DJ, UK",
			From: "Crumb & Co. <hello@crumb.example>", ReplyTo: "hello@crumb.example",
			BaseURL: "https://crumb.example", Domain: "crumb.example", Location: time.UTC,
		},
		Campaigns:  all,
		Limits:     o.limits,
		QuietHours: quiet,
		Tone:       map[string]*tone.Checker{"warm": checker},
		Signer:     signer,
		Store:      pipelineStore,
		Limiter:    limiter,
		Sender:     sender,
		Scheduler:  e.queue,
		Streams:    o.streams,
		Now:        now,
	})
	if err != nil {
		t.Fatal(err)
	}
	e.planner = &scheduler.Planner{Campaigns: list, Store: db, Queue: e.queue, Location: time.UTC}
	return e
}

func (e *env) customer(id, email, first, birthday, tz string) {
	e.t.Helper()
	e.upsert(courtesy.Customer{ID: id, Email: email, FirstName: first, Timezone: tz}, birthday)
}

// customerIn adds a customer with a locale.
func (e *env) customerIn(id, email, first, birthday, locale string) {
	e.t.Helper()
	e.upsert(courtesy.Customer{ID: id, Email: email, FirstName: first, Locale: locale}, birthday)
}

func (e *env) upsert(c courtesy.Customer, birthday string) {
	e.t.Helper()
	md, err := courtesy.ParseMonthDay(birthday)
	if err != nil {
		e.t.Fatal(err)
	}
	c.Birthday = md
	errs, err := e.db.UpsertCustomers(context.Background(), []courtesy.Customer{c})
	if err != nil || errs[0] != nil {
		e.t.Fatalf("upsert %s: %v %v", c.ID, err, errs)
	}
}

func (e *env) consent(id, purpose string, status courtesy.ConsentStatus, at time.Time) {
	e.t.Helper()
	if _, err := e.db.AppendConsent(context.Background(), courtesy.ConsentRecord{
		CustomerID: id, Purpose: purpose, Status: status, Source: "form", Notice: "signup-v1", RecordedAt: at,
	}); err != nil {
		e.t.Fatal(err)
	}
}

// plan runs the planner at the test clock's time and returns the keys it queued.
func (e *env) plan() []string {
	e.t.Helper()
	if _, err := e.planner.Plan(context.Background(), e.clock.Now()); err != nil {
		e.t.Fatal(err)
	}
	return e.queue.take(e.clock.Now())
}

// work processes every queued key, as a worker would, until none is left:
// the keys of a batch task together, the others each alone.
func (e *env) work(keys []string) {
	e.t.Helper()
	for len(keys) > 0 {
		for _, ks := range e.queue.tasksOf(keys) {
			var err error
			if len(ks) > 1 {
				err = e.pipeline.ProcessBatch(context.Background(), ks)
			} else {
				err = e.pipeline.Process(context.Background(), ks[0], false)
			}
			if err != nil {
				e.t.Logf("process %v: %v", ks, err)
			}
		}
		keys = e.queue.take(e.clock.Now())
	}
}

func (e *env) decision(key string) string {
	e.t.Helper()
	m, err := e.db.Message(context.Background(), key)
	if err != nil {
		e.t.Fatalf("message %s: %v", key, err)
	}
	return m.Decision.String()
}

// the asynq import keeps the task type's tests honest about SkipRetry.
var _ = asynq.SkipRetry

package main

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/hibiken/asynq"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/consent"
	"github.com/courtesyhq/courtesy/store"
)

// summary is what a run found.
type summary struct {
	opts                     options
	zone                     string
	start, chaosEnd, drained time.Time
	drainErr                 error
	kills                    []kill
	optOuts                  []optOut
	queue                    asynq.QueueInfo

	decisions    map[string]int
	rows         int
	open         int // messages without a final decision
	sent         int
	unknown      int // failed:unknown-outcome
	sink         sinkCounts
	atChaosEnd   sinkCounts // what the sink had when the kills stopped
	optOutLost   []string   // acknowledged but not in the store
	optOutLate   []string   // a send that started after the acknowledgement
	optOutFailed []string   // the POST did not get a 200
}

func finalDecision(d string) bool {
	o, _, _ := strings.Cut(d, ":")
	return courtesy.Outcome(o).Final()
}

// collect reads the store and the sink once every process has stopped.
func (s *summary) collect(ctx context.Context, db *store.DB, sk *sink) error {
	var err error
	if s.decisions, err = db.CountDecisions(ctx, courtesy.Filter{}); err != nil {
		return err
	}
	for d, n := range s.decisions {
		s.rows += n
		if !finalDecision(d) {
			s.open += n
		}
	}
	s.sent = s.decisions["sent"]
	s.unknown = s.decisions["failed:"+courtesy.ReasonUnknownOutcome]
	s.sink = sk.counts()
	for _, o := range s.optOuts {
		if o.err != nil || o.code != 200 {
			s.optOutFailed = append(s.optOutFailed, fmt.Sprintf("%s: %d %v", o.customer, o.code, o.err))
			continue
		}
		hist, err := db.ConsentHistory(ctx, o.customer)
		if err != nil {
			return err
		}
		outs, err := db.OptOuts(ctx, courtesy.Filter{CustomerID: o.customer})
		if err != nil {
			return err
		}
		if consent.Current(hist, "birthday", time.Now()).Granted || len(outs) == 0 {
			s.optOutLost = append(s.optOutLost, o.customer)
		}
		msgs, err := db.Messages(ctx, courtesy.Filter{CustomerID: o.customer})
		if err != nil {
			return err
		}
		for _, m := range msgs {
			// A message's decision time is when its worker started on it,
			// before its last consent check: a send that started after the
			// acknowledgement must have seen the opt-out.
			if m.Decision.Outcome == courtesy.Sent && m.DecidedAt.After(o.acked) {
				s.optOutLate = append(s.optOutLate, m.Key)
			}
		}
	}
	return nil
}

// claimedAtKills is an upper bound on the messages the killed workers had
// between claim and SMTP reply: every claim open right after each kill.
func (s *summary) claimedAtKills() int {
	n := 0
	for _, k := range s.kills {
		n += k.claimed
	}
	return n
}

// failures lists every check that failed.
func (s *summary) failures() []string {
	var f []string
	check := func(ok bool, format string, args ...any) {
		if !ok {
			f = append(f, fmt.Sprintf(format, args...))
		}
	}
	check(s.drainErr == nil, "queue: %v", s.drainErr)
	check(s.rows == s.opts.Messages, "store: %d message rows for %d due occurrences", s.rows, s.opts.Messages)
	check(s.open == 0, "store: %d messages without a final decision", s.open)
	check(s.sink.dupIDs == 0, "sink: %d messages received twice by Message-ID", s.sink.dupIDs)
	check(s.sink.dupRcpt == 0, "sink: %d messages received twice by recipient and campaign", s.sink.dupRcpt)
	check(s.sink.total >= s.sent, "sink: %d received, fewer than the %d recorded sent", s.sink.total, s.sent)
	check(s.sink.total <= s.sent+s.unknown, "sink: %d received, more than sent (%d) + unknown outcome (%d)", s.sink.total, s.sent, s.unknown)
	check(s.unknown <= s.claimedAtKills(), "failed:unknown-outcome %d exceeds the %d claims open at the kills", s.unknown, s.claimedAtKills())
	q := s.queue
	check(q.Pending+q.Active+q.Scheduled+q.Retry == 0, "queue: %d pending, %d active, %d scheduled, %d retry", q.Pending, q.Active, q.Scheduled, q.Retry)
	check(len(s.optOutFailed) == 0, "opt-outs not acknowledged: %v", s.optOutFailed)
	check(len(s.optOutLost) == 0, "opt-outs acknowledged but not in the store: %v", s.optOutLost)
	check(len(s.optOutLate) == 0, "sends that started after an acknowledged opt-out: %v", s.optOutLate)
	return f
}

func (s *summary) print(w io.Writer) {
	o := s.opts
	fmt.Fprintf(w, "courtesy chaos: %d messages, %d workers x %d, store %s, %v of kills (seed %d), recipients in %s\n",
		o.Messages, o.Workers, o.Concurrency, o.DB, o.Duration, o.Seed, s.zone)
	fmt.Fprintf(w, "  kills                  %d (SIGKILL, restarted at once)\n", len(s.kills))
	fmt.Fprintf(w, "  claims open at kills   %d (upper bound on in-flight messages of the killed workers)\n", s.claimedAtKills())
	fmt.Fprintf(w, "  drained                %.1fs after the chaos ended\n", s.drained.Sub(s.chaosEnd).Seconds())
	fmt.Fprintf(w, "  message rows           %d (undecided: %d)\n", s.rows, s.open)
	keys := make([]string, 0, len(s.decisions))
	for d := range s.decisions {
		keys = append(keys, d)
	}
	sort.Strings(keys)
	for _, d := range keys {
		fmt.Fprintf(w, "    %-32s %d\n", d, s.decisions[d])
	}
	fmt.Fprintf(w, "  sink received          %d (twice by Message-ID: %d, twice by recipient+campaign: %d)\n", s.sink.total, s.sink.dupIDs, s.sink.dupRcpt)
	fmt.Fprintf(w, "  unknown outcome        %d; delivered of those: %d\n", s.unknown, s.sink.total-s.sent)
	fmt.Fprintf(w, "  queue after drain      pending %d, active %d, scheduled %d, retry %d, archived %d\n",
		s.queue.Pending, s.queue.Active, s.queue.Scheduled, s.queue.Retry, s.queue.Archived)
	fmt.Fprintf(w, "  opt-outs               %d posted, %d acknowledged, lost %d, sends after ack %d\n",
		len(s.optOuts), len(s.optOuts)-len(s.optOutFailed), len(s.optOutLost), len(s.optOutLate))
	if busy := s.chaosEnd.Sub(s.atChaosEnd.first).Seconds(); busy > 0 && !s.atChaosEnd.first.IsZero() {
		fmt.Fprintf(w, "  delivery rate          %.0f msg/s while workers were being killed (%d in %.0fs)\n",
			float64(s.atChaosEnd.total)/busy, s.atChaosEnd.total, busy)
	}
	if f := s.failures(); len(f) > 0 {
		fmt.Fprintln(w, "FAIL")
		for _, l := range f {
			fmt.Fprintln(w, "  "+l)
		}
		return
	}
	fmt.Fprintln(w, "PASS: every message has one final decision, none was received twice, every opt-out held")
}

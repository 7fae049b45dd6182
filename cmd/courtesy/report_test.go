package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/store"
)

// TestReportCalendarPeriod: `courtesy report --from 2027-05-01 --until
// 2027-06-01` is May in the bakery's time zone (London, an hour ahead of
// UTC in summer): a greeting sent at 23:30 UTC on 30 April is in it, one
// sent at 23:30 UTC on 31 May is not. An answer given in May to a survey
// sent in March counts in May.
func TestReportCalendarPeriod(t *testing.T) {
	cfg, env := bakeryShop(t, "smtp://127.0.0.1:1")
	ctx := context.Background()
	db, err := store.Open(ctx, env["DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	var b store.Bulk
	sent := func(campaign, purpose, customer string, at time.Time) string {
		key := courtesy.MessageKey(campaign, customer, "1")
		b.Customers = append(b.Customers, courtesy.Customer{ID: customer, Email: customer + "@example.com", CreatedAt: at, UpdatedAt: at})
		b.Messages = append(b.Messages, courtesy.Message{Key: key, CampaignID: campaign, CustomerID: customer, Purpose: purpose,
			CreatedAt: at, DueAt: at, DecidedAt: at, Decision: courtesy.Decision{Outcome: courtesy.Sent}})
		return key
	}
	utc := func(s string) time.Time {
		t.Helper()
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	sent("birthday-treat", "birthday", "may-first", utc("2027-04-30T23:30:00Z"))
	sent("birthday-treat", "birthday", "june-first", utc("2027-05-31T23:30:00Z"))
	sent("birthday-treat", "birthday", "mid-may", utc("2027-05-15T10:00:00Z"))
	survey := sent("after-purchase-survey", "surveys", "march", utc("2027-03-20T10:00:00Z"))
	if err := db.BulkLoad(ctx, b); err != nil {
		t.Fatal(err)
	}
	if err := db.RecordAnswer(ctx, courtesy.Answer{MessageKey: survey, CustomerID: "march", CampaignID: "after-purchase-survey",
		Score: 9, At: utc("2027-05-03T08:00:00Z")}); err != nil {
		t.Fatal(err)
	}
	_ = db.Close()

	r := mustRun(t, env, "report", "--config", cfg, "--from", "2027-05-01", "--until", "2027-06-01", "--format", "json")
	var got struct {
		Since, Until time.Time
		Campaigns    []struct {
			ID    string
			Total struct {
				Sent int
				NPS  struct{ Answers int }
			}
		}
	}
	if err := json.Unmarshal([]byte(r.out), &got); err != nil {
		t.Fatalf("%v\n%s", err, r.out)
	}
	counts := map[string]string{}
	for _, c := range got.Campaigns {
		counts[c.ID] = fmt.Sprintf("sent %d, answers %d", c.Total.Sent, c.Total.NPS.Answers)
	}
	if !got.Since.Equal(utc("2027-04-30T23:00:00Z")) || !got.Until.Equal(utc("2027-05-31T23:00:00Z")) {
		t.Errorf("period %s to %s, want May in London", got.Since, got.Until)
	}
	if counts["birthday-treat"] != "sent 2, answers 0" || counts["after-purchase-survey"] != "sent 0, answers 1" {
		t.Errorf("report of May: %v", counts)
	}
	text := mustRun(t, env, "report", "--config", cfg, "--from", "2027-05-01", "--until", "2027-06-01")
	if !strings.Contains(text.out, "2027-05-01 to 2027-05-31") {
		t.Errorf("the table does not name May's first and last days:\n%s", text.out)
	}
}

func TestReportPeriodUsageErrors(t *testing.T) {
	cfg, env := bakeryShop(t, "smtp://127.0.0.1:1")
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--since", "7d", "--from", "2027-05-01", "--until", "2027-06-01"}, "--since and --from/--until"},
		{[]string{"--since", "7d", "--until", "2027-06-01"}, "--since and --from/--until"},
		{[]string{"--until", "2027-06-01"}, "needs --from"},
		{[]string{"--from", "May"}, `--from "May"`},
		{[]string{"--from", "2027-05-01", "--until", "2027-13-01"}, `--until "2027-13-01"`},
		{[]string{"--from", "2027-06-01", "--until", "2027-05-01"}, "the period is empty"},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			r := runCmd(t, env, append([]string{"report", "--config", cfg}, tt.args...)...)
			if r.code != 2 || !strings.Contains(r.err, tt.want) {
				t.Errorf("exit %d, want 2 and an error naming %q\n%s", r.code, tt.want, r.err)
			}
		})
	}
}

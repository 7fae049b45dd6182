package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/store"
)

// A test copy is recorded on its own: it is not a message of the campaign.
func testTestSends(t *testing.T, db *store.DB) {
	ctx := context.Background()
	sent := store.TestSend{CampaignID: "birthday-treat", CampaignVersion: "v1", Variant: "personal", Lang: "es",
		MessageID: "<t1@crumb.example>", To: "marketer@crumb.example", At: at(time.Hour)}
	if err := db.RecordTestSend(ctx, sent); err != nil {
		t.Fatal(err)
	}
	got, err := db.TestSends(ctx, "birthday-treat")
	if err != nil {
		t.Fatal(err)
	}
	sent.To = ""
	if diff := cmp.Diff([]store.TestSend{sent}, got); diff != "" {
		t.Errorf("test sends (-want +got):\n%s", diff)
	}
	msgs, err := db.Messages(ctx, courtesy.Filter{CampaignID: "birthday-treat"})
	if err != nil || len(msgs) != 0 {
		t.Errorf("a test send shows among the campaign's messages: %v %v", msgs, err)
	}
	if err := db.RecordTestSend(ctx, store.TestSend{CampaignID: "birthday-treat"}); err == nil {
		t.Error("a test send without an address was recorded")
	}
}

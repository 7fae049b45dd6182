package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/store"
)

// runConformance is the behaviour every backend must show, one subtest per
// behaviour, named for it. Each subtest gets an empty store from open.
func runConformance(t *testing.T, open func(t *testing.T) *store.DB) {
	tests := []struct {
		name string
		fn   func(t *testing.T, db *store.DB)
	}{
		{"MigratingAgainChangesNothing", testMigrationsTwice},
		{"ConcurrentWritersNeitherFailNorLoseAWrite", testConcurrentWriters},
		{"ACustomerIsStoredUpdatedAndFoundByAddress", testCustomers},
		{"AnImportSkipsBadRowsAndTheLastRepeatWins", testUpsertInvalidRows},
		{"AnImportLargerThanABatchLandsWhole", testUpsertManyBatches},
		{"AnErasedAddressCannotBeImportedAgain", testUpsertRejectsErased},
		{"BirthdaysAreFoundByMonthAndDay", testCustomersWithBirthday},
		{"APlanningRoundReadsTheBirthdaysAPageAtATime", testEachCustomerWithBirthday},
		{"CustomersAreReadByIDOnceEach", testCustomersByID},
		{"TheConsentLedgerKeepsEveryRecordInOrder", testConsentLedger},
		{"TheReportReadsTheWholeLedgerOfThoseWhoWithdrew", testConsentLedgerOfWithdrawals},
		{"NoConsentIsRecordedForAnErasedAddress", testAppendConsentErased},
		{"AWithdrawalCountsOnceUntilConsentIsGivenAgain", testWithdraw},
		{"ConcurrentOneClickOptOutsRecordOneWithdrawal", testWithdrawConcurrent},
		{"OptOutsAreListedNewestFirstAndTakeAReason", testOptOuts},
		{"EventsAreStoredOnceAndReadByTimeTypeAndItem", testEvents},
		{"PlanningAnOccurrenceTwiceMakesOneMessage", testPlanMessage},
		{"PlanningInBatchesMakesOneMessagePerKey", testPlanMessages},
		{"TheSendContextHoldsEverythingASendChecks", testSendContext},
		{"AClaimReadsWhatTheSendNeedsAndNeverClaimsTwice", testClaimForSend},
		{"ConcurrentClaimsOfOneCustomerReadEachOther", testConcurrentClaimsSeeEachOther},
		{"AnAbandonedClaimIsNotSentAgain", testClaim},
		{"OneOfManyConcurrentClaimersWins", testClaimConcurrent},
		{"ALateTrueResultReplacesAnUnknownOutcome", testDecide},
		{"ABatchsDecisionsAreRecordedTogetherAsDecideRecordsEach", testDecideAll},
		{"TheDecisionLogFiltersPagesAndCounts", testMessages},
		{"TheReportReadsTheMessagesItsReactionsName", testReportMessagesByKey},
		{"TheSweepSettlesStaleClaimsAsUnknownOutcome", testStaleClaims},
		{"WaitingMessagesExpireButOneBeingSentDoesNot", testExpireWaiting},
		{"TheSendLogHoldsWhatWentOrMayHaveGone", testSentTimes},
		{"TheLastSurveySentIsFoundAcrossSurveyCampaigns", testLastSurveySent},
		{"PreferencesDefaultToNoneAndAreReplacedWhole", testPreferences},
		{"ASuppressionCanBeLiftedAndPutBackByANewBounce", testSuppressions},
		{"AnErasureCannotBeLifted", testLiftErasure},
		{"ATestCopyIsNotAMessageOfTheCampaign", testTestSends},
		{"SoftBouncesAreCountedSinceAnInstant", testBounces},
		{"ACampaignIsNotPausedUntilSomeonePausesIt", testCampaignState},
		{"ALaterAnswerToASurveyReplacesTheFirst", testAnswers},
		{"EngagementNeedsAKindAndIsListedNewestFirst", testEngagements},
		{"ErasureLeavesOnlyAFingerprintAndTheOwnersCounts", testErase},
		{"AWebhookDeliveryIsRecordedOnceAndMatchesTheCustomer", testRecordDelivery},
		{"AWebhookDeliveryIsRecordedWholeOrNotAtAll", testRecordDeliveryIsAtomic},
		{"AWebhookDeliveryForAnErasedAddressStoresNothing", testRecordDeliveryErased},
		{"ErasureForgetsThePlatformIDs", testEraseForgetsPlatformIDs},
		{"DeliveryIDsAreKeptForTheRetentionPeriod", testDeliveryIDsAreKeptForARetention},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, open(t)) })
	}
}

// t0 is a fixed instant; every stored time is whole microseconds in UTC,
// the store's resolution.
var t0 = time.Date(2026, 11, 28, 9, 30, 0, 0, time.UTC)

func at(d time.Duration) time.Time { return t0.Add(d) }

func customer(id string) courtesy.Customer {
	return courtesy.Customer{
		ID: id, Email: id + "@example.org", FirstName: "First " + id, LastName: "Last " + id,
		Timezone: "Europe/London", Locale: "en-GB", CreatedAt: t0, UpdatedAt: t0,
	}
}

func mustUpsert(t *testing.T, db *store.DB, cs ...courtesy.Customer) {
	t.Helper()
	rowErrs, err := db.UpsertCustomers(context.Background(), cs)
	if err != nil {
		t.Fatalf("UpsertCustomers: %v", err)
	}
	for i, e := range rowErrs {
		if e != nil {
			t.Fatalf("UpsertCustomers row %d: %v", i, e)
		}
	}
}

func mustConsent(t *testing.T, db *store.DB, r courtesy.ConsentRecord) int64 {
	t.Helper()
	id, err := db.AppendConsent(context.Background(), r)
	if err != nil {
		t.Fatalf("AppendConsent: %v", err)
	}
	return id
}

func mustPlan(t *testing.T, db *store.DB, m courtesy.Message) courtesy.Message {
	t.Helper()
	created, cur, err := db.PlanMessage(context.Background(), m)
	if err != nil {
		t.Fatalf("PlanMessage(%s): %v", m.Key, err)
	}
	if !created {
		t.Fatalf("PlanMessage(%s) created nothing", m.Key)
	}
	return cur
}

func mustDecide(t *testing.T, db *store.DB, u store.DecisionUpdate) {
	t.Helper()
	applied, err := db.Decide(context.Background(), u)
	if err != nil {
		t.Fatalf("Decide(%s): %v", u.Key, err)
	}
	if !applied {
		t.Fatalf("Decide(%s, %s) not applied", u.Key, u.Decision)
	}
}

func mustCount(t *testing.T, db *store.DB, table string) int {
	t.Helper()
	n, err := db.CountRows(context.Background(), table)
	if err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

// message is a planned message of campaign for customer, created at the
// given offset from t0.
func message(campaign, customerID, occurrence string, created time.Duration) courtesy.Message {
	return courtesy.Message{
		Key:        courtesy.MessageKey(campaign, customerID, occurrence),
		CampaignID: campaign, CampaignVersion: "v1", CustomerID: customerID, Occurrence: occurrence,
		Purpose: "birthday", Variant: "personal", Decision: courtesy.Decision{Outcome: courtesy.Planned},
		DueAt: at(created + time.Hour), NotAfter: at(created + 4*time.Hour), CreatedAt: at(created),
	}
}

func keysOf(ms []courtesy.Message) []string {
	keys := []string{}
	for _, m := range ms {
		keys = append(keys, m.Key)
	}
	return keys
}

func testMigrationsTwice(t *testing.T, db *store.DB) {
	ctx := context.Background()
	mustUpsert(t, db, customer("c1"))
	for i := range 2 {
		if err := db.Migrate(ctx); err != nil {
			t.Fatalf("Migrate again (%d): %v", i, err)
		}
	}
	if got, want := mustCount(t, db, "schema_migrations"), migrationCount(t); got != want {
		t.Errorf("schema_migrations has %d rows, want %d", got, want)
	}
	if got := mustCount(t, db, "customers"); got != 1 {
		t.Errorf("customers after re-migration = %d, want 1", got)
	}
}

// Many goroutines writing at once, as the worker does, must neither fail
// (SQLITE_BUSY) nor lose a write.
func testConcurrentWriters(t *testing.T, db *store.DB) {
	ctx := context.Background()
	const n = 50
	errs := make(chan error, n)
	for i := range n {
		go func() {
			m := message("busy", fmt.Sprintf("c%02d", i), "2026", 0)
			if _, _, err := db.PlanMessage(ctx, m); err != nil {
				errs <- err
				return
			}
			if _, _, err := db.Claim(ctx, m.Key, at(time.Minute)); err != nil {
				errs <- err
				return
			}
			_, err := db.Decide(ctx, store.DecisionUpdate{Key: m.Key, Decision: courtesy.Decision{Outcome: courtesy.Sent},
				At: at(2 * time.Minute)})
			errs <- err
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Errorf("concurrent write: %v", err)
		}
	}
	got, err := db.CountDecisions(ctx, courtesy.Filter{CampaignID: "busy"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]int{"sent": n}, got); diff != "" {
		t.Errorf("decisions (-want +got):\n%s", diff)
	}
}

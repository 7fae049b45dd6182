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

func testCustomers(t *testing.T, db *store.DB) {
	ctx := context.Background()
	ana := customer("ana")
	ana.Birthday = courtesy.MonthDay{Month: time.February, Day: 29}
	bo := customer("bo")
	bo.Timezone, bo.Locale = "", ""
	mustUpsert(t, db, ana, bo)

	got, err := db.Customer(ctx, "ana")
	if err != nil {
		t.Fatalf("Customer: %v", err)
	}
	if diff := cmp.Diff(ana, got); diff != "" {
		t.Errorf("Customer(ana) (-want +got):\n%s", diff)
	}

	// An update replaces the fields and UpdatedAt but keeps CreatedAt.
	changed := ana
	changed.Email = "Ana.New@Example.org"
	changed.FirstName = "Anna"
	changed.Birthday = courtesy.MonthDay{}
	changed.CreatedAt = at(time.Hour)
	changed.UpdatedAt = at(time.Hour)
	mustUpsert(t, db, changed)
	want := changed
	want.CreatedAt = ana.CreatedAt
	got, err = db.Customer(ctx, "ana")
	if err != nil {
		t.Fatalf("Customer: %v", err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Customer(ana) after update (-want +got):\n%s", diff)
	}

	byEmail, err := db.CustomerByEmail(ctx, "  ana.new@EXAMPLE.org ")
	if err != nil {
		t.Fatalf("CustomerByEmail: %v", err)
	}
	if byEmail.ID != "ana" {
		t.Errorf("CustomerByEmail = %s, want ana", byEmail.ID)
	}
	_, err = db.CustomerByEmail(ctx, ana.Email) // the old address is gone
	wantErr(t, err, courtesy.ErrNotFound)
	_, err = db.Customer(ctx, "nobody")
	wantErr(t, err, courtesy.ErrNotFound)

	n, err := db.CountCustomers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("CountCustomers = %d, want 2", n)
	}
}

func testUpsertInvalidRows(t *testing.T, db *store.DB) {
	ctx := context.Background()
	first := customer("dup")
	second := customer("dup")
	second.FirstName = "Second"
	noEmail := customer("noemail")
	noEmail.Email = " "
	rowErrs, err := db.UpsertCustomers(ctx, []courtesy.Customer{first, {Email: "x@example.org"}, noEmail, second})
	if err != nil {
		t.Fatalf("UpsertCustomers: %v", err)
	}
	failed := []bool{}
	for _, e := range rowErrs {
		failed = append(failed, e != nil)
	}
	if diff := cmp.Diff([]bool{false, true, true, false}, failed); diff != "" {
		t.Errorf("rows that failed (-want +got):\n%s\nerrors: %v", diff, rowErrs)
	}
	got, err := db.Customer(ctx, "dup")
	if err != nil {
		t.Fatal(err)
	}
	if got.FirstName != "Second" {
		t.Errorf("repeated ID: FirstName = %q, want the later row's %q", got.FirstName, "Second")
	}
	if n := mustCount(t, db, "customers"); n != 1 {
		t.Errorf("customers = %d, want 1", n)
	}
}

func testUpsertManyBatches(t *testing.T, db *store.DB) {
	ctx := context.Background()
	const n = 1234 // more than two statements' worth
	cs := make([]courtesy.Customer, n)
	for i := range cs {
		cs[i] = customer(fmt.Sprintf("m%05d", i))
	}
	mustUpsert(t, db, cs...)
	cs[n-1].LastName = "Changed"
	mustUpsert(t, db, cs...)
	got, err := db.CountCustomers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got != n {
		t.Errorf("CountCustomers = %d, want %d", got, n)
	}
	last, err := db.Customer(ctx, cs[n-1].ID)
	if err != nil {
		t.Fatal(err)
	}
	if last.LastName != "Changed" {
		t.Errorf("last row LastName = %q, want Changed", last.LastName)
	}
}

func testUpsertRejectsErased(t *testing.T, db *store.DB) {
	ctx := context.Background()
	gone := customer("gone")
	mustUpsert(t, db, gone)
	if _, err := db.EraseCustomer(ctx, "gone", "", at(time.Hour)); err != nil {
		t.Fatalf("EraseCustomer: %v", err)
	}
	again := customer("gone-again")
	again.Email = "  GONE@example.org" // same address, other spelling
	rowErrs, err := db.UpsertCustomers(ctx, []courtesy.Customer{customer("a"), again, customer("b")})
	if err != nil {
		t.Fatalf("UpsertCustomers: %v", err)
	}
	wantErr(t, rowErrs[1], courtesy.ErrErased)
	if rowErrs[0] != nil || rowErrs[2] != nil {
		t.Errorf("other rows failed: %v", rowErrs)
	}
	if n := mustCount(t, db, "customers"); n != 2 {
		t.Errorf("customers = %d, want 2", n)
	}
	erased, err := db.IsErased(ctx, store.EmailHash(gone.Email))
	if err != nil || !erased {
		t.Errorf("IsErased = %v, %v; want true", erased, err)
	}
	erased, err = db.IsErased(ctx, store.EmailHash("a@example.org"))
	if err != nil || erased {
		t.Errorf("IsErased(other) = %v, %v; want false", erased, err)
	}
}

func testCustomersWithBirthday(t *testing.T, db *store.DB) {
	ctx := context.Background()
	days := map[string]courtesy.MonthDay{
		"feb28": {Month: time.February, Day: 28},
		"feb29": {Month: time.February, Day: 29},
		"mar01": {Month: time.March, Day: 1},
		"dec28": {Month: time.December, Day: 28},
		"none":  {},
	}
	for id, md := range days {
		c := customer(id)
		c.Birthday = md
		mustUpsert(t, db, c)
	}
	tests := []struct {
		name string
		days []courtesy.MonthDay
		want []string
	}{
		{"one day", []courtesy.MonthDay{days["mar01"]}, []string{"mar01"}},
		{"28 Feb in a common year", []courtesy.MonthDay{days["feb28"], days["feb29"]}, []string{"feb28", "feb29"}},
		{"same day other month", []courtesy.MonthDay{days["dec28"]}, []string{"dec28"}},
		{"repeated day", []courtesy.MonthDay{days["mar01"], days["mar01"]}, []string{"mar01"}},
		{"nobody", []courtesy.MonthDay{{Month: time.July, Day: 4}}, []string{}},
		{"zero day matches nobody", []courtesy.MonthDay{{}}, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs, err := db.CustomersWithBirthday(ctx, tt.days)
			if err != nil {
				t.Fatal(err)
			}
			got := []string{}
			for _, c := range cs {
				got = append(got, c.ID)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("CustomersWithBirthday (-want +got):\n%s", diff)
			}
		})
	}
}

// More IDs than one read takes, some unknown and some repeated: the known
// ones come back whole, once each.
func testCustomersByID(t *testing.T, db *store.DB) {
	var cs []courtesy.Customer
	var ids []string
	for i := range 1203 {
		c := customer(fmt.Sprintf("c%04d", i))
		cs = append(cs, c)
		ids = append(ids, c.ID)
	}
	mustUpsert(t, db, cs...)
	ids = append(ids, "nobody", "c0007", "c1202")
	got, err := db.CustomersByID(context.Background(), ids)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(cs) {
		t.Errorf("%d customers, want %d", len(got), len(cs))
	}
	for _, i := range []int{0, 499, 500, 1202} {
		want, err := db.Customer(context.Background(), cs[i].ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got[cs[i].ID]); diff != "" {
			t.Errorf("customer %s (-Customer +CustomersByID):\n%s", cs[i].ID, diff)
		}
	}
	if _, ok := got["nobody"]; ok {
		t.Error("an unknown ID came back")
	}
	if none, err := db.CustomersByID(context.Background(), nil); err != nil || len(none) != 0 {
		t.Errorf("CustomersByID(none) = %v, %v", none, err)
	}
}

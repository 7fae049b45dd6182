package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/store"
)

// A planning round reads the birthdays a page at a time: the same
// customers as CustomersWithBirthday, in pages of at most 500, and an
// error of the caller's ends the reading.
func testEachCustomerWithBirthday(t *testing.T, db *store.DB) {
	ctx := context.Background()
	mar01 := courtesy.MonthDay{Month: time.March, Day: 1}
	feb28 := courtesy.MonthDay{Month: time.February, Day: 28}
	var cs []courtesy.Customer
	for i := range 1203 {
		c := customer(fmt.Sprintf("b%04d", i))
		c.Birthday = mar01
		if i%3 == 0 {
			c.Birthday = feb28
		}
		cs = append(cs, c)
	}
	other := customer("other")
	other.Birthday = courtesy.MonthDay{Month: time.July, Day: 4}
	mustUpsert(t, db, append(cs, other)...)

	days := []courtesy.MonthDay{feb28, mar01, mar01}
	want, err := db.CustomersWithBirthday(ctx, days)
	if err != nil {
		t.Fatal(err)
	}
	var got []courtesy.Customer
	err = db.EachCustomerWithBirthday(ctx, days, func(page []courtesy.Customer) error {
		if len(page) == 0 || len(page) > 500 {
			t.Errorf("a page of %d customers, want 1 to 500", len(page))
		}
		got = append(got, page...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(got, func(a, b courtesy.Customer) int { return strings.Compare(a.ID, b.ID) })
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("EachCustomerWithBirthday (-CustomersWithBirthday +got):\n%s", diff)
	}

	stop := errors.New("enough")
	pages := 0
	err = db.EachCustomerWithBirthday(ctx, days, func([]courtesy.Customer) error {
		pages++
		return stop
	})
	if !errors.Is(err, stop) || pages != 1 {
		t.Errorf("after the caller's error: %v after %d pages, want it after 1", err, pages)
	}
}

package store

import (
	"context"
	"fmt"

	"github.com/courtesyhq/courtesy"
)

// birthdayPage is how many customers EachCustomerWithBirthday hands over
// at a time.
const birthdayPage = 500

// EachCustomerWithBirthday is CustomersWithBirthday for a round that may
// find many: it hands the customers born on one of the days to fn a page
// at a time, as they are read, so a planning round holds one page in
// memory however many are due. The order is the store's; fn may write to
// the store. An error from fn stops the reading and is returned as it is.
func (db *DB) EachCustomerWithBirthday(ctx context.Context, days []courtesy.MonthDay, fn func([]courtesy.Customer) error) error {
	seen := map[courtesy.MonthDay]bool{}
	page := make([]courtesy.Customer, 0, birthdayPage)
	for _, md := range days {
		if md.IsZero() || seen[md] {
			continue
		}
		seen[md] = true
		if err := db.eachBorn(ctx, md, func(c courtesy.Customer) error {
			page = append(page, c)
			if len(page) < birthdayPage {
				return nil
			}
			err := fn(page)
			page = page[:0]
			return err
		}); err != nil {
			return err
		}
	}
	if len(page) > 0 {
		return fn(page)
	}
	return nil
}

// eachBorn calls fn for every customer born on md, with the rows still
// open.
func (db *DB) eachBorn(ctx context.Context, md courtesy.MonthDay, fn func(courtesy.Customer) error) error {
	rows, err := db.reader().query(ctx, `SELECT `+customerCols+` FROM customers
		WHERE birth_month = ? AND birth_day = ?`, int(md.Month), md.Day)
	if err != nil {
		return fmt.Errorf("customers born %s: %w", md, err)
	}
	defer rows.Close()
	for rows.Next() {
		c, err := scanCustomer(rows)
		if err != nil {
			return fmt.Errorf("customers born %s: %w", md, err)
		}
		if err := fn(c); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("customers born %s: %w", md, err)
	}
	return nil
}

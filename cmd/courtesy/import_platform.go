package main

import (
	"cmp"
	"errors"
	"time"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/consent"
	"github.com/courtesyhq/courtesy/csvimport"
)

// platformCustomers lands the rows of a shop platform's own customer
// export. A person courtesy already knows by address keeps their id and
// what the export does not hold (birthday, time zone, language). The
// marketing column grants the purposes the owner mapped only where the
// ledger holds no word on them yet: an export carries no date, and may be
// older than an unsubscribe made since.
func (im *importer) platformCustomers(rows []csvimport.Row[csvimport.PlatformCustomer]) error {
	ctx := im.a.ctx()
	cs := make([]csvimport.Row[courtesy.Customer], len(rows))
	for i, r := range rows {
		c := r.Value.Customer
		known, err := im.db.CustomerByEmail(ctx, c.Email)
		switch {
		case err == nil:
			known.FirstName = cmp.Or(c.FirstName, known.FirstName)
			known.LastName = cmp.Or(c.LastName, known.LastName)
			known.UpdatedAt = time.Time{} // now
			c = known
		case !errors.Is(err, courtesy.ErrNotFound):
			return err
		}
		cs[i] = csvimport.Row[courtesy.Customer]{Line: r.Line, Value: c}
	}
	refused := len(im.extra)
	if err := im.customers(cs); err != nil {
		return err
	}
	skip := map[int]bool{}
	for _, d := range im.extra[refused:] {
		skip[d.Line] = true
	}
	purposes := im.a.cfg.Integrations.Platform(im.from).ConsentPurposes
	for i, r := range rows {
		if !r.Value.AcceptsMarketing || skip[r.Line] || len(purposes) == 0 {
			continue
		}
		id := cs[i].Value.ID
		ledger, err := im.db.ConsentHistory(ctx, id)
		if err != nil {
			return err
		}
		now := im.a.now()
		for _, p := range purposes {
			if consent.Current(ledger, p, now).Relied.ID != 0 {
				continue // the ledger has its word already, newer than the export or not
			}
			if _, err := im.db.AppendConsent(ctx, courtesy.ConsentRecord{CustomerID: id, Purpose: p,
				Status: courtesy.Granted, Basis: "consent", Source: im.from, Notice: r.Value.Notice,
				RecordedAt: now}); err != nil {
				return err
			}
		}
	}
	return nil
}

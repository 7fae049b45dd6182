package main

import (
	"fmt"
	"time"

	"github.com/courtesyhq/courtesy/report/reporttest"
)

func init() {
	commands["seed"] = command{
		"seed [--customers N] [--days N] [--seed N] [--force]",
		"fill an empty store with a generated shop history, to try the report and dashboard",
		cmdSeed,
	}
}

func cmdSeed(inv *invocation, args []string) error {
	fs := inv.flags("seed")
	customers := fs.Int("customers", 20000, "customers to generate")
	days := fs.Int("days", 60, "days of history, ending now")
	seed := fs.Uint64("seed", 1, "the same seed makes the same history")
	force := fs.Bool("force", false, "load even into a store that has customers")
	if _, err := parsePositional(fs, args, 0, 0); err != nil {
		return err
	}
	if *customers <= 0 || *days <= 0 {
		return usagef("--customers and --days must be 1 or more")
	}
	a, db, err := inv.loadStore()
	if err != nil {
		return err
	}
	defer a.close()
	if n, err := db.CountCustomers(a.ctx()); err != nil {
		return err
	} else if n > 0 && !*force {
		return usagef("the store already holds %d customers; seed fills an empty one (--force to add anyway)", n)
	}
	start := time.Now()
	ds := reporttest.Generate(reporttest.Options{Customers: *customers, Days: *days, Until: a.now().UTC().Truncate(time.Hour), Seed: *seed})
	if err := db.BulkLoad(a.ctx(), ds.Bulk); err != nil {
		return err
	}
	b := ds.Bulk
	fmt.Fprintf(inv.stdio.out, "seeded %d customers, %d consent records, %d purchases, %d messages, %d opt-outs, %d answers in %s\n",
		len(b.Customers), len(b.Consents), len(b.Events), len(b.Messages), len(b.OptOuts), len(b.Answers),
		time.Since(start).Round(time.Millisecond))
	fmt.Fprintln(inv.stdio.out, "the history names the campaigns birthday-treat, saved-reminder and after-purchase-survey; try `courtesy report --since 60d`")
	return nil
}

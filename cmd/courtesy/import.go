package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/csvimport"
	"github.com/courtesyhq/courtesy/lint"
	"github.com/courtesyhq/courtesy/store"
)

func cmdImport(inv *invocation, args []string) error {
	fs := inv.flags("import")
	from := fs.String("from", "", "read customers from a shop platform's own export: "+strings.Join(csvimport.Platforms, " or "))
	pos, err := parsePositional(fs, args, 2, 2)
	if err != nil {
		return err
	}
	kind, file := pos[0], pos[1]
	if !oneOf(kind, "customers", "consents", "events") {
		return usagef("courtesy import: %q is not customers, consents or events", kind)
	}
	if *from != "" && (kind != "customers" || !slices.Contains(csvimport.Platforms, *from)) {
		return usagef("courtesy import: --from reads customers from %s exports, not %s from %q",
			strings.Join(csvimport.Platforms, " or "), kind, *from)
	}
	a, err := inv.load()
	if err != nil {
		return err
	}
	defer a.close()
	f, err := os.Open(file)
	if err != nil {
		return usageError{err}
	}
	defer f.Close()
	db, err := a.store()
	if err != nil {
		return err
	}
	im := importer{a: a, db: db, name: file, from: *from, progress: newProgress(inv.stdio.err, filepath.Base(file))}
	diags, err := im.run(kind, f)
	im.progress.done()
	for _, d := range diags {
		fmt.Fprintln(inv.stdio.err, d.String())
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(inv.stdio.out, "%s: %d %s imported, %d rows skipped\n", file, im.imported, kind, len(diags))
	if len(diags) > 0 {
		return exitError{exitUsage}
	}
	return nil
}

// importer lands the good rows of one file and turns store refusals
// (an erased address, an unknown customer) into row diagnostics.
type importer struct {
	a        *app
	db       *store.DB
	name     string
	from     string // a shop platform whose own export the file is; empty for courtesy's columns
	imported int
	extra    courtesy.Diagnostics
	progress *progress
}

func (im *importer) rowProblem(line int, field, msg string) {
	im.extra = append(im.extra, courtesy.Diagnostic{File: im.name, Line: line, Field: field, Severity: courtesy.SeverityError, Message: msg})
}

func (im *importer) run(kind string, r io.Reader) (courtesy.Diagnostics, error) {
	var diags courtesy.Diagnostics
	var err error
	switch {
	case im.from != "":
		diags, err = csvimport.PlatformCustomers(im.from, im.name, r, 500, im.platformCustomers)
	case kind == "customers":
		diags, err = csvimport.Customers(im.name, r, 1000, im.customers)
	case kind == "consents":
		diags, err = csvimport.Consents(im.name, r, 200, im.consents)
	case kind == "events":
		diags, err = csvimport.Events(im.name, r, 200, im.events)
	}
	diags = append(diags, im.extra...)
	lint.Sort(diags)
	return diags, err
}

func (im *importer) customers(rows []csvimport.Row[courtesy.Customer]) error {
	cs := make([]courtesy.Customer, len(rows))
	for i, r := range rows {
		cs[i] = r.Value
	}
	rowErrs, err := im.db.UpsertCustomers(im.a.ctx(), cs)
	if err != nil {
		return err
	}
	for i, e := range rowErrs {
		switch {
		case e == nil:
			im.imported++
		case errors.Is(e, courtesy.ErrErased):
			im.rowProblem(rows[i].Line, "email", "this address asked to be erased; it cannot be imported again")
		default:
			im.rowProblem(rows[i].Line, "", e.Error())
		}
	}
	im.progress.add(len(rows))
	return nil
}

func (im *importer) consents(rows []csvimport.Row[courtesy.ConsentRecord]) error {
	ctx := im.a.ctx()
	known := map[string]bool{courtesy.AllPurposes: true}
	for _, p := range im.a.cfg.PurposeNames() {
		known[p] = true
	}
	for _, r := range rows {
		c := r.Value
		if !known[c.Purpose] {
			im.rowProblem(r.Line, "purpose", fmt.Sprintf("%q is not a purpose in %s", c.Purpose, im.a.cfg.File()))
			continue
		}
		if c.RecordedAt.IsZero() {
			c.RecordedAt = im.a.now()
		}
		history, err := im.db.ConsentHistory(ctx, c.CustomerID)
		if err != nil {
			return err
		}
		if _, err := im.db.Customer(ctx, c.CustomerID); errors.Is(err, courtesy.ErrNotFound) {
			im.rowProblem(r.Line, "customer_id", fmt.Sprintf("no customer %q; import the customers first", c.CustomerID))
			continue
		}
		if hasRecord(history, c) {
			im.imported++ // imported before: the ledger already says so
			continue
		}
		if _, err := im.db.AppendConsent(ctx, c); errors.Is(err, courtesy.ErrErased) {
			im.rowProblem(r.Line, "customer_id", "this customer asked to be erased")
			continue
		} else if err != nil {
			return err
		}
		im.imported++
	}
	im.progress.add(len(rows))
	return nil
}

// hasRecord reports whether the ledger already holds this record, so that
// importing the same file twice does not write the history twice.
func hasRecord(history []courtesy.ConsentRecord, c courtesy.ConsentRecord) bool {
	for _, h := range history {
		if h.Purpose == c.Purpose && h.Status == c.Status && h.RecordedAt.Equal(c.RecordedAt.Truncate(time.Microsecond)) {
			return true
		}
	}
	return false
}

func (im *importer) events(rows []csvimport.Row[courtesy.Event]) error {
	ctx := im.a.ctx()
	for _, r := range rows {
		if _, err := im.db.Customer(ctx, r.Value.CustomerID); errors.Is(err, courtesy.ErrNotFound) {
			im.rowProblem(r.Line, "customer_id", fmt.Sprintf("no customer %q; import the customers first", r.Value.CustomerID))
			continue
		} else if err != nil {
			return err
		}
		if _, _, err := im.db.AddEvent(ctx, r.Value); err != nil {
			return err
		}
		im.imported++
	}
	im.progress.add(len(rows))
	return nil
}

// progress draws a one-line counter on a terminal, and nothing elsewhere.
type progress struct {
	w    io.Writer
	name string
	n    int
	last time.Time
}

func newProgress(w io.Writer, name string) *progress {
	if !isTerminal(w) {
		return &progress{}
	}
	return &progress{w: w, name: name}
}

func (p *progress) add(n int) {
	p.n += n
	if p.w == nil || time.Since(p.last) < 100*time.Millisecond {
		return
	}
	p.last = time.Now()
	fmt.Fprintf(p.w, "\r%s: %d rows read", p.name, p.n)
}

func (p *progress) done() {
	if p.w != nil && p.n > 0 {
		fmt.Fprintf(p.w, "\r%s: %d rows read\n", p.name, p.n)
	}
}

package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/courtesyhq/courtesy/feedback"
	"github.com/courtesyhq/courtesy/store"
)

func init() {
	commands["feedback"] = command{
		"feedback [FILE.eml…]",
		"apply bounce and complaint reports from files or standard input (a mail server's pipe)",
		cmdFeedback,
	}
}

// cmdFeedback reads every input before it changes anything: one malformed
// report among several leaves the store as it was, so the mail server (or
// the person) can fix it and run the whole batch again.
func cmdFeedback(inv *invocation, args []string) error {
	fs := inv.flags("feedback")
	files, err := parse(fs, args)
	if err != nil {
		return err
	}
	type input struct {
		name    string
		reports []feedback.Report
	}
	var inputs []input
	read := func(name string, r io.Reader) error {
		data, err := io.ReadAll(io.LimitReader(r, feedback.MaxMessageSize+1))
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		reports, err := feedback.Parse(data)
		if err != nil {
			return usagef("%s: %v; nothing was applied", name, err)
		}
		inputs = append(inputs, input{name, reports})
		return nil
	}
	if len(files) == 0 {
		if err := read("standard input", inv.stdio.in); err != nil {
			return err
		}
	}
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			return usagef("%v; nothing was applied", err)
		}
		err = read(f, fh)
		fh.Close()
		if err != nil {
			return err
		}
	}

	a, db, err := inv.loadStore()
	if err != nil {
		return err
	}
	defer a.close()
	p := a.feedbackProcessor(db)
	for _, in := range inputs {
		if len(in.reports) == 0 {
			fmt.Fprintf(inv.stdio.out, "%s: no bounce or complaint in it (a delivery notice, or a kind of report courtesy ignores)\n", in.name)
			continue
		}
		outs, err := p.Apply(a.ctx(), in.reports)
		for _, o := range outs {
			fmt.Fprintln(inv.stdio.out, o.String())
		}
		if err != nil {
			return fmt.Errorf("%s: %w", in.name, err)
		}
	}
	return nil
}

// feedbackProcessor applies reports as the configuration says: the return
// path whose VERP addresses name messages, and when soft bounces suppress.
func (a *app) feedbackProcessor(db *store.DB) *feedback.Processor {
	return &feedback.Processor{
		Store:      db,
		ReturnPath: a.cfg.SMTP.ReturnPath,
		Keys:       a.cfg.Secrets.LinkKeys,
		SoftLimit:  a.cfg.Bounces.SoftLimit,
		SoftWindow: time.Duration(a.cfg.Bounces.SoftWindow),
		Now:        a.now,
		Logger:     a.logger,
	}
}

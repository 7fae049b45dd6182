package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"strings"
	"time"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/doctor"
)

func init() {
	commands["doctor"] = command{
		"doctor [--dns]",
		"check deliverability (postal address, https links, DKIM) and print the DNS records to publish",
		cmdDoctor,
	}
}

// doctorResolver answers the --dns lookups; tests put a stub in its place.
var doctorResolver doctor.Resolver = net.DefaultResolver

func cmdDoctor(inv *invocation, args []string) error {
	fs := inv.flags("doctor")
	dns := fs.Bool("dns", false, "also compare the records published in DNS with the configuration")
	if _, err := parsePositional(fs, args, 0, 0); err != nil {
		return err
	}
	a, err := inv.load()
	if err != nil {
		return err
	}
	defer a.close()
	cfg := a.cfg
	in := doctor.Input{
		BusinessName:  cfg.Business.Name,
		PostalAddress: cfg.Business.PostalAddress,
		From:          cfg.Business.From,
		BaseURL:       cfg.Business.BaseURL,
		DKIMDomain:    cfg.DKIM.Domain,
		DKIMSelector:  cfg.DKIM.Selector,
	}
	if rp := cfg.SMTP.ReturnPath; rp != "" {
		if _, d, ok := strings.Cut(rp, "@"); ok {
			in.ReturnPathDomain = strings.Trim(d, "> ")
		}
	}
	var findings []doctor.Finding
	if cfg.DKIM.Enabled() {
		pem, err := os.ReadFile(cfg.Path(cfg.DKIM.PrivateKeyFile))
		if err != nil {
			findings = append(findings, doctor.Finding{Severity: courtesy.SeverityError, Check: "dkim-key",
				Message: fmt.Sprintf("dkim.private_key_file: %v", err)})
		} else {
			in.DKIMKeyPEM = pem
		}
	}
	fsCheck, rec := doctor.Check(in)
	findings = append(findings, fsCheck...)
	if *dns {
		ctx, cancel := context.WithTimeout(a.ctx(), 20*time.Second)
		findings = append(findings, doctor.CheckDNS(ctx, doctorResolver, rec)...)
		cancel()
	}

	out := inv.stdio.out
	errs := 0
	for _, f := range findings {
		if f.Severity == courtesy.SeverityError {
			errs++
		}
		fmt.Fprintln(out, f.String())
	}
	if len(findings) == 0 {
		fmt.Fprintln(out, "no problems found")
	}
	fmt.Fprintln(out, "\nShop platforms:")
	for _, l := range doctor.Integrations(cfg.Business.BaseURL, a.integrations()) {
		fmt.Fprintln(out, l)
	}
	fmt.Fprintln(out, "\nDNS records to publish:")
	if err := rec.Format(out); err != nil {
		return err
	}
	if errs > 0 {
		fmt.Fprintf(inv.stdio.err, "courtesy doctor: %d error(s): mailbox providers are likely to reject or junk these messages\n", errs)
		return exitError{exitFailure}
	}
	return nil
}

package main

import (
	"fmt"
	"net/mail"
	"strings"

	"github.com/courtesyhq/courtesy"
)

func init() {
	commands["suppression"] = command{
		`suppression lift ADDRESS --reason "why"`,
		"lift the suppressions of an address (a bounce since fixed, a complaint made by mistake), recording why",
		cmdSuppression,
	}
}

// cmdSuppression lifts every suppression in force for an address except an
// erasure, which is the person's own request and is never undone here. A
// complaint's withdrawals of consent stay: lifting the suppression lets mail
// through only for purposes the person grants again.
func cmdSuppression(inv *invocation, args []string) error {
	fs := inv.flags("suppression")
	why := fs.String("reason", "", "why the suppression is lifted, kept with it (required)")
	pos, err := parsePositional(fs, args, 2, 2)
	if err != nil {
		return err
	}
	if pos[0] != "lift" {
		return usagef("courtesy suppression: %q is not lift\nusage: courtesy %s", pos[0], commands["suppression"].usage)
	}
	addr, err := mail.ParseAddress(pos[1])
	if err != nil {
		return usagef("courtesy suppression lift: %q is not an email address", pos[1])
	}
	if strings.TrimSpace(*why) == "" {
		return usagef("courtesy suppression lift: --reason is required: say why, it is kept with the suppression")
	}
	a, db, err := inv.loadStore()
	if err != nil {
		return err
	}
	defer a.close()
	forms := map[string]bool{}
	for _, h := range db.Fingerprints(addr.Address) {
		forms[h] = true
	}
	all, err := db.Suppressions(a.ctx(), courtesy.Filter{})
	if err != nil {
		return err
	}
	var inForce []courtesy.Suppression
	for _, s := range all {
		if forms[s.EmailHash] && s.LiftedAt.IsZero() {
			if s.Reason == courtesy.ReasonErased {
				return usagef("courtesy suppression lift: %s was erased at its owner's request; that is not lifted", addr.Address)
			}
			inForce = append(inForce, s)
		}
	}
	if len(inForce) == 0 {
		return usagef("courtesy suppression lift: %s is not suppressed", addr.Address)
	}
	now := a.now()
	for _, s := range inForce {
		if err := db.LiftSuppressionBecause(a.ctx(), s.EmailHash, s.Reason, strings.TrimSpace(*why), now); err != nil {
			return err
		}
		fmt.Fprintf(inv.stdio.out, "lifted %s %s (since %s, %s)\n", s.Reason, addr.Address, fmtTime(s.At), s.Source)
		if s.Reason == "complaint" {
			fmt.Fprintln(inv.stdio.out, "  the consents the complaint withdrew stay withdrawn: the person must opt in again")
		}
	}
	return nil
}

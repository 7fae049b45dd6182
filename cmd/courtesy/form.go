package main

import (
	"strings"

	"github.com/courtesyhq/courtesy/locale"
	"github.com/courtesyhq/courtesy/web"
)

func init() {
	commands["form"] = command{
		"form [--purposes a,b] [--locale LANG]",
		"print a sign-up form to paste into the shop's own site; it posts to /join",
		cmdForm,
	}
}

func cmdForm(inv *invocation, args []string) error {
	fs := inv.flags("form")
	only := fs.String("purposes", "", "offer only these purposes, comma-separated (default: all of them)")
	lang := fs.String("locale", "", "write the form, its notice and purposes in this BCP 47 `locale`, and sign people up in it (default: business.locale, leaving the customer's language to their browser)")
	if _, err := parsePositional(fs, args, 0, 0); err != nil {
		return err
	}
	if *lang != "" {
		if _, err := locale.Parse(*lang); err != nil {
			return usagef("--locale: %v", err)
		}
	}
	a, err := inv.load()
	if err != nil {
		return err
	}
	defer a.close()
	o := web.FormOptions{
		BaseURL: a.cfg.Business.BaseURL, Business: a.cfg.Business.Name, Purposes: a.purposes(),
		Signup: web.SignupConfig{
			NoticeVersion: a.cfg.Signup.Notice.Version, NoticeText: a.cfg.Signup.Notice.Text, NoticeTexts: a.cfg.Signup.Notice.Texts,
			PrivacyURL: a.cfg.Signup.PrivacyURL,
		},
		Locale: *lang, DefaultLocale: a.cfg.Business.Locale,
	}
	for _, p := range strings.Split(*only, ",") {
		if p = strings.TrimSpace(p); p != "" {
			o.Only = append(o.Only, p)
		}
	}
	if err := web.WriteForm(inv.stdio.out, o); err != nil {
		return usagef("--purposes: %v", err)
	}
	return nil
}

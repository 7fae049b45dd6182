package web

import (
	"fmt"

	"github.com/courtesyhq/courtesy/config"
)

// A shop may write its sign-up notice per locale. What a person agreed to is
// the text they read, so the page says which one it showed, the
// confirmation token carries that locale, and the consent records its
// text: never a translation the person did not see.

// noticeFor is the notice a reader of lang is shown and the locale it is
// written under; "" for the default text.
func (c SignupConfig) noticeFor(lang string) (text, loc string) {
	return config.Notice{Text: c.NoticeText, Texts: c.NoticeTexts}.TextIn(lang)
}

// notice is the text written under loc, and loc itself when it is one the
// shop writes; else the default text and "".
func (c SignupConfig) notice(loc string) (text, shown string) {
	if t, ok := c.NoticeTexts[loc]; ok && loc != "" {
		return t, loc
	}
	return c.NoticeText, ""
}

// noticeRecord is what a consent given under the notice of loc records:
// the text itself, then its version and locale.
func (c SignupConfig) noticeRecord(loc string) string {
	text, loc := c.notice(loc)
	if loc == "" {
		return fmt.Sprintf("%s (notice %s)", text, c.NoticeVersion)
	}
	return fmt.Sprintf("%s (notice %s, %s)", text, c.NoticeVersion, loc)
}

// Package locale is courtesy's own words in the languages it ships, and the
// rules that pick one: a customer's BCP 47 locale is matched by the standard
// rules (pt-BR → pt-BR, then pt, then the default) and dates are written as
// each language writes them ("14. März", "14 de março").
//
// The words live in message catalogs in the gotext JSON format of
// golang.org/x/text (catalog/LANG/messages.gotext.json), one file per
// language, embedded in the binary. A key missing from a language falls back
// to English; the package's tests refuse a catalog with a missing key, so a
// shipped language never shows English where it has its own words.
package locale

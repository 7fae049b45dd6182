// Package campaigns loads and validates the campaign files (one YAML file
// per campaign) and decides, as plain functions of a customer, an event and
// the time, when each campaign is due: a birthday in the customer's own
// time zone, a reminder after an interest event, a survey after a purchase.
//
// Every problem in a campaign file is reported with its file, line and
// field, and every problem of every file is reported at once. A campaign's
// Version hashes its YAML and templates so each decision can name the
// wording that made it. Assign places customers in a control group and in
// variants, stably.
package campaigns

// Package web serves the customer's side of courtesy — one-click
// unsubscribe, the preference center with its data export and erasure, the
// "why did I get this" page and the survey answer — and the owner's: the
// dashboard under /admin/, the JSON ingest API, the bounce and complaint
// webhooks, and the health and metrics endpoints.
//
// Every customer page is reached through a signed link (package consent) and
// nothing changes on a GET: mail scanners fetch every link in a message.
// The RFC 8058 one-click POST needs no cookie and no same-origin proof, and
// answers 200 only once the opt-out is committed; every other form POST must
// come from the site itself. A bad link of any kind gets the same page; a
// well-signed one that has expired gets a page that offers to email a fresh
// link to the address on file (fresh.go), and a link a page makes from
// another keeps the other's issue time, so no page extends a link's life.
//
// # The "why" detail
//
// The worker records, in each message's Detail, a JSON object the "why" page
// explains (see WhyDetail):
//
//	{
//	  "rule":       "today is your birthday in Europe/London",
//	  "fired":      {"kind": "birthday", "on": "2026-12-01T09:30:00Z", "zone": "Europe/London"},
//	  "data":       ["birthday (month and day)", "time zone"],
//	  "limits":     [{"scope": "global", "count": 3, "window": "168h0m0s"}],
//	  "consent_id": 42
//	}
//
// fired and limits are data the page words in the reader's language; rows
// written before they were kept so have rule in words and limits as strings
// ("at most 1 message a day"), which the page shows as written.
//
// consent_id is the ledger record the send relied on; when it is absent the
// page shows the record that was in force when the decision was taken.
package web

// Package bakery is the example shop courtesy's demo runs: Crumb & Co.
// Bakery's configuration, three campaigns, their templates and sample
// customers, consents and events.
package bakery

import "embed"

// Files holds the example, laid out as a shop would keep it.
//
//go:embed courtesy.yaml campaigns templates customers.csv consents.csv events.csv
var Files embed.FS

package signup

import "time"

// Window is a number of confirmations one address may be sent in a span of
// time.
type Window struct {
	Count int
	Per   time.Duration
}

// AddressLimits bound the confirmations one address receives, whoever asks:
// a form cannot be used to flood a mailbox.
var AddressLimits = []Window{
	{Count: 1, Per: 10 * time.Minute},
	{Count: 3, Per: 24 * time.Hour},
}

// TTL is how long a confirmation link works.
const TTL = 7 * 24 * time.Hour

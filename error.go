package courtesy

import "errors"

// Error kinds callers act on. A store, and whatever wraps one, returns
// errors that wrap them with context; test with errors.Is.
var (
	// ErrNotFound is returned when the row asked for does not exist.
	ErrNotFound = errors.New("not found")
	// ErrErased is returned when data would be stored for an address whose
	// owner asked for erasure.
	ErrErased = errors.New("address was erased")
)

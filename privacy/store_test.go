package privacy_test

import (
	"github.com/courtesyhq/courtesy/privacy"
	"github.com/courtesyhq/courtesy/store"
)

// The store is what Export reads and Erase erases in production.
var (
	_ privacy.Source = (*store.DB)(nil)
	_ privacy.Eraser = (*store.DB)(nil)
)

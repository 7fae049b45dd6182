package feedback_test

import (
	"github.com/courtesyhq/courtesy/feedback"
	"github.com/courtesyhq/courtesy/store"
)

// The store is what a Processor reads and writes in production.
var _ feedback.Store = (*store.DB)(nil)

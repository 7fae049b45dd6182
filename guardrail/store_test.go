package guardrail_test

import (
	"github.com/courtesyhq/courtesy/guardrail"
	"github.com/courtesyhq/courtesy/store"
)

// The store is what the guardrail reads and switches in production.
var _ guardrail.Store = (*store.DB)(nil)

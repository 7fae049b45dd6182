package report_test

import (
	"github.com/courtesyhq/courtesy/report"
	"github.com/courtesyhq/courtesy/store"
)

// The store is what the report reads in production.
var _ report.Source = (*store.DB)(nil)

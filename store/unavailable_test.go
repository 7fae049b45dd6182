package store_test

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"testing"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/store"
)

func TestIsUnavailable(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	tests := []struct {
		err  error
		want bool
	}{
		{nil, false},
		{courtesy.ErrNotFound, false},
		{fmt.Errorf("customer c1: %w", courtesy.ErrNotFound), false},
		{context.Canceled, false},
		{errors.New("constraint failed: UNIQUE constraint failed"), false},
		{fmt.Errorf("read: %w", refused), true},
		{fmt.Errorf("query: %w", driver.ErrBadConn), true},
		{errors.New("database is locked (5) (SQLITE_BUSY)"), true},
	}
	for _, tt := range tests {
		if got := store.IsUnavailable(tt.err); got != tt.want {
			t.Errorf("IsUnavailable(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}

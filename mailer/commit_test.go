package mailer_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/courtesyhq/courtesy/mailer"
	"github.com/courtesyhq/courtesy/mailer/mailtest"
)

func TestCommitIsTheLastMomentToWithdraw(t *testing.T) {
	refuse := errors.New("the customer unsubscribed")
	tests := []struct {
		name      string
		commitErr error
		delivered int
	}{
		{"commit agrees", nil, 1},
		{"commit refuses", refuse, 0},
	}
	for _, tt := range tests {
		t.Run("smtp/"+tt.name, func(t *testing.T) {
			sink := mailtest.NewSink(t)
			s := mustOpen(t, sink.URL(), mailer.Config{MaxConnections: 1})
			m := testMessage()
			calls := 0
			m.Commit = func(context.Context) error {
				calls++
				if sink.Count() != 0 {
					t.Error("the server took the message before the commit")
				}
				return tt.commitErr
			}
			err := s.Send(context.Background(), m)
			if tt.commitErr != nil && (!errors.Is(err, mailer.ErrAbandoned) || !errors.Is(err, refuse) || mailer.IsUnknownOutcome(err)) {
				t.Errorf("Send = %v, want it abandoned with the commit's error", err)
			}
			if tt.commitErr == nil && err != nil {
				t.Fatal(err)
			}
			if calls != 1 {
				t.Errorf("commit called %d times", calls)
			}
			if sink.Count() != tt.delivered {
				t.Errorf("the server took %d messages, want %d", sink.Count(), tt.delivered)
			}
			// The connection is good for the next message either way.
			m2 := testMessage()
			if err := s.Send(context.Background(), m2); err != nil {
				t.Errorf("next send: %v", err)
			}
		})
		t.Run("outbox/"+tt.name, func(t *testing.T) {
			dir := t.TempDir()
			s := mustOpen(t, "file://"+dir, mailer.Config{})
			m := testMessage()
			m.Commit = func(context.Context) error {
				// Only the temporary file a reader skips may be there.
				files, _ := filepath.Glob(filepath.Join(dir, "[^.]*.eml"))
				if len(files) != 0 {
					t.Error("the file appeared before the commit")
				}
				return tt.commitErr
			}
			err := s.Send(context.Background(), m)
			if (err != nil) != (tt.commitErr != nil) || (err != nil && !errors.Is(err, mailer.ErrAbandoned)) {
				t.Errorf("Send = %v", err)
			}
			entries, _ := os.ReadDir(dir)
			if len(entries) != tt.delivered {
				t.Errorf("%d files in the outbox, want %d", len(entries), tt.delivered)
			}
		})
	}
}

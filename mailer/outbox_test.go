package mailer_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/courtesyhq/courtesy/mailer"
)

func TestOutboxWritesParseableFiles(t *testing.T) {
	d := ed25519DKIM(t)
	tests := []struct {
		name string
		url  func(dir string) string
	}{
		{"absolute", func(dir string) string { return "file://" + filepath.ToSlash(dir) + "/outbox" }},
		{"relative", func(dir string) string { t.Chdir(dir); return "file://outbox/new" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := t.TempDir()
			s := mustOpen(t, tt.url(base), mailer.Config{DKIM: d})
			o, ok := s.(*mailer.Outbox)
			if !ok {
				t.Fatalf("Open(file://) = %T, want *mailer.Outbox", s)
			}
			var want []string
			for _, to := range []string{"ana@example.org", "ben@example.org"} {
				m := withHTML(testMessage())
				m.To = to
				m.MessageID = mailer.NewMessageID("crumb.example")
				if err := s.Send(context.Background(), m); err != nil {
					t.Fatal(err)
				}
				want = append(want, mailer.FileName(m.MessageID))
			}
			entries, err := os.ReadDir(o.Dir())
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range entries {
				got = append(got, e.Name())
			}
			if diff := cmp.Diff(want, got, cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
				t.Errorf("outbox files (-want +got):\n%s", diff)
			}
			for _, name := range got {
				raw, err := os.ReadFile(filepath.Join(o.Dir(), name))
				if err != nil {
					t.Fatal(err)
				}
				msg := parse(t, raw)
				if id := msg.Header.Get("Message-Id"); mailer.FileName(id) != name {
					t.Errorf("%s holds Message-ID %s", name, id)
				}
				if v := verify(t, raw, d); v.Err != nil {
					t.Errorf("%s: signature does not verify: %v", name, v.Err)
				}
			}
		})
	}
}

func TestOutboxRefusesInvalidMessage(t *testing.T) {
	dir := t.TempDir()
	s := mustOpen(t, "file://"+dir, mailer.Config{})
	m := testMessage()
	m.Text = ""
	if err := s.Send(context.Background(), m); !errors.Is(err, mailer.ErrInvalidMessage) || mailer.IsTemporary(err) {
		t.Errorf("Send = %v, want a permanent ErrInvalidMessage", err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 0 {
		t.Errorf("an invalid message left %d files", len(entries))
	}
}

// An outbox file holds a customer's name and address: nobody but the
// process's own user may read it or list the directory, even one that was
// created open before.
func TestOutboxFilesAreOwnerOnly(t *testing.T) {
	base := t.TempDir()
	dir := filepath.Join(base, "outbox")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	s := mustOpen(t, "file://"+filepath.ToSlash(dir), mailer.Config{})
	m := testMessage()
	m.MessageID = mailer.NewMessageID("crumb.example")
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		path string
		want os.FileMode
	}{
		{dir, 0o700},
		{filepath.Join(dir, mailer.FileName(m.MessageID)), 0o600},
	} {
		fi, err := os.Stat(tt.path)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != tt.want {
			t.Errorf("%s: mode %v, want %v", tt.path, got, tt.want)
		}
	}
}

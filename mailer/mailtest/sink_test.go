package mailtest_test

import (
	"errors"
	"net/smtp"
	"net/textproto"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/courtesyhq/courtesy/mailer/mailtest"
)

const body = "From: shop@crumb.example\r\nTo: ana@example.org\r\nSubject: hi\r\n\r\nhello\r\n"

// send uses the standard library's client, independent of the mailer.
func send(tb testing.TB, s *mailtest.Sink, to string) error {
	tb.Helper()
	return smtp.SendMail(strings.TrimPrefix(s.URL(), "smtp://"), nil, "shop@crumb.example", []string{to}, []byte(body))
}

func code(err error) int {
	var tp *textproto.Error
	if errors.As(err, &tp) {
		return tp.Code
	}
	return 0
}

func TestSinkReceives(t *testing.T) {
	s := mailtest.NewSink(t)
	if err := send(t, s, "ana@example.org"); err != nil {
		t.Fatal(err)
	}
	s.WaitFor(t, 1, time.Second)
	got := s.Messages()
	if len(got) != 1 {
		t.Fatalf("%d messages, want 1", len(got))
	}
	r := got[0]
	if diff := cmp.Diff([]string{"ana@example.org"}, r.To); diff != "" || r.From != "shop@crumb.example" {
		t.Errorf("envelope %s -> %v", r.From, r.To)
	}
	if r.Header.Get("Subject") != "hi" || string(r.Data) != body || r.At.IsZero() {
		t.Errorf("received %+v", r)
	}
	if s.Connections() != 1 {
		t.Errorf("connections = %d, want 1", s.Connections())
	}
}

func TestSinkFaults(t *testing.T) {
	s := mailtest.NewSink(t)
	s.FailNext(2, 451, "4.3.0", "later")
	s.RejectRecipient("gone@example.org", 550, "5.1.1")
	var codes []int
	for _, to := range []string{"a@example.org", "b@example.org", "gone@example.org", "c@example.org"} {
		codes = append(codes, code(send(t, s, to)))
	}
	if diff := cmp.Diff([]int{451, 451, 550, 0}, codes); diff != "" {
		t.Errorf("reply codes (-want +got):\n%s", diff)
	}
	if s.Count() != 1 {
		t.Errorf("count = %d, want 1", s.Count())
	}

	s.DropAfterData(1)
	if err := send(t, s, "d@example.org"); err == nil || code(err) != 0 {
		t.Errorf("send with a dropped connection = %v, want a connection error", err)
	}
	if s.Count() != 2 {
		t.Errorf("count = %d, want 2: a dropped message may have been delivered", s.Count())
	}

	s.SetDiscard(true)
	if err := send(t, s, "e@example.org"); err != nil {
		t.Fatal(err)
	}
	if s.Count() != 3 || len(s.Messages()) != 2 {
		t.Errorf("discarding sink: count %d, kept %d; want 3 and 2", s.Count(), len(s.Messages()))
	}
}

func TestSinkWaitForFailsOnTimeout(t *testing.T) {
	s := mailtest.NewSink(t)
	ft := &fakeTB{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.WaitFor(ft, 1, 20*time.Millisecond)
	}()
	<-done
	if !ft.failed {
		t.Errorf("WaitFor returned without a message and without failing")
	}
}

// fakeTB records a Fatalf instead of ending the test.
type fakeTB struct {
	testing.TB
	failed bool
}

func (f *fakeTB) Helper() {}
func (f *fakeTB) Fatalf(string, ...any) {
	f.failed = true
	runtime.Goexit() // as the real Fatalf does
}

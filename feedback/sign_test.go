package feedback_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/consent"
	"github.com/courtesyhq/courtesy/feedback"
)

var verpOldKey = consent.Key{ID: "k2025", Secret: []byte("fedcba9876543210fedcba9876543210")}

// TestVERPAddressesAreSigned: the envelope sender of a message names it
// under a signature that survives a server folding the address to either
// case, fits the 64 characters a local part may have, and verifies under
// a key since replaced; anything else that looks like one names nothing.
func TestVERPAddressesAreSigned(t *testing.T) {
	key := courtesy.MessageKey("birthday-treat", "c-0001", "2026")
	now := feedback.VERP{ReturnPath: "bounce@crumb.example", Keys: []consent.Key{verpKey, verpOldKey}}
	old := feedback.VERP{ReturnPath: "bounce@crumb.example", Keys: []consent.Key{verpOldKey}}
	addr := now.Address(key)
	if !strings.HasPrefix(addr, "bounce+") {
		t.Fatalf("Address = %q, want a VERP address", addr)
	}
	if local := addr[:strings.IndexByte(addr, '@')]; len(local) > 64 {
		t.Errorf("local part %q has %d characters, more than 64", local, len(local))
	}
	for _, a := range []string{addr, strings.ToUpper(addr), strings.ToLower(addr), "<" + addr + ">", old.Address(key)} {
		if got, err := now.MessageKey(a); err != nil || got != key {
			t.Errorf("MessageKey(%q) = %q, %v; want %q", a, got, err, key)
		}
	}
	odd := "n:Ü_I.x::9"
	if got, err := now.MessageKey(now.Address(odd)); err != nil || got != odd {
		t.Errorf("round trip of %q through %q = %q, %v", odd, now.Address(odd), got, err)
	}

	stranger := feedback.VERP{ReturnPath: "bounce@crumb.example",
		Keys: []consent.Key{{ID: verpKey.ID, Secret: []byte("not-the-key-not-the-key-not-the-k")}}}
	mac, _, _ := strings.Cut(strings.TrimPrefix(addr, "bounce+"), "-")
	tests := []struct {
		name, addr string
		want       error
	}{
		{"signed with another secret under the same key id", stranger.Address(key), feedback.ErrForgedVERP},
		{"unsigned, as addresses were before", "bounce+YmlydGhkYXktdHJlYXQ6Yy0wMDAxOjIwMjY@crumb.example", feedback.ErrForgedVERP},
		{"another message under this one's signature", strings.Replace(addr, "c-0001", "c-0002", 1), feedback.ErrForgedVERP},
		{"a signature one letter off", strings.Replace(addr, mac, mac[:len(mac)-1]+"a", 1), feedback.ErrForgedVERP},
		{"another domain", strings.Replace(addr, "crumb.example", "other.example", 1), feedback.ErrNotVERP},
		{"the plain return path", "bounce@crumb.example", feedback.ErrNotVERP},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, err := now.MessageKey(tt.addr); !errors.Is(err, tt.want) {
				t.Errorf("MessageKey(%q) = %q, %v; want %v", tt.addr, got, err, tt.want)
			}
		})
	}
	if _, err := (feedback.VERP{ReturnPath: "bounce@crumb.example"}).MessageKey(addr); !errors.Is(err, feedback.ErrForgedVERP) {
		t.Errorf("without keys MessageKey = %v, want ErrForgedVERP: nothing is trusted", err)
	}

	for _, tt := range []struct{ name, returnPath, key string }{
		{"none configured", "", key},
		{"not an address", "bounce", key},
		{"too long for a local part", "bounce@crumb.example", strings.Repeat("k", 60)},
	} {
		v := feedback.VERP{ReturnPath: tt.returnPath, Keys: []consent.Key{verpKey}}
		if got := v.Address(tt.key); got != tt.returnPath {
			t.Errorf("%s: Address = %q, want the return path %q", tt.name, got, tt.returnPath)
		}
	}
}

// complaintTo is a feedback-loop complaint sent back to envFrom that names
// neither the original's Message-ID nor a customer's address: only its
// return path can say which message it is about. Anyone can write one.
func complaintTo(envFrom string) string {
	return fmt.Sprintf("From: <fbl@mailbox.example>\r\nTo: <%[1]s>\r\nSubject: complaint\r\nMIME-Version: 1.0\r\n"+
		"Content-Type: multipart/report; report-type=feedback-report; boundary=\"b\"\r\n\r\n"+
		"--b\r\nContent-Type: text/plain\r\n\r\nAn abuse report.\r\n"+
		"--b\r\nContent-Type: message/feedback-report\r\n\r\nFeedback-Type: abuse\r\nVersion: 1\r\n"+
		"Original-Mail-From: <%[1]s>\r\nOriginal-Rcpt-To: <someone@elsewhere.example>\r\n\r\n--b--\r\n", envFrom)
}

// TestForgedComplaintWithdrawsNothing: a complaint mailed to a return path
// that names a real message, but was not signed by courtesy, withdraws no
// consent and is logged; the same complaint to the message's real
// envelope sender withdraws every purpose.
func TestForgedComplaintWithdrawsNothing(t *testing.T) {
	w := newWorld(t)
	w.now = time.Date(2026, 3, 10, 9, 45, 0, 0, time.UTC)
	s := newSender(t, w, nil)
	first := s.send("pat", "2031")
	if first.Decision.Outcome != courtesy.Sent {
		t.Fatalf("first message: %s, want sent", first.Decision)
	}
	genuine := s.sink.Messages()[0].From
	forger := feedback.VERP{ReturnPath: "bounce@crumb.example",
		Keys: []consent.Key{{ID: verpKey.ID, Secret: []byte("guessed-guessed-guessed-guessed-g")}}}
	unsigned := "bounce+" + base64.RawURLEncoding.EncodeToString([]byte(first.Key)) + "@crumb.example"
	for _, forged := range []string{forger.Address(first.Key), unsigned} {
		outs := w.apply(complaintTo(forged))
		if len(outs) != 1 || outs[0].Withdrawn || !outs[0].ForgedReturnPath || outs[0].MessageKey != "" {
			t.Errorf("forged complaint to %s: %+v; want it to name no message and withdraw nothing", forged, outs)
		}
		if g := w.granted("pat"); !g["birthday"] {
			t.Errorf("a forged complaint withdrew pat's consent: %v", g)
		}
	}
	if !strings.Contains(w.log.String(), "did not sign") {
		t.Errorf("the forged return path was not logged:\n%s", w.log.String())
	}
	outs := w.apply(complaintTo(genuine))
	if len(outs) != 1 || !outs[0].Withdrawn || outs[0].MatchedBy != feedback.MatchVERP || outs[0].MessageKey != first.Key {
		t.Errorf("genuine complaint: %+v; want matched by VERP to %s and every purpose withdrawn", outs, first.Key)
	}
}

// apply parses and applies one raw report.
func (w *world) apply(raw string) []feedback.Outcome {
	w.t.Helper()
	reports, err := feedback.Parse([]byte(raw))
	if err != nil {
		w.t.Fatal(err)
	}
	outs, err := w.p.Apply(context.Background(), reports)
	if err != nil {
		w.t.Fatal(err)
	}
	return outs
}

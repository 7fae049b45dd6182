package signup

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// FuzzOpen: no input panics the opener, and the only tokens it accepts are
// ones it sealed.
func FuzzOpen(f *testing.F) {
	s := mustSealer(f, keyNew, keyOld)
	f.Add(s.Seal(sample()))
	f.Add(mustSealer(f, keyOld).Seal(sample()))
	f.Add("AQQyMDI2")
	f.Add("")
	f.Fuzz(func(t *testing.T, tok string) {
		got, err := s.Open(tok, at)
		if err != nil {
			return
		}
		if diff := cmp.Diff(sample(), got); diff != "" {
			t.Fatalf("a token that was never sealed opened (-sealed +got):\n%s", diff)
		}
	})
}

// FuzzCheck: whatever a form holds, a request that passes is one a token
// carries unchanged.
func FuzzCheck(f *testing.F) {
	s := mustSealer(f, keyNew)
	f.Add("ada@example.com", "Ada", "03-14", "en", "birthday,surveys")
	f.Add("x@y.z", "", "", "", "")
	f.Add("a\"b@c.d", "\x00", "2000-02-29", "pt-BR-x", "news")
	f.Fuzz(func(t *testing.T, email, name, bday, locale, purposes string) {
		r, errs := Check(Form{Email: email, FirstName: name, Birthday: bday, Locale: locale, Purposes: strings.Split(purposes, ",")}, known)
		if errs != nil {
			return
		}
		tok := Token{Request: r, NoticeVersion: "1", NoticeHash: NoticeDigest("n"), IssuedAt: at}
		got, err := s.Open(s.Seal(tok), at)
		if err != nil {
			t.Fatalf("a checked request does not come back from its token: %v (%+v)", err, r)
		}
		if diff := cmp.Diff(tok, got); diff != "" {
			t.Fatalf("token changed the request (-want +got):\n%s", diff)
		}
	})
}

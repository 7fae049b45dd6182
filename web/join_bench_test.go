package web

import (
	"fmt"
	"net/http"
	"testing"
)

// BenchmarkJoinPost is what one sign-up costs the server up to the
// confirmation's hand-over: the form read and checked, the token sealed, the
// message rendered. The store is never called; the gate and the outbox are
// in memory.
func BenchmarkJoinPost(b *testing.B) {
	s, _, box := newFuzzSignupServer(b)
	i := 0
	for b.Loop() {
		i++
		body := fmt.Sprintf("email=person%d%%40example.org&first_name=Ada&purpose=birthday&purpose=surveys&notice=2026-11", i)
		if res := serve(s, joinRequest(body, "")); res.Code != http.StatusOK {
			b.Fatalf("POST /join = %d", res.Code)
		}
		box.take()
	}
}

package mailer_test

import (
	"context"
	"testing"

	"github.com/courtesyhq/courtesy/mailer"
	"github.com/courtesyhq/courtesy/mailer/mailtest"
)

// BenchmarkSendReused sends to a local sink that counts and discards, over
// the pool of reused connections; msg/s is the figure to quote.
func BenchmarkSendReused(b *testing.B) {
	for _, bc := range []struct {
		name        string
		connections int
		dkim        func(testing.TB) *mailer.DKIM
	}{
		{name: "conns=1", connections: 1},
		{name: "conns=4", connections: 4},
		{name: "conns=4/ed25519", connections: 4, dkim: ed25519DKIM},
		{name: "conns=4/rsa2048", connections: 4, dkim: rsaDKIM},
	} {
		b.Run(bc.name, func(b *testing.B) {
			sink := mailtest.NewSink(b)
			sink.SetDiscard(true)
			cfg := mailer.Config{MaxConnections: bc.connections}
			if bc.dkim != nil {
				cfg.DKIM = bc.dkim(b)
			}
			s := mustOpen(b, sink.URL(), cfg)
			m := withHTML(testMessage())
			b.SetParallelism(bc.connections) // enough senders to keep every connection busy
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := s.Send(context.Background(), m); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msg/s")
			if c := sink.Connections(); c > bc.connections {
				b.Errorf("%d connections, want at most %d", c, bc.connections)
			}
		})
	}
}

// BenchmarkRender builds the bytes of one message with a parsed key, as the
// senders do.
func BenchmarkRender(b *testing.B) {
	for _, bc := range []struct {
		name string
		dkim func(testing.TB) *mailer.DKIM
	}{
		{name: "dkim=off"},
		{name: "dkim=rsa2048", dkim: rsaDKIM},
		{name: "dkim=ed25519", dkim: ed25519DKIM},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var d *mailer.DKIM
			if bc.dkim != nil {
				d = bc.dkim(b)
			}
			r, err := mailer.NewRenderer(d)
			if err != nil {
				b.Fatal(err)
			}
			m := withHTML(testMessage())
			b.ReportAllocs()
			for b.Loop() {
				if _, err := r.Render(m); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msg/s")
		})
	}
}

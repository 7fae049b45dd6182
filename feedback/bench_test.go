package feedback

import (
	"bytes"
	"testing"
)

func BenchmarkParseMessage(b *testing.B) {
	for _, name := range []string{"dsn-hard-5.1.1.eml", "arf-abuse.eml"} {
		raw := readFixture(b, name)
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(raw)))
			for b.Loop() {
				if _, err := ParseMessage(bytes.NewReader(raw)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkParseSES(b *testing.B) {
	raw := readFixture(b, "ses-bounce.json")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseSES(raw); err != nil {
			b.Fatal(err)
		}
	}
}

package doctor

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

func TestRecordsFormatGolden(t *testing.T) {
	tests := []struct {
		name   string
		golden string
		modify func(*Input)
	}{
		{name: "RSA key split into 255-character strings", golden: "records-rsa.golden"},
		{
			name:   "Ed25519 key on one line",
			golden: "records-ed25519.golden",
			modify: func(in *Input) {
				in.DKIMKeyPEM = readTestdata(t, "test-ed25519.pem")
				in.DKIMSelector = "ed1"
			},
		},
		{name: "no From, no records", golden: "records-none.golden", modify: func(in *Input) { in.From = ""; in.DKIMKeyPEM = nil }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := good(t)
			if tt.modify != nil {
				tt.modify(&in)
			}
			_, rec := Check(in)
			var buf bytes.Buffer
			if err := rec.Format(&buf); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", tt.golden)
			if *update {
				if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), buf.String()); diff != "" {
				t.Errorf("%s (-want +got):\n%s", path, diff)
			}
		})
	}
}

// The strings of a split record join back into the record, and none is
// longer than a TXT string may be.
func TestRecordsFormatSplitsLongValues(t *testing.T) {
	_, rec := Check(good(t))
	var buf bytes.Buffer
	if err := rec.Format(&buf); err != nil {
		t.Fatal(err)
	}
	var joined strings.Builder
	inDKIM := false
	for line := range strings.Lines(buf.String()) {
		line = strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, rec.DKIM.Name+"."):
			inDKIM = true
		case inDKIM && line == ")":
			inDKIM = false
		case inDKIM:
			s := strings.Trim(line, `"`)
			if len(s) > 255 {
				t.Errorf("TXT string of %d characters", len(s))
			}
			joined.WriteString(s)
		}
	}
	if joined.String() != rec.DKIM.Value {
		t.Errorf("joined strings = %q, want %q", joined.String(), rec.DKIM.Value)
	}
}

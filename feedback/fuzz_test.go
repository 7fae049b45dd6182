package feedback

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func FuzzParseMessage(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.eml"))
	if err != nil {
		f.Fatal(err)
	}
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		reports, err := ParseMessage(bytes.NewReader(data))
		if err != nil {
			if reports != nil {
				t.Fatalf("reports alongside error %v", err)
			}
			return
		}
		for _, r := range reports {
			switch r.Kind {
			case HardBounce, SoftBounce:
				if r.Recipient == "" || r.Source != SourceDSN || !statusCode.MatchString(r.Status) {
					t.Fatalf("bounce without recipient, source or status: %+v", r)
				}
			case Complaint:
				if r.Recipient == "" && r.MessageID == "" {
					t.Fatalf("complaint naming nobody: %+v", r)
				}
				if r.Source != SourceARF {
					t.Fatalf("complaint from %q", r.Source)
				}
			default:
				t.Fatalf("unexpected kind %q", r.Kind)
			}
			if r.Recipient != "" && !strings.Contains(r.Recipient, "@") {
				t.Fatalf("recipient %q is not an address", r.Recipient)
			}
		}
	})
}

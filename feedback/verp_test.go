package feedback

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestReturnPathRoundTrip(t *testing.T) {
	tests := []struct {
		name, local, domain, token, want string
	}{
		{"base64url token", "bounce", "crumb.example", "a1B2-c3_D4", "bounce+a1B2-c3_D4@crumb.example"},
		{"domain lower-cased", "bounce", "Crumb.Example", "tok", "bounce+tok@crumb.example"},
		{"unsafe bytes escaped", "bounce", "crumb.example", "a+b/c=d@e", "bounce+a=2Bb=2Fc=3Dd=40e@crumb.example"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ReturnPath(tt.local, tt.domain, tt.token)
			if got != tt.want {
				t.Errorf("ReturnPath = %q, want %q", got, tt.want)
			}
			token, ok := ParseReturnPath(got, tt.local)
			if !ok || token != tt.token {
				t.Errorf("ParseReturnPath(%q) = %q, %v; want %q, true", got, token, ok, tt.token)
			}
		})
	}
}

func TestParseReturnPath(t *testing.T) {
	type result struct {
		Token string
		OK    bool
	}
	tests := []struct {
		name, addr string
		want       result
	}{
		{"plain", "bounce+abc@crumb.example", result{"abc", true}},
		{"angle brackets", "<bounce+abc@crumb.example>", result{"abc", true}},
		{"local part folded to upper case", "BOUNCE+abc@crumb.example", result{"abc", true}},
		{"other local part", "hello+abc@crumb.example", result{}},
		{"no token", "bounce+@crumb.example", result{}},
		{"no plus", "bounce@crumb.example", result{}},
		{"no at", "bounce+abc", result{}},
		{"broken escape", "bounce+a=2@crumb.example", result{}},
		{"bad hex", "bounce+a=ZZ@crumb.example", result{}},
		{"unescaped unsafe byte", "bounce+a.b@crumb.example", result{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			token, ok := ParseReturnPath(tt.addr, "bounce")
			if diff := cmp.Diff(tt.want, result{token, ok}); diff != "" {
				t.Errorf("ParseReturnPath(%q) (-want +got):\n%s", tt.addr, diff)
			}
		})
	}
}

func TestReturnPathOfReports(t *testing.T) {
	// The VERP token survives the trip through a real bounce.
	reports, err := message(readFixture(t, "dsn-hard-5.1.1.eml"))
	if err != nil {
		t.Fatal(err)
	}
	token, ok := ParseReturnPath(reports[0].ReturnPath, "bounce")
	if !ok || token != "a1B2c3D4e5F6-_x9" {
		t.Errorf("token = %q, %v; want a1B2c3D4e5F6-_x9, true", token, ok)
	}
}

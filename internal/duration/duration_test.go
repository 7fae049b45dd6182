package duration

import (
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name, in string
		want     time.Duration
		wantErr  string
	}{
		{name: "days", in: "3d", want: 72 * time.Hour},
		{name: "weeks", in: "2w", want: 14 * Day},
		{name: "hours", in: "24h", want: 24 * time.Hour},
		{name: "minutes", in: "90m", want: 90 * time.Minute},
		{name: "combined", in: "1d12h", want: 36 * time.Hour},
		{name: "fraction", in: "1.5h", want: 90 * time.Minute},
		{name: "zero", in: "0", want: 0},
		{name: "year", in: "365d", want: 365 * Day},
		{name: "no unit", in: "3", wantErr: `"3" is not a duration (write it like 3d, 24h or 90m)`},
		{name: "unknown unit", in: "3y", wantErr: `"3y" is not a duration: unit "y" is not one of w, d, h, m, s`},
		{name: "negative", in: "-3d", wantErr: `"-3d" is not a duration (write it like 3d, 24h or 90m)`},
		{name: "empty", in: "", wantErr: `"" is not a duration (write it like 3d, 24h or 90m)`},
		{name: "over a century", in: "40000d", wantErr: `"40000d" is longer than a century`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.in)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("Parse(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
			if back, err := Parse(Format(got)); err != nil || back != got {
				t.Errorf("Format(%v) = %q does not read back", got, Format(got))
			}
		})
	}
}

func TestFormatWritesTheLargestWholeUnit(t *testing.T) {
	for d, want := range map[time.Duration]string{
		7 * Day: "7d", 36 * time.Hour: "36h", 90 * time.Minute: "90m", 90 * time.Second: "90s",
		1500 * time.Millisecond: "1.5s", 0: "0", 2 * Week: "14d",
	} {
		if got := Format(d); got != want {
			t.Errorf("Format(%v) = %q, want %q", d, got, want)
		}
	}
}

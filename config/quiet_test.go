package config

import "testing"

func TestQuietHoursCanBeSwitchedOff(t *testing.T) {
	tests := []struct{ name, yaml, want string }{
		{"left out", minimal, "20:00-09:00"},
		{"none", minimal + "limits:\n  quiet_hours: none\n", ""},
		{"empty", minimal + "limits:\n  quiet_hours: \"\"\n", ""},
		{"set", minimal + "limits:\n  quiet_hours: \"21:30-08:00\"\n", "21:30-08:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := mustParse(t, "courtesy.yaml", tt.yaml).Limits.QuietHours.String(); got != tt.want {
				t.Errorf("quiet hours = %q, want %q", got, tt.want)
			}
		})
	}
}

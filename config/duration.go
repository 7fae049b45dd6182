package config

import (
	"fmt"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/courtesyhq/courtesy/internal/duration"
)

// Day and Week are the calendar units people write in limits and windows.
// They are fixed lengths (24 h and 7 days): a window is counted in elapsed
// time, not in local calendar days.
const (
	Day  = duration.Day
	Week = duration.Week
)

// ParseDuration reads a duration such as "3d", "24h", "2w", "90m" or
// "1d12h". Units are w, d, h, m and s; fractions ("1.5h") are allowed. It
// rejects negative and empty durations.
func ParseDuration(s string) (time.Duration, error) { return duration.Parse(s) }

// FormatDuration writes d in the largest whole unit ParseDuration reads
// back, days at most: "7d", "36h", "90m", "90s" — the unit people write.
func FormatDuration(d time.Duration) string { return duration.Format(d) }

// Duration is a time.Duration that reads "3d" and "2w" from YAML and text.
type Duration time.Duration

// String formats the duration as ParseDuration reads it.
func (d Duration) String() string { return FormatDuration(time.Duration(d)) }

// UnmarshalText reads the forms ParseDuration accepts.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := ParseDuration(string(b))
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

// MarshalText writes the form String returns.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalYAML reads a scalar the way UnmarshalText does.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("line %d: a duration must be a single value", n.Line)
	}
	return d.UnmarshalText([]byte(n.Value))
}

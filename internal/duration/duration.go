// Package duration reads and writes the durations people write in courtesy's
// files and flags: "3d", "2w", "24h", "90m", "1d12h". It is one syntax for the
// config file, the campaign files, the limits ("3/7d") and the command line.
package duration

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Day and Week are the calendar units people write in limits and windows.
// They are fixed lengths (24 h and 7 days): a window is counted in elapsed
// time, not in local calendar days.
const (
	Day  = 24 * time.Hour
	Week = 7 * Day
)

// Parse reads a duration such as "3d", "24h", "2w", "90m" or "1d12h". Units
// are w, d, h, m and s; fractions ("1.5h") are allowed. It rejects negative
// and empty durations, and those longer than a century.
func Parse(s string) (time.Duration, error) {
	in := strings.TrimSpace(s)
	if in == "" {
		return 0, fmt.Errorf("%q is not a duration (write it like 3d, 24h or 90m)", s)
	}
	if in == "0" {
		return 0, nil
	}
	var total float64
	rest := in
	for rest != "" {
		i := 0
		for i < len(rest) && (rest[i] >= '0' && rest[i] <= '9' || rest[i] == '.') {
			i++
		}
		if i == 0 || i == len(rest) {
			return 0, fmt.Errorf("%q is not a duration (write it like 3d, 24h or 90m)", s)
		}
		n, err := strconv.ParseFloat(rest[:i], 64)
		if err != nil {
			return 0, fmt.Errorf("%q is not a duration (write it like 3d, 24h or 90m)", s)
		}
		var unit time.Duration
		switch rest[i] {
		case 'w':
			unit = Week
		case 'd':
			unit = Day
		case 'h':
			unit = time.Hour
		case 'm':
			unit = time.Minute
		case 's':
			unit = time.Second
		default:
			return 0, fmt.Errorf("%q is not a duration: unit %q is not one of w, d, h, m, s", s, rest[i:i+1])
		}
		total += n * float64(unit)
		rest = rest[i+1:]
	}
	if total > float64(100*365*Day) {
		return 0, fmt.Errorf("%q is longer than a century", s)
	}
	return time.Duration(total), nil
}

// Format writes d in the largest whole unit Parse reads back, days at most:
// "7d", "36h", "90m", "90s" — the unit people write.
func Format(d time.Duration) string {
	switch {
	case d == 0:
		return "0"
	case d%Day == 0:
		return strconv.FormatInt(int64(d/Day), 10) + "d"
	case d%time.Hour == 0:
		return strconv.FormatInt(int64(d/time.Hour), 10) + "h"
	case d%time.Minute == 0:
		return strconv.FormatInt(int64(d/time.Minute), 10) + "m"
	case d%time.Second == 0:
		return strconv.FormatInt(int64(d/time.Second), 10) + "s"
	}
	return d.String()
}

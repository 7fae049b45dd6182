package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/courtesyhq/courtesy/internal/csvsafe"
)

// table is rows of text under a header, printed for people (aligned
// columns), for spreadsheets (CSV) or for tools (JSON objects keyed by the
// header).
type table struct {
	header []string
	rows   [][]string
}

func (t *table) add(cells ...string) { t.rows = append(t.rows, cells) }

// write prints the whole table; JSON is one indented array.
func (t *table) write(w io.Writer, format string) error { return t.print(w, format, true) }

// writeRows prints the rows without the header, for rows that follow a
// table already printed; JSON rows are then one object a line.
func (t *table) writeRows(w io.Writer, format string) error { return t.print(w, format, false) }

func (t *table) print(w io.Writer, format string, withHeader bool) error {
	switch format {
	case "", "table":
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		if withHeader {
			fmt.Fprintln(tw, strings.ToUpper(strings.Join(t.header, "\t")))
		}
		for _, r := range t.rows {
			fmt.Fprintln(tw, strings.Join(sanitizeCells(r), "\t"))
		}
		return tw.Flush()
	case "csv":
		cw := csv.NewWriter(w)
		if withHeader {
			if err := cw.Write(t.header); err != nil {
				return err
			}
		}
		// Cells carry customers' own words (names, opt-out comments) into
		// the owner's spreadsheet.
		for _, r := range t.rows {
			if err := cw.Write(csvsafe.Record(r)); err != nil {
				return err
			}
		}
		cw.Flush()
		return cw.Error()
	case "json":
		objs := t.objects()
		enc := json.NewEncoder(w)
		if withHeader {
			enc.SetIndent("", "  ")
			return enc.Encode(objs)
		}
		for _, o := range objs {
			if err := enc.Encode(o); err != nil {
				return err
			}
		}
		return nil
	}
	return usagef("--format %q: want table, csv or json", format)
}

// objects keys each row's cells by the header.
func (t *table) objects() []map[string]string {
	out := make([]map[string]string, 0, len(t.rows))
	for _, r := range t.rows {
		m := make(map[string]string, len(t.header))
		for i, h := range t.header {
			if i < len(r) {
				m[h] = r[i]
			}
		}
		out = append(out, m)
	}
	return out
}

// sanitizeCells keeps a hostile value (a name with a tab or newline) from
// breaking the aligned table.
func sanitizeCells(r []string) []string {
	out := make([]string, len(r))
	for i, c := range r {
		out[i] = strings.Map(func(r rune) rune {
			if r == '\t' || r == '\n' || r == '\r' {
				return ' '
			}
			return r
		}, c)
	}
	return out
}

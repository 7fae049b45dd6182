// Package csvsafe keeps the cells of a CSV export inert in a spreadsheet. A
// cell that a spreadsheet would evaluate as a formula is written as text.
package csvsafe

import "strings"

// formulaStarts are the first characters that make a spreadsheet evaluate a
// cell: a customer's comment "=HYPERLINK(…)" would otherwise become a live
// link, or worse, in the owner's spreadsheet.
const formulaStarts = "=+-@\t\r"

// Cell returns c, with an apostrophe in front when it begins like a formula;
// spreadsheets show the apostrophe-led cell as the text that follows it.
func Cell(c string) string {
	if c != "" && strings.IndexByte(formulaStarts, c[0]) >= 0 {
		return "'" + c
	}
	return c
}

// Record returns a copy of the row with every cell passed through Cell.
func Record(row []string) []string {
	out := make([]string, len(row))
	for i, c := range row {
		out[i] = Cell(c)
	}
	return out
}

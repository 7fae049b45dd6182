package store

import (
	"strconv"
	"strings"
)

// dialect holds the SQL that differs between SQLite and PostgreSQL; the
// rest of the package writes SQL that both accept. Each engine's dialect,
// and what else differs (its connections, its errors, the machinery a
// single-writer file needs), is in sqlite.go and postgres.go: no code
// elsewhere asks which engine it runs on.
type dialect struct {
	name string
	// dollar rewrites ? placeholders to $1, $2, … (PostgreSQL).
	dollar bool
	// autoID is the column type of an auto-numbered primary key in migrations.
	autoID string
	// forUpdate locks the rows a read-then-write transaction depends on.
	// SQLite needs none: its write transactions begin IMMEDIATE on the one
	// writer connection, so they are already serialised.
	forUpdate string
	// migrationLock serialises migrations across processes, inside the
	// migration transaction; empty when the transaction itself is enough.
	migrationLock string
	// customerLock makes the claims of one customer's messages take turns
	// until their transactions end; its argument is a message key. Empty
	// when the one writer does that already.
	customerLock string
	// jsonAgg and jsonObject build a JSON array of objects from rows, so a
	// list can travel inside one row of a larger query.
	jsonAgg, jsonObject string
	// jsonKeys lists the strings of a JSON array given as one argument, as
	// a subquery for IN: a batch of keys in one fixed statement.
	jsonKeys string
	// decisionRows is a table d of the decisions given as one JSON array
	// of objects (decisionRow), for DecideAll's one statement.
	decisionRows string
	// truncateLog empties the write-ahead log, whose frames keep pages as
	// they were before the last changes, and reports (busy, logged, done)
	// as SQLite's wal_checkpoint does; empty when the server recycles its
	// log itself.
	truncateLog string
	// hotReadsOnWriter sends the send path's reads to the writer
	// connection rather than a reader.
	hotReadsOnWriter bool
}

// rebind rewrites the ? placeholders of query for the dialect, leaving
// question marks inside quoted strings and identifiers alone.
func (d dialect) rebind(query string) string {
	if !d.dollar || !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	var quote byte
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// placeholders returns "?, ?, …" with n marks, for IN lists.
func placeholders(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat("?, ", n-1) + "?"
}

package store

import (
	"context"
	"fmt"
)

// tablesSQL lists the application's tables, per engine.
var tablesSQL = map[string]string{
	"sqlite":   `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`,
	"postgres": `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`,
}

// AllText returns every value of every row of every table, as text keyed by
// "table.column", so tests can check that no personal data is left anywhere.
func (db *DB) AllText(ctx context.Context) (map[string][]string, error) {
	rows, err := db.reader().query(ctx, tablesSQL[db.Dialect()])
	if err != nil {
		return nil, err
	}
	var tables []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return nil, err
		}
		tables = append(tables, t)
	}
	rows.Close()
	out := map[string][]string{}
	for _, t := range tables {
		rows, err := db.reader().query(ctx, `SELECT * FROM `+t)
		if err != nil {
			return nil, err
		}
		cols, err := rows.Columns()
		if err != nil {
			rows.Close()
			return nil, err
		}
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				return nil, err
			}
			for i, v := range vals {
				s := fmt.Sprint(v)
				if b, ok := v.([]byte); ok {
					s = string(b)
				}
				out[t+"."+cols[i]] = append(out[t+"."+cols[i]], s)
			}
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Migrate runs the migrations again on an open store.
func (db *DB) Migrate(ctx context.Context) error { return db.migrate(ctx) }

// Rebind exposes the placeholder rewriting of PostgreSQL.
func Rebind(query string) string { return postgresDialect.rebind(query) }

// CountRows counts the rows of a table.
func (db *DB) CountRows(ctx context.Context, table string) (int, error) {
	var n int
	err := db.reader().queryRow(ctx, `SELECT COUNT(*) FROM `+table).Scan(&n)
	return n, err
}

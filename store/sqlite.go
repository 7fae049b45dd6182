package store

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/courtesyhq/courtesy/store/internal/stmtcache"
)

// SQLite is the single-machine engine: one file, one writer connection
// whose transactions begin IMMEDIATE (writers queue in Go rather than fail
// with SQLITE_BUSY), readers beside it in WAL mode, prepared statements
// kept per query, and commits shared by the changes waiting for the writer
// (groupcommit.go).

// SQLiteFile returns the file a database URL keeps its data in, and false
// for PostgreSQL (or a URL Open would refuse): what must be writable on
// this machine before Open can work.
func SQLiteFile(rawURL string) (string, bool) {
	if isPostgresURL(rawURL) {
		return "", false
	}
	p, err := sqlitePath(rawURL)
	return p, err == nil
}

var sqliteDialect = dialect{
	name:        "sqlite",
	autoID:      "INTEGER PRIMARY KEY AUTOINCREMENT",
	forUpdate:   "",
	jsonAgg:     "json_group_array",
	jsonObject:  "json_object",
	truncateLog: `PRAGMA wal_checkpoint(TRUNCATE)`,
	// In WAL mode a connection drops its whole page cache when it begins a
	// read after another connection has committed, so the send path's reads
	// on the reader pool would read their pages again from the file, while
	// the writer's cache stays valid across its own commits.
	hotReadsOnWriter: true,
	jsonKeys:         "SELECT value FROM json_each(?)",
	decisionRows: `(SELECT json_extract(value, '$.k') AS k, json_extract(value, '$.o') AS o,
		json_extract(value, '$.d') AS d, json_extract(value, '$.t') AS t, json_extract(value, '$.detail') AS detail,
		json_extract(value, '$.mid') AS mid, json_extract(value, '$.subj') AS subj, json_extract(value, '$.v') AS v,
		json_extract(value, '$.cv') AS cv, json_extract(value, '$.due') AS due FROM json_each(?)) AS d`,
}

// sqlitePath returns the file a SQLite URL (or bare path) names.
func sqlitePath(rawURL string) (string, error) {
	p := rawURL
	switch {
	case strings.HasPrefix(p, "sqlite://"):
		p = strings.TrimPrefix(p, "sqlite://")
	case strings.HasPrefix(p, "sqlite:"):
		p = strings.TrimPrefix(p, "sqlite:")
	case strings.Contains(p, "://"):
		return "", fmt.Errorf("unsupported database URL scheme (want sqlite:// or postgres://)")
	}
	if i := strings.IndexByte(p, '?'); i >= 0 {
		p = p[:i]
	}
	if p == "" {
		return "", fmt.Errorf("no database file in URL")
	}
	return filepath.Clean(p), nil
}

func openSQLite(ctx context.Context, path string) (*DB, error) {
	// A fresh data directory is the first-run case; create it rather than
	// fail with SQLite's "unable to open database file".
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, err
	}
	// busy_timeout still matters: another process (a second worker, the
	// sqlite3 shell) may hold the write lock.
	// secure_delete overwrites what a delete or an update frees, so an
	// erased address does not live on in free pages of the file.
	common := "_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_pragma=secure_delete(1)"
	// The writer's page cache is kept small (8 MiB): every commit walks the
	// cache's hash table, so a larger cache costs each commit more CPU than
	// its hits save.
	w, err := sql.Open("sqlite", path+"?"+common+"&_pragma=journal_mode(WAL)&_pragma=cache_size(-8192)&_txlock=immediate")
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxIdleTime(0)
	w.SetConnMaxLifetime(0)
	if err := w.PingContext(ctx); err != nil {
		_ = w.Close()
		return nil, err
	}
	r, err := sql.Open("sqlite", path+"?"+common+"&_pragma=query_only(1)")
	if err != nil {
		_ = w.Close()
		return nil, err
	}
	n := max(4, 2*runtime.GOMAXPROCS(0))
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	if err := r.PingContext(ctx); err != nil {
		_ = w.Close()
		_ = r.Close()
		return nil, err
	}
	db := &DB{w: w, r: r, d: sqliteDialect, q: newSendSQL(sqliteDialect), rs: stmtcache.New(r), ws: stmtcache.New(w)}
	db.durable = newGroupCommit(db, true)
	db.batched = newGroupCommit(db, false)
	return db, nil
}

// isBusy reports whether SQLite refused because another connection holds
// the lock.
func isBusy(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "SQLITE_BUSY") || strings.Contains(msg, "database is locked")
}

// durableSQLiteTx runs fn in a transaction committed with
// synchronous=FULL.
func (db *DB) durableSQLiteTx(ctx context.Context, fn func(tx conn) error) error {
	c, err := db.w.Conn(ctx)
	if err != nil {
		return fmt.Errorf("writer connection: %w", err)
	}
	defer c.Close()
	if _, err := c.ExecContext(ctx, "PRAGMA synchronous = FULL"); err != nil {
		return fmt.Errorf("synchronous full: %w", err)
	}
	// Restore the pool's setting whatever happens; a background context so a
	// cancelled request cannot leave the connection in FULL mode.
	defer func() { _, _ = c.ExecContext(context.Background(), "PRAGMA synchronous = NORMAL") }()
	return db.runTx(c.BeginTx(ctx, nil))(fn)
}

package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
	_ "modernc.org/sqlite"             // the "sqlite" database/sql driver

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/store/internal/stmtcache"
)

// DB is an open store. It is safe for concurrent use.
type DB struct {
	// w takes every write. On SQLite it is a pool of one connection whose
	// transactions begin IMMEDIATE: writers queue in Go instead of failing
	// with SQLITE_BUSY. On PostgreSQL r and w are the same pool.
	w *sql.DB
	// r serves reads; on SQLite WAL lets its connections read while the
	// writer writes.
	r *sql.DB
	d dialect
	q sendSQL // the send path's statements in d
	// rs and ws hold prepared statements on r and w; nil on PostgreSQL.
	rs, ws *stmtcache.Cache
	// durable batches durable commits on SQLite; nil on PostgreSQL.
	durable *groupCommit
	// batched batches the send pipeline's claims and decisions on SQLite
	// into shared commits; nil on PostgreSQL.
	batched *groupCommit
	// fp makes and matches the fingerprints kept of addresses.
	fp fingerprinter
}

// Open connects to the store at rawURL and brings its schema up to date.
//
// Accepted forms: sqlite:///abs/path/courtesy.db, sqlite://relative/path.db,
// a bare file path (SQLite), and postgres://… or postgresql://… .
func Open(ctx context.Context, rawURL string, opts ...Option) (*DB, error) {
	prepare := func(db *DB) error {
		for _, o := range opts {
			o(db)
		}
		if err := db.migrate(ctx); err != nil {
			return err
		}
		return db.rekey(ctx)
	}
	if isPostgresURL(rawURL) {
		db, err := openPostgres(ctx, rawURL)
		if err == nil {
			err = prepare(db) // migrations under an advisory lock: concurrent starts queue
			if err != nil {
				_ = db.Close()
			}
		}
		if err != nil {
			return nil, fmt.Errorf("open store %s: %w", redact(rawURL), err)
		}
		return db, nil
	}
	path, err := sqlitePath(rawURL)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", redact(rawURL), err)
	}
	// Processes starting together on one new file race to switch it to WAL
	// and to migrate it; SQLite answers the loser "busy" at once rather than
	// waiting, so the loser tries again shortly.
	deadline := time.Now().Add(15 * time.Second)
	for attempt := 1; ; attempt++ {
		db, err := openSQLite(ctx, path)
		if err == nil {
			if err = prepare(db); err != nil {
				_ = db.Close()
			}
		}
		if err == nil {
			return db, nil
		}
		if !isBusy(err) || time.Now().After(deadline) || ctx.Err() != nil {
			return nil, fmt.Errorf("open store %s: %w", redact(rawURL), err)
		}
		time.Sleep(time.Duration(attempt*20) * time.Millisecond)
	}
}

// IsUnavailable reports whether err says the database is away or busy —
// unreachable, its connection dropped, SQLite's write lock held by another
// process past the busy timeout — rather than that the request or the data
// is wrong: the same call can succeed once the database is back.
func IsUnavailable(err error) bool {
	if err == nil {
		return false
	}
	var ne net.Error
	var ce *pgconn.ConnectError
	return isBusy(err) || errors.As(err, &ne) || errors.As(err, &ce) ||
		errors.Is(err, pgconn.ErrConnClosed) || errors.Is(err, driver.ErrBadConn) ||
		errors.Is(err, io.ErrUnexpectedEOF)
}

// redact hides a password in a URL so it can go in an error.
func redact(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil || u.User == nil {
		return rawURL
	}
	return u.Redacted()
}

// Close releases the store's connections.
func (db *DB) Close() error {
	if db.durable != nil {
		db.durable.stop()
	}
	if db.batched != nil {
		db.batched.stop()
	}
	err := errors.Join(db.rs.Close(), db.ws.Close(), db.w.Close())
	if db.r != db.w {
		err = errors.Join(err, db.r.Close())
	}
	return err
}

// Ping checks that the database answers, for readiness probes.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.w.PingContext(ctx); err != nil {
		return fmt.Errorf("ping store: %w", err)
	}
	return nil
}

// Dialect names the engine behind the store: "sqlite" or "postgres".
func (db *DB) Dialect() string { return db.d.name }

// querier is what both *sql.DB and *sql.Tx offer.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
}

// conn runs queries written with ? placeholders on a pool or a transaction.
type conn struct {
	q     querier
	d     dialect
	cache *stmtcache.Cache // the pool's prepared statements; nil in most transactions
	// tx is set in a transaction that may use the statements its pool has
	// prepared already (cache); it cannot prepare new ones there, as the
	// pool's one connection is the transaction's.
	tx *sql.Tx
}

// stmt returns the prepared statement to run query with, or nil to run it
// unprepared.
func (c conn) stmt(ctx context.Context, query string) *sql.Stmt {
	if c.tx == nil {
		return c.cache.Get(ctx, query)
	}
	if s := c.cache.Peek(query); s != nil {
		return c.tx.StmtContext(ctx, s)
	}
	return nil
}

func (c conn) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	query = c.d.rebind(query)
	if s := c.stmt(ctx, query); s != nil {
		return s.ExecContext(ctx, args...)
	}
	return c.q.ExecContext(ctx, query, args...)
}

func (c conn) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	query = c.d.rebind(query)
	if s := c.stmt(ctx, query); s != nil {
		return s.QueryContext(ctx, args...)
	}
	return c.q.QueryContext(ctx, query, args...)
}

func (c conn) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	query = c.d.rebind(query)
	if s := c.stmt(ctx, query); s != nil {
		return s.QueryRowContext(ctx, args...)
	}
	return c.q.QueryRowContext(ctx, query, args...)
}

func (c conn) prepare(ctx context.Context, query string) (*sql.Stmt, error) {
	return c.q.PrepareContext(ctx, c.d.rebind(query))
}

func (db *DB) reader() conn { return conn{q: db.r, d: db.d, cache: db.rs} }
func (db *DB) writer() conn { return conn{q: db.w, d: db.d, cache: db.ws} }

// inTx runs fn in a write transaction and commits it when fn returns nil.
func (db *DB) inTx(ctx context.Context, fn func(tx conn) error) error {
	return db.runTx(db.w.BeginTx(ctx, nil))(fn)
}

// runTx returns a function that runs fn in the transaction begun (or not,
// with err) and commits it when fn returns nil, or rolls it back.
func (db *DB) runTx(tx *sql.Tx, err error) func(fn func(tx conn) error) error {
	return func(fn func(tx conn) error) error {
		if err != nil {
			return fmt.Errorf("begin: %w", err)
		}
		if err := fn(conn{q: tx, d: db.d, cache: db.ws, tx: tx}); err != nil {
			_ = tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("commit: %w", err)
		}
		return nil
	}
}

// inDurableTx is inTx for a change that has been acknowledged to a person
// (an opt-out): on SQLite it syncs the write-ahead log at commit, which
// synchronous=NORMAL leaves to the next checkpoint, and shares that commit
// with the other durable changes waiting for it (groupCommit), so fn may
// run alongside other callers' changes in one transaction and must touch
// only what it reads. PostgreSQL commits are synchronous already.
func (db *DB) inDurableTx(ctx context.Context, fn func(tx conn) error) error {
	if db.durable == nil {
		return db.inTx(ctx, fn)
	}
	return db.durable.run(ctx, fn)
}

// inBatchedTx runs fn, a change of one or two statements (queries), on the
// writer. On SQLite, with its one writer, the changes waiting for it share
// one transaction (groupCommit, with synchronous=NORMAL as every other
// write): a commit costs about as much CPU as the change itself, and the
// send pipeline makes two such changes per message. Each caller is
// answered after the shared commit, so a change is committed when its call
// returns, as with a transaction of its own. The queries are prepared on
// the writer first, so that fn runs them as prepared statements. On
// PostgreSQL fn runs on the pool directly.
func (db *DB) inBatchedTx(ctx context.Context, fn func(tx conn) error, queries ...string) error {
	if db.batched == nil {
		return fn(db.writer())
	}
	for _, q := range append(queries, savepointSQL, rollbackToSQL, releaseSQL) {
		db.ws.Get(ctx, db.d.rebind(q))
	}
	return db.batched.run(ctx, fn)
}

// micros converts a time to its stored form; the zero time is 0.
func micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

// fromMicros converts a stored time back; 0 is the zero time.
func fromMicros(us int64) time.Time {
	if us == 0 {
		return time.Time{}
	}
	return time.UnixMicro(us).UTC()
}

// notFound wraps ErrNotFound when err is sql.ErrNoRows.
func notFound(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s: %w", what, courtesy.ErrNotFound)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// mustAffect turns an UPDATE that matched no row into ErrNotFound.
func mustAffect(res sql.Result, what string) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if n == 0 {
		return fmt.Errorf("%s: %w", what, courtesy.ErrNotFound)
	}
	return nil
}

// scanStrings reads a result of one text column, closing it; err is the
// query's own.
func scanStrings(rows *sql.Rows, err error) ([]string, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

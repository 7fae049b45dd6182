package store

import (
	"context"
	"database/sql"
	"errors"
	"sync"
)

// maxCachedStmts bounds a statement cache. The package's queries are a few
// dozen fixed strings; the bound only stops queries built per call (IN
// lists of varying length) from growing it without end.
const maxCachedStmts = 256

// stmtCache keeps a prepared statement per query string on a SQLite pool.
// Parsing the SQL took about a fifth of the send pipeline's CPU time when
// every call prepared afresh. PostgreSQL needs none: pgx caches prepared
// statements per connection itself.
type stmtCache struct {
	pool *sql.DB
	mu   sync.Mutex
	m    map[string]*sql.Stmt
}

func newStmtCache(pool *sql.DB) *stmtCache {
	return &stmtCache{pool: pool, m: map[string]*sql.Stmt{}}
}

// get returns the prepared statement for query, preparing it on first use;
// nil when the cache is full or the query does not prepare, and the caller
// then runs the query unprepared (and sees its error, if it has one).
func (c *stmtCache) get(ctx context.Context, query string) *sql.Stmt {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	s, ok := c.m[query]
	full := len(c.m) >= maxCachedStmts
	c.mu.Unlock()
	if ok || full {
		return s
	}
	s, err := c.pool.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if prev, ok := c.m[query]; ok {
		// Prepared by another caller meanwhile: keep one.
		_ = s.Close()
		return prev
	}
	c.m[query] = s
	return s
}

// peek returns the statement prepared for query, or nil; it never prepares.
func (c *stmtCache) peek(query string) *sql.Stmt {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[query]
}

func (c *stmtCache) close() error {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var errs []error
	for q, s := range c.m {
		errs = append(errs, s.Close())
		delete(c.m, q)
	}
	return errors.Join(errs...)
}

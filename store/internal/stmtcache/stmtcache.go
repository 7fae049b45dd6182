// Package stmtcache keeps a prepared statement per query string on a
// database/sql pool, so that a query run again and again is parsed once.
// The store uses it on SQLite; PostgreSQL needs none, as pgx caches prepared
// statements per connection itself.
package stmtcache

import (
	"context"
	"database/sql"
	"errors"
	"sync"
)

// maxStmts bounds a cache. The store's queries are a few dozen fixed
// strings; the bound only stops queries built per call (IN lists of varying
// length) from growing it without end.
const maxStmts = 256

// Cache keeps a prepared statement per query string on a pool. It is safe
// for concurrent use. A nil *Cache keeps nothing: Get and Peek return nil,
// and the caller runs its query unprepared.
type Cache struct {
	pool *sql.DB
	mu   sync.Mutex
	m    map[string]*sql.Stmt
}

// New returns an empty cache of statements prepared on pool.
func New(pool *sql.DB) *Cache {
	return &Cache{pool: pool, m: map[string]*sql.Stmt{}}
}

// Get returns the prepared statement for query, preparing it on first use;
// nil when the cache is full or the query does not prepare, and the caller
// then runs the query unprepared (and sees its error, if it has one).
func (c *Cache) Get(ctx context.Context, query string) *sql.Stmt {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	s, ok := c.m[query]
	full := len(c.m) >= maxStmts
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

// Peek returns the statement prepared for query, or nil; it never prepares.
func (c *Cache) Peek(query string) *sql.Stmt {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[query]
}

// Close closes every statement the cache holds and empties it.
func (c *Cache) Close() error {
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

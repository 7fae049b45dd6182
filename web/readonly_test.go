package web

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/courtesyhq/courtesy/consent"
)

// TestNoGetOrHeadWritesAnything walks every GET route the server has — with
// good tokens, expired ones and junk, signed in to the dashboard and not —
// as GET and as HEAD, and finds the database (every row of every table) and
// Redis (every key and value) as they were: mail scanners open every link.
func TestNoGetOrHeadWritesAnything(t *testing.T) {
	e := newEnv(t, withAdmin(adminPassword), func(c *Config, _ *Deps) { c.RateLimit = RateLimit{PerSecond: 1000, Burst: 10000} })
	_, session := e.login(adminPassword)
	if session == nil {
		t.Fatal("no session")
	}
	db, err := sql.Open("sqlite", "file:"+e.dbPath+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// One POST first, so Redis holds the customer's count for a GET to touch.
	if res := e.postForm(e.surveyLinks().Survey[9], map[string][]string{"score": {"9"}}); res.code != http.StatusOK {
		t.Fatalf("survey answer: %d", res.code)
	}
	before := snapshot(t, db, e)
	if len(before.Redis) == 0 {
		t.Fatal("Redis holds no key to watch")
	}

	tokens := func() map[string][]string { // path prefix → tokens to try
		ls, ss := e.links(), e.surveyLinks()
		last := func(link string) string { p := pathOf(t, link); return p[strings.LastIndex(p, "/")+1:] }
		junk := []string{"AAAA", "", "not-a-token"}
		return map[string][]string{
			"/u/":   append([]string{last(ls.Unsubscribe), last(ss.Unsubscribe)}, junk...),
			"/p/":   append([]string{last(ls.Preferences)}, junk...),
			"/why/": append([]string{last(ls.Why)}, junk...),
			"/s/":   append([]string{last(ss.Survey[0])}, junk...),
			"":      append([]string{last(ls.Unsubscribe), last(ls.Preferences), last(ls.Why), last(ss.Survey[9])}, junk...),
		}
	}()
	var walked []string
	codes := map[int]int{}
	walk := func() {
		for _, pattern := range e.srv.patterns {
			method, path, ok := strings.Cut(pattern, " ")
			if !ok || method != http.MethodGet {
				continue
			}
			for _, p := range samplePaths(path, tokens) {
				for _, m := range []string{http.MethodGet, http.MethodHead} {
					for _, signedIn := range []bool{false, true} {
						req, _ := http.NewRequest(m, e.ts.URL+p, nil)
						if signedIn {
							req.AddCookie(&http.Cookie{Name: session.Name, Value: session.Value})
						}
						codes[e.do(req).code]++
						walked = append(walked, m+" "+p)
					}
				}
			}
		}
	}
	walk()
	e.clock.Add(consent.DefaultTTL + 24*time.Hour) // every expiring link now shows the expired page
	walk()
	e.srv.Wait()

	if len(walked) < 60 || codes[http.StatusOK] < 20 || codes[http.StatusTooManyRequests] > 0 {
		t.Fatalf("walked %d requests, answered %v: want most of them answered", len(walked), codes)
	}
	if diff := cmp.Diff(before, snapshot(t, db, e)); diff != "" {
		t.Errorf("GET and HEAD requests changed state (-before +after):\n%s", diff)
	}
	if n := e.sink.Count(); n != 0 {
		t.Errorf("GET and HEAD requests sent %d messages", n)
	}
}

// samplePaths turns a route's path pattern into paths to request.
func samplePaths(pattern string, tokens map[string][]string) []string {
	pattern = strings.ReplaceAll(pattern, "{$}", "")
	if pattern == "/" {
		return []string{"/", "/nothing-here", "/u/", "/admin/nothing"}
	}
	if !strings.Contains(pattern, "{token}") {
		out := []string{pattern}
		if strings.HasPrefix(pattern, "/admin/") {
			out = append(out, pattern+"?since=7d&kind=optouts", pattern+"?since=365d&kind=sends")
		}
		return out
	}
	prefix := pattern[:strings.Index(pattern, "{token}")]
	toks, ok := tokens[prefix]
	if !ok {
		toks = tokens[""] // a route this test does not know: every kind of token
	}
	var out []string
	for _, tok := range toks {
		p := strings.Replace(pattern, "{token}", tok, 1)
		out = append(out, p, p+"?score=9")
	}
	return out
}

// worldState is everything a request could have written: each table's rows
// (digested) and each Redis key's value.
type worldState struct {
	Tables map[string]string
	Rows   map[string]int
	Redis  map[string]string
}

func snapshot(tb testing.TB, db *sql.DB, e *env) worldState {
	tb.Helper()
	ctx := context.Background()
	st := worldState{Tables: map[string]string{}, Rows: map[string]int{}, Redis: map[string]string{}}
	rows, err := db.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`)
	if err != nil {
		tb.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			tb.Fatal(err)
		}
		tables = append(tables, n)
	}
	if err := rows.Close(); err != nil {
		tb.Fatal(err)
	}
	if len(tables) < 10 {
		tb.Fatalf("found only the tables %v", tables)
	}
	for _, table := range tables {
		st.Tables[table], st.Rows[table] = digestTable(tb, db, table)
	}
	keys, err := e.rdb.Keys(ctx, "*").Result()
	if err != nil {
		tb.Fatal(err)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v, err := e.rdb.Dump(ctx, k).Result()
		if err != nil {
			tb.Fatal(err)
		}
		st.Redis[k] = fmt.Sprintf("%x", sha256.Sum256([]byte(v)))
	}
	return st
}

func digestTable(tb testing.TB, db *sql.DB, table string) (string, int) {
	tb.Helper()
	rows, err := db.Query(`SELECT * FROM "` + table + `" ORDER BY 1`)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	h := sha256.New()
	n := 0
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			tb.Fatal(err)
		}
		fmt.Fprintf(h, "%v\n", vals)
		n++
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	return fmt.Sprintf("%x", h.Sum(nil)), n
}

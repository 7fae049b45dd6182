package testenv

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
)

// Topology is a way of running Redis that courtesy supports: one node, a
// primary with replicas under Sentinel, or a Cluster.
type Topology string

// The topologies scripts/services starts (`scripts/services redis-ha`).
const (
	Single   Topology = "single"
	Sentinel Topology = "sentinel"
	Cluster  Topology = "cluster"
)

// Topologies lists every topology, for tests that run over all of them.
var Topologies = []Topology{Single, Sentinel, Cluster}

// SentinelMaster is the name the test Sentinels know the primary by.
const SentinelMaster = "courtesy-test"

// SentinelAddrs are the test Sentinels: $COURTESY_TEST_REDIS_SENTINELS
// (comma-separated) or 127.0.0.1:26491-26493.
func SentinelAddrs() []string {
	return addrList("COURTESY_TEST_REDIS_SENTINELS", "127.0.0.1:26491,127.0.0.1:26492,127.0.0.1:26493")
}

// ClusterAddrs are the seed nodes of the test Cluster:
// $COURTESY_TEST_REDIS_CLUSTER (comma-separated) or 127.0.0.1:7101-7103.
func ClusterAddrs() []string {
	return addrList("COURTESY_TEST_REDIS_CLUSTER", "127.0.0.1:7101,127.0.0.1:7102,127.0.0.1:7103")
}

func addrList(env, def string) []string {
	v := os.Getenv(env)
	if v == "" {
		v = def
	}
	return strings.Split(v, ",")
}

// RedisEnv is one topology made ready for a test: a client, the matching
// asynq connection option, and the prefix its keys must start with.
type RedisEnv struct {
	Topology Topology
	Client   redis.UniversalClient
	// Asynq connects asynq to the same Redis, the same database.
	Asynq asynq.RedisConnOpt
	// Prefix starts every key the test writes. A Cluster has no databases
	// to keep test packages apart, so there the prefix does; it names the
	// package's database number and holds no hash tag, so the keys under it
	// spread over the Cluster's slots as production keys do.
	Prefix string
}

// RedisOn returns a client on topology top for the test package whose
// database number is db (the RedisDB… constants): on one node and under
// Sentinel that database, flushed; on a Cluster every key under the
// package's prefix, deleted. The client is closed after the test.
//
// Outside CI an unreachable Sentinel or Cluster skips the test with a
// message saying how to start one; in CI it fails the test.
func RedisOn(tb testing.TB, top Topology, db int) RedisEnv {
	tb.Helper()
	env := RedisEnv{Topology: top, Prefix: KeyPrefix(db)}
	var where string
	switch top {
	case Single:
		env.Client = redis.NewClient(&redis.Options{Addr: RedisAddr(), DB: db})
		env.Asynq = asynq.RedisClientOpt{Addr: RedisAddr(), DB: db}
		where = "Redis at " + RedisAddr()
	case Sentinel:
		quietSentinel.Do(func() { redis.SetLogger(discard{}) })
		opt := asynq.RedisFailoverClientOpt{MasterName: SentinelMaster, SentinelAddrs: SentinelAddrs(), DB: db}
		env.Client = opt.MakeRedisClient().(redis.UniversalClient)
		env.Asynq = opt
		where = fmt.Sprintf("Redis Sentinel %q at %s", SentinelMaster, strings.Join(SentinelAddrs(), ","))
	case Cluster:
		opt := asynq.RedisClusterClientOpt{Addrs: ClusterAddrs()}
		env.Client = opt.MakeRedisClient().(redis.UniversalClient)
		env.Asynq = opt
		where = "Redis Cluster at " + strings.Join(ClusterAddrs(), ",")
	default:
		tb.Fatalf("testenv: unknown Redis topology %q", top)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := env.Client.Ping(ctx).Err(); err != nil {
		_ = env.Client.Close()
		if top == Single {
			unavailable(tb, where, err)
		}
		unreachable(tb, where, err)
	}
	tb.Cleanup(func() { _ = env.Client.Close() })
	if err := Flush(ctx, env.Client, env.Prefix); err != nil {
		tb.Fatalf("testenv: empty %s for the test: %v", where, err)
	}
	return env
}

// KeyPrefix is the prefix of the keys of the test package whose database
// number is db.
func KeyPrefix(db int) string { return fmt.Sprintf("courtesy-test:%d", db) }

// NewClient returns another client on the same Redis, with a connection
// pool of its own as another process would have, closed after the test.
func (r RedisEnv) NewClient(tb testing.TB) redis.UniversalClient {
	tb.Helper()
	c := r.Asynq.MakeRedisClient().(redis.UniversalClient)
	tb.Cleanup(func() { _ = c.Close() })
	return c
}

// ForEachTopology runs f as a subtest on every topology, each with its own
// RedisOn(t, top, db).
func ForEachTopology(t *testing.T, db int, f func(t *testing.T, r RedisEnv)) {
	t.Helper()
	for _, top := range Topologies {
		t.Run(string(top), func(t *testing.T) { f(t, RedisOn(t, top, db)) })
	}
}

// Flush empties what a test may use: the selected database of a plain or
// Sentinel client, and on a Cluster only the keys under prefix — other
// packages' keys there are left alone.
func Flush(ctx context.Context, c redis.UniversalClient, prefix string) error {
	if _, ok := c.(*redis.ClusterClient); !ok {
		return c.FlushDB(ctx).Err()
	}
	keys, err := Keys(ctx, c, prefix+"*")
	if err != nil {
		return err
	}
	for _, k := range keys {
		// One key at a time: keys under the prefix lie in many slots.
		if err := c.Unlink(ctx, k).Err(); err != nil {
			return err
		}
	}
	return nil
}

// Keys lists the keys matching pattern, on a Cluster from every master.
func Keys(ctx context.Context, c redis.UniversalClient, pattern string) ([]string, error) {
	cc, ok := c.(*redis.ClusterClient)
	if !ok {
		return c.Keys(ctx, pattern).Result()
	}
	var (
		mu   sync.Mutex
		keys []string
	)
	err := cc.ForEachMaster(ctx, func(ctx context.Context, node *redis.Client) error {
		ks, err := node.Keys(ctx, pattern).Result()
		mu.Lock()
		keys = append(keys, ks...)
		mu.Unlock()
		return err
	})
	return keys, err
}

func unreachable(tb testing.TB, what string, err error) {
	tb.Helper()
	if InCI() {
		tb.Fatalf("%s is not reachable in CI: %v (scripts/services redis-ha starts it)", what, err)
	}
	tb.Skipf("%s is not reachable (%v); start it with `scripts/services redis-ha`, or run the tests with ./scripts/test, which does", what, err)
}

// The Sentinel client logs every master it looks up, which is every client
// made; in tests that is noise around the failures that matter.
var quietSentinel sync.Once

type discard struct{}

func (discard) Printf(context.Context, string, ...any) {}

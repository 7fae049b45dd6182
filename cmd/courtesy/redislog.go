package main

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	"github.com/redis/go-redis/v9"
)

var quietRedis sync.Once

// quietRedisClient keeps go-redis's own log lines (a failed dial, retried
// five times) off the terminal: the command says in one sentence that Redis
// is not reachable. go-redis has one logger per process, so it is set once,
// to the default slog logger at debug level.
func quietRedisClient() { quietRedis.Do(func() { redis.SetLogger(redisLogger{}) }) }

type redisLogger struct{}

func (redisLogger) Printf(ctx context.Context, format string, v ...any) {
	slog.Default().DebugContext(ctx, fmt.Sprintf(format, v...), "from", "go-redis")
}

package testenv

import (
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/redis/go-redis/v9"
)

// ScriptCall is one Lua script run as a client sent it: its command
// (EVAL, EVALSHA …) and its KEYS.
type ScriptCall struct {
	Command string
	Keys    []string
}

// ScriptRecorder is a go-redis hook that records every script a client
// runs, so a test can check where its keys fall.
type ScriptRecorder struct {
	mu    sync.Mutex
	calls []ScriptCall
}

// RecordScripts adds a recorder to c.
func RecordScripts(c redis.UniversalClient) *ScriptRecorder {
	r := &ScriptRecorder{}
	c.AddHook(r)
	return r
}

// Calls returns the scripts run so far.
func (r *ScriptRecorder) Calls() []ScriptCall {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]ScriptCall(nil), r.calls...)
}

func (r *ScriptRecorder) record(cmd redis.Cmder) {
	name := strings.ToUpper(cmd.Name())
	if !strings.HasPrefix(name, "EVAL") && !strings.HasPrefix(name, "FCALL") {
		return
	}
	args := cmd.Args()
	if len(args) < 3 {
		return
	}
	var n int
	if _, err := fmt.Sscan(fmt.Sprint(args[2]), &n); err != nil || 3+n > len(args) {
		return
	}
	keys := make([]string, n)
	for i := range n {
		keys[i] = fmt.Sprint(args[3+i])
	}
	r.mu.Lock()
	r.calls = append(r.calls, ScriptCall{Command: name, Keys: keys})
	r.mu.Unlock()
}

// DialHook implements redis.Hook.
func (r *ScriptRecorder) DialHook(next redis.DialHook) redis.DialHook {
	return func(ctx context.Context, network, addr string) (net.Conn, error) { return next(ctx, network, addr) }
}

// ProcessHook implements redis.Hook.
func (r *ScriptRecorder) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		r.record(cmd)
		return next(ctx, cmd)
	}
}

// ProcessPipelineHook implements redis.Hook.
func (r *ScriptRecorder) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		for _, c := range cmds {
			r.record(c)
		}
		return next(ctx, cmds)
	}
}

// AssertOneSlotEach fails the test for every recorded script whose keys
// lie in more than one slot, as the Cluster itself computes them (CLUSTER
// KEYSLOT): a Cluster refuses such a script, and a hash tag ({…}) shared
// by its keys is the cure. It returns the number of calls checked.
func AssertOneSlotEach(tb testing.TB, c redis.UniversalClient, calls []ScriptCall) int {
	tb.Helper()
	ctx := context.Background()
	for _, call := range calls {
		slots := map[int64][]string{}
		for _, k := range call.Keys {
			s, err := c.ClusterKeySlot(ctx, k).Result()
			if err != nil {
				tb.Fatalf("CLUSTER KEYSLOT %s: %v", k, err)
			}
			slots[s] = append(slots[s], k)
		}
		if len(slots) > 1 {
			tb.Errorf("%s with keys in %d slots: %v", call.Command, len(slots), slots)
		}
	}
	return len(calls)
}

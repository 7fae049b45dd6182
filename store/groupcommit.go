package store

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
)

// maxGroup is how many changes one commit carries at most.
const maxGroup = 128

// groupCommit makes durable SQLite changes share their fsync. A commit with
// synchronous=FULL waits for the disk (milliseconds on ordinary storage),
// and SQLite has one writer, so one-click opt-outs committed one by one
// could not pass a few hundred a second. Instead the changes waiting when
// the writer comes free run together, each inside a savepoint of its own,
// and one commit makes them all durable before any caller is answered. A
// change that fails is rolled back to its savepoint and fails alone.
//
// The send pipeline's claims and decisions share commits the same way,
// without the fsync (durable false): there a commit's own CPU (writing the
// changed pages to the write-ahead log) is what is shared. A change that
// finds the writer free runs alone, in a transaction of its own.
type groupCommit struct {
	db      *DB
	durable bool // commit with synchronous=FULL
	queue   chan *durableChange
	done    chan struct{}
	start   sync.Once
	halt    sync.Once
	stopped sync.WaitGroup
}

// durableChange is one caller's transaction body waiting for its commit.
type durableChange struct {
	ctx   context.Context
	fn    func(tx conn) error
	state atomic.Int32 // changeWaiting, then changeTaken by the committer or changeAbandoned by the caller
	err   chan error   // buffered: the committer never waits for the caller
}

const (
	changeWaiting int32 = iota
	changeTaken
	changeAbandoned
)

func newGroupCommit(db *DB, durable bool) *groupCommit {
	return &groupCommit{db: db, durable: durable, queue: make(chan *durableChange, 4*maxGroup), done: make(chan struct{})}
}

// run commits fn durably, with whatever other changes are waiting.
func (g *groupCommit) run(ctx context.Context, fn func(tx conn) error) error {
	g.start.Do(func() {
		g.stopped.Add(1)
		go g.loop()
	})
	c := &durableChange{ctx: ctx, fn: fn, err: make(chan error, 1)}
	select {
	case g.queue <- c:
	case <-ctx.Done():
		return ctx.Err()
	case <-g.done:
		return fmt.Errorf("store closed")
	}
	var gone error
	select {
	case err := <-c.err:
		return err
	case <-ctx.Done():
		gone = ctx.Err()
	case <-g.done:
		gone = fmt.Errorf("store closed")
	}
	// Abandoned before the committer took it: it will never run. Taken: it
	// is running, and its outcome is what the caller must hear.
	if c.state.CompareAndSwap(changeWaiting, changeAbandoned) {
		return gone
	}
	return <-c.err
}

func (g *groupCommit) loop() {
	defer g.stopped.Done()
	for {
		var batch []*durableChange
		select {
		case c := <-g.queue:
			batch = append(batch, c)
		case <-g.done:
			g.drain()
			return
		}
	more:
		for len(batch) < maxGroup {
			select {
			case c := <-g.queue:
				batch = append(batch, c)
			default:
				break more
			}
		}
		g.commit(batch)
	}
}

// drain fails the changes still queued when the store closes.
func (g *groupCommit) drain() {
	for {
		select {
		case c := <-g.queue:
			if c.state.CompareAndSwap(changeWaiting, changeTaken) {
				c.err <- fmt.Errorf("store closed")
			}
		default:
			return
		}
	}
}

// The statements around each change in a shared transaction.
const (
	savepointSQL  = `SAVEPOINT grouped_change`
	rollbackToSQL = `ROLLBACK TO grouped_change`
	releaseSQL    = `RELEASE grouped_change`
)

// commit runs the changes in one transaction (with synchronous=FULL when
// durable) and answers each caller once it is committed.
func (g *groupCommit) commit(batch []*durableChange) {
	live := batch[:0]
	for _, c := range batch {
		if c.state.CompareAndSwap(changeWaiting, changeTaken) {
			live = append(live, c)
		}
	}
	if len(live) == 0 {
		return
	}
	if len(live) == 1 && !g.durable {
		// Alone: a transaction of its own, without the savepoint.
		c := live[0]
		c.err <- g.db.inTx(context.Background(), c.fn)
		return
	}
	errs := make([]error, len(live))
	commit := g.db.inTx
	if g.durable {
		commit = g.db.durableSQLiteTx
	}
	err := commit(context.Background(), func(tx conn) error {
		for i, c := range live {
			// The caller's deadline must not interrupt the shared
			// transaction: SQLite rolls all of it back when a statement
			// in it is interrupted. The caller waits for the answer.
			ctx := context.WithoutCancel(c.ctx)
			if _, err := tx.exec(ctx, savepointSQL); err != nil {
				return err
			}
			if errs[i] = c.fn(tx); errs[i] != nil {
				if _, err := tx.exec(ctx, rollbackToSQL); err != nil {
					return err
				}
			}
			if _, err := tx.exec(ctx, releaseSQL); err != nil {
				return err
			}
		}
		return nil
	})
	for i, c := range live {
		if err != nil {
			c.err <- err
		} else {
			c.err <- errs[i]
		}
	}
}

// stop ends the committer once the changes it holds are answered.
func (g *groupCommit) stop() {
	g.halt.Do(func() { close(g.done) })
	g.stopped.Wait()
}

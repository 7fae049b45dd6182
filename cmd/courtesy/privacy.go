package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/hibiken/asynq"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/privacy"
	"github.com/courtesyhq/courtesy/store"
	"github.com/courtesyhq/courtesy/throttle/throttleredis"
	"github.com/courtesyhq/courtesy/web"
	"github.com/courtesyhq/courtesy/worker"
)

func cmdExport(inv *invocation, args []string) error {
	return onCustomer(inv, "export", args, func(a *app, db *store.DB, ids []string) error {
		if len(ids) > 1 {
			return fmt.Errorf("%d customers have this address (%s): export them one by one, by ID", len(ids), strings.Join(ids, ", "))
		}
		rec, err := privacy.Export(a.ctx(), db, ids[0])
		if err != nil {
			return err
		}
		enc := json.NewEncoder(inv.stdio.out)
		enc.SetIndent("", "  ")
		return enc.Encode(rec)
	})
}

// cmdErase erases the customer, or every customer with the address: an
// address is one person however many times the shop recorded them.
func cmdErase(inv *invocation, args []string) error {
	return onCustomer(inv, "erase", args, func(a *app, db *store.DB, ids []string) error {
		if len(a.cfg.Secrets.LinkKeys) == 0 && strings.TrimSpace(inv.getenv("COURTESY_FINGERPRINT_KEY")) == "" {
			return usagef("COURTESY_LINK_KEYS (or COURTESY_FINGERPRINT_KEY) is not set: an erasure leaves a keyed fingerprint of the address, made with it")
		}
		forget, err := a.forgetters()
		if err != nil {
			return err
		}
		for _, id := range ids {
			if err := privacy.Erase(a.ctx(), db, id, a.now(), forget...); err != nil {
				return err
			}
			fmt.Fprintf(inv.stdio.out, "customer %s erased; a keyed fingerprint of the address remains so it is not imported again\n", id)
		}
		return nil
	})
}

// forgetters are the systems beside the store that keep something under a
// customer's name: the frequency windows, the queue and the web pages'
// counters, all in Redis.
func (a *app) forgetters() ([]privacy.Forgetter, error) {
	rdb, err := a.redis()
	if err != nil {
		return nil, err
	}
	q, err := a.queue()
	if err != nil {
		return nil, err
	}
	return []privacy.Forgetter{
		throttleredis.NewLimiter(rdb, a.redisPrefix()+":limits", nil),
		worker.QueueForgetter{Inspector: asynq.NewInspectorFromRedisClient(rdb), Queue: q},
		webCounters{throttleredis.NewCounter(rdb, a.redisPrefix())},
	}, nil
}

// webCounters forgets the web pages' per-customer counters.
type webCounters struct{ c *throttleredis.Counter }

func (w webCounters) ForgetCustomer(ctx context.Context, customerID string, _ []string) error {
	return w.c.Forget(ctx, web.CustomerCounterKeys(customerID)...)
}

// onCustomer runs a command whose one argument names a customer: an ID, or
// an email address (trimmed, in any case), which may name several. One
// that names nobody is a plain error.
func onCustomer(inv *invocation, name string, args []string, do func(a *app, db *store.DB, ids []string) error) error {
	pos, err := parsePositional(inv.flags(name), args, 1, 1)
	if err != nil {
		return err
	}
	a, db, err := inv.loadStore()
	if err != nil {
		return err
	}
	defer a.close()
	arg := strings.TrimSpace(pos[0])
	ids, err := customerIDs(a, db, arg)
	if err != nil {
		return err
	}
	if err := do(a, db, ids); errors.Is(err, courtesy.ErrNotFound) {
		return fmt.Errorf("no customer %q", arg)
	} else if err != nil {
		return err
	}
	return nil
}

// customerIDs resolves what a person typed to the customers it names. An
// ID wins over an address, so an ID that looks like one still works.
func customerIDs(a *app, db *store.DB, arg string) ([]string, error) {
	if _, err := db.Customer(a.ctx(), arg); err == nil {
		return []string{arg}, nil
	} else if !errors.Is(err, courtesy.ErrNotFound) {
		return nil, err
	}
	if !strings.Contains(arg, "@") {
		return nil, fmt.Errorf("no customer %q", arg)
	}
	ids, err := db.CustomerIDsByEmail(a.ctx(), arg)
	if err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, fmt.Errorf("no customer with the address %q", arg)
	}
	return ids, nil
}

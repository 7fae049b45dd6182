package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/consent"
	"github.com/courtesyhq/courtesy/web"
)

// runWeb serves the customer pages over a fresh SQLite store of n
// customers who consented, and has a second process (this program again,
// as the load generator) send each of them one RFC 8058 one-click POST.
// Every 200 means a committed opt-out; the store is counted afterwards to
// check that each one is there.
func runWeb(ctx context.Context, dir string, signer *consent.Signer, n, conns int) (result, error) {
	db, closeDB, err := openStore(ctx, "sqlite", dir)
	if err != nil {
		return result{}, err
	}
	defer closeDB()
	if err := seedCustomers(ctx, db, n, n); err != nil {
		return result{}, err
	}
	origin := time.Now()
	h := web.New(web.Config{
		BaseURL: "https://crumb.example", BusinessName: "Crumb & Co. Bakery",
		Purposes: consent.Purposes{{ID: "birthday", Title: "Birthday treats"}, {ID: "reminders", Title: "Saved-item reminders"}},
		Now:      func() time.Time { return simDay.Add(time.Since(origin)) },
		Logger:   slog.New(slog.NewTextHandler(io.Discard, nil)),
	}, web.Deps{Store: db, Signer: signer})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return result{}, err
	}
	srv := web.NewHTTPServer(ln.Addr().String(), h)
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()

	var links strings.Builder
	for i := range n {
		l := signer.Links("", custID(i), "birthday", "birthday-treat:"+custID(i)+":2026", simDay).Unsubscribe
		links.WriteString(l + "\n")
	}
	file := filepath.Join(dir, "links.txt")
	if err := os.WriteFile(file, []byte(links.String()), 0o600); err != nil {
		return result{}, err
	}
	self, err := os.Executable()
	if err != nil {
		return result{}, err
	}
	cmd := exec.CommandContext(ctx, self, loadgenCommand, "--base", "http://"+ln.Addr().String(), "--file", file,
		"--connections", strconv.Itoa(conns))
	cmd.Env = append(os.Environ(), loadgenEnv+"=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	m := startMeter(nil)
	if err := cmd.Run(); err != nil {
		return result{}, fmt.Errorf("load generator: %v: %s", err, stderr.String())
	}
	r := m.stop(fmt.Sprintf("one-click unsubscribe c=%d", conns), n)
	var lr loadResult
	if err := json.Unmarshal(stdout.Bytes(), &lr); err != nil {
		return result{}, fmt.Errorf("load generator said %q: %w", stdout.String(), err)
	}
	if lr.Failed > 0 {
		return result{}, fmt.Errorf("%d of %d requests failed, the first: %s", lr.Failed, lr.OK+lr.Failed, lr.FirstError)
	}
	outs, err := db.OptOuts(ctx, courtesy.Filter{})
	if err != nil {
		return result{}, err
	}
	if len(outs) != lr.OK {
		return result{}, fmt.Errorf("%d opt-outs stored after %d answers of 200", len(outs), lr.OK)
	}
	r.Messages, r.Elapsed = lr.OK, time.Duration(lr.ElapsedNS)
	r.Latency = "latency POST → 200, seen by the client"
	r.P50, r.P99 = time.Duration(lr.P50NS), time.Duration(lr.P99NS)
	r.Note = fmt.Sprintf("requests/s from a second process; %d opt-outs counted in the store afterwards (SQLite; each 200 after a synchronous=FULL commit, shared by the opt-outs waiting for it)", len(outs))
	return r, nil
}

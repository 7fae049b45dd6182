package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// The load generator is this program started again by runWeb, so that the
// client's work does not share the server's process.
const (
	loadgenCommand = "loadgen"
	loadgenEnv     = "COURTESY_BENCH_LOADGEN"
)

// loadResult is what the load generator prints, as JSON.
type loadResult struct {
	OK         int    `json:"ok"`
	Failed     int    `json:"failed"`
	ElapsedNS  int64  `json:"elapsed_ns"`
	P50NS      int64  `json:"p50_ns"`
	P99NS      int64  `json:"p99_ns"`
	FirstError string `json:"first_error,omitempty"`
}

// loadgen POSTs a one-click unsubscribe to each link in --file, each once,
// from --connections goroutines on kept-alive connections.
func loadgen(args []string, out io.Writer) error {
	fs := flag.NewFlagSet(loadgenCommand, flag.ContinueOnError)
	base := fs.String("base", "", "the server, http://host:port")
	file := fs.String("file", "", "one link path a line")
	conns := fs.Int("connections", 32, "concurrent connections")
	if err := fs.Parse(args); err != nil {
		return err
	}
	f, err := os.Open(*file)
	if err != nil {
		return err
	}
	var links []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" {
			links = append(links, *base+l)
		}
	}
	f.Close()
	if err := sc.Err(); err != nil {
		return err
	}
	client := &http.Client{
		Timeout:   30 * time.Second,
		Transport: &http.Transport{MaxIdleConns: *conns, MaxIdleConnsPerHost: *conns, MaxConnsPerHost: *conns},
	}
	var (
		next     atomic.Int64
		failed   atomic.Int64
		mu       sync.Mutex
		firstErr string
		lat      = make([]time.Duration, len(links))
		wg       sync.WaitGroup
	)
	start := time.Now()
	for range *conns {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(links) {
					return
				}
				t := time.Now()
				err := post(client, links[i])
				lat[i] = time.Since(t)
				if err != nil {
					failed.Add(1)
					mu.Lock()
					if firstErr == "" {
						firstErr = err.Error()
					}
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	el := time.Since(start)
	r := loadResult{OK: len(links) - int(failed.Load()), Failed: int(failed.Load()), ElapsedNS: int64(el),
		P50NS: int64(percentile(lat, 50)), P99NS: int64(percentile(lat, 99)), FirstError: firstErr}
	return json.NewEncoder(out).Encode(r)
}

func post(c *http.Client, url string) error {
	resp, err := c.Post(url, "application/x-www-form-urlencoded", strings.NewReader("List-Unsubscribe=One-Click"))
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("POST %s: %s", url, resp.Status)
	}
	return nil
}

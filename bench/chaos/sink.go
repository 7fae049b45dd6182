package main

import (
	"bufio"
	"io"
	"log"
	"net"
	"net/textproto"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-smtp"
)

// sink is a discarding SMTP server that remembers, of every message it
// accepts, the Message-ID and the recipient with the campaign: the two ways a
// message can arrive twice.
type sink struct {
	srv  *smtp.Server
	addr string

	mu     sync.Mutex
	total  int
	byID   map[string]int
	byRcpt map[string]int // recipient + " " + X-Courtesy-Campaign
	first  time.Time
	last   time.Time
}

func startSink() (*sink, error) {
	s := &sink{byID: map[string]int{}, byRcpt: map[string]int{}}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		return &sinkSession{s: s}, nil
	}))
	srv.Domain = "chaos.localhost"
	srv.ReadTimeout = time.Minute
	srv.WriteTimeout = time.Minute
	srv.MaxMessageBytes = 10 << 20
	srv.ErrorLog = log.New(io.Discard, "", 0)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s.srv, s.addr = srv, ln.Addr().String()
	go func() { _ = srv.Serve(ln) }()
	return s, nil
}

func (s *sink) url() string { return "smtp://" + s.addr }

func (s *sink) close() { _ = s.srv.Close() }

type sinkCounts struct {
	total, dupIDs, dupRcpt, noID int
	first, last                  time.Time // the first and the last message accepted
}

func (s *sink) counts() sinkCounts {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := sinkCounts{total: s.total, first: s.first, last: s.last}
	for id, n := range s.byID {
		if id == "" {
			c.noID += n
			continue
		}
		if n > 1 {
			c.dupIDs += n - 1
		}
	}
	for _, n := range s.byRcpt {
		if n > 1 {
			c.dupRcpt += n - 1
		}
	}
	return c
}

// received reports whether a message reached this recipient for this campaign.
func (s *sink) received(rcpt, campaign string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.byRcpt[strings.ToLower(rcpt)+" "+campaign]
}

type sinkSession struct {
	s  *sink
	to []string
}

func (ss *sinkSession) Mail(string, *smtp.MailOptions) error { return nil }

func (ss *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.to = append(ss.to, to)
	return nil
}

// Data reads only the header block; the body is discarded.
func (ss *sinkSession) Data(r io.Reader) error {
	br := bufio.NewReader(r)
	h, err := textproto.NewReader(br).ReadMIMEHeader()
	if err != nil && len(h) == 0 {
		return err
	}
	if _, err := io.Copy(io.Discard, br); err != nil {
		return err
	}
	id, campaign := h.Get("Message-Id"), h.Get("X-Courtesy-Campaign")
	ss.s.mu.Lock()
	defer ss.s.mu.Unlock()
	ss.s.total++
	ss.s.byID[id]++
	for _, to := range ss.to {
		ss.s.byRcpt[strings.ToLower(to)+" "+campaign]++
	}
	if ss.s.first.IsZero() {
		ss.s.first = time.Now()
	}
	ss.s.last = time.Now()
	return nil
}

func (ss *sinkSession) Reset()        { ss.to = nil }
func (ss *sinkSession) Logout() error { return nil }

package web

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// clientIP is the address the per-address limits count against. Behind a
// reverse proxy the connection comes from the proxy, so the client is read
// from Config.ClientIPHeader — but only when the connection itself comes
// from a trusted proxy, since anyone else can write any header. In an
// X-Forwarded-For list each proxy appends the address it saw, so the list is
// walked from the right past the trusted hops: the first address that is
// not a proxy of ours is the client, and whatever the client wrote to the
// left of it is ignored.
func (s *Server) clientIP(r *http.Request) string {
	peer := remoteAddr(r)
	if s.cfg.ClientIPHeader == "" || !s.trusted(peer) {
		return addrString(peer, r.RemoteAddr)
	}
	values := r.Header.Values(s.cfg.ClientIPHeader)
	var hops []string
	for _, v := range values {
		hops = append(hops, strings.Split(v, ",")...)
	}
	client := peer
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break // a hop we cannot read: the last proxy that wrote one is as far as we can see
		}
		client = a.Unmap()
		if !s.trusted(client) {
			break
		}
	}
	return addrString(client, r.RemoteAddr)
}

func (s *Server) trusted(a netip.Addr) bool {
	if !a.IsValid() {
		return false
	}
	for _, p := range s.cfg.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

func remoteAddr(r *http.Request) netip.Addr {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}
	}
	return a.Unmap()
}

func addrString(a netip.Addr, fallback string) string {
	if !a.IsValid() {
		return fallback
	}
	return a.String()
}

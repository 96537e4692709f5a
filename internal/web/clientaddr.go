package web

import (
	"net"
	"net/http"
	"net/netip"
	"strings"

	"github.com/carrel-library/carrel/internal/library"
)

// clientAddr is the address sign-in failures are counted against: the
// connection's own, unless the connection comes from a trusted load
// balancer (Config.TrustedProxies). Then X-Forwarded-For is read from the
// right, past every trusted proxy, to the first address that is not one:
// the hops before it could have been written by the client itself.
func clientAddr(cfg *library.Config, r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	addr, err := netip.ParseAddr(host)
	if err != nil || !cfg.TrustedProxy(addr) {
		return host
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		hop, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break // a hop that is not an address: trust nothing further left
		}
		if !cfg.TrustedProxy(hop) {
			return hop.Unmap().String()
		}
	}
	return host
}

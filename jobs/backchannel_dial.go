package jobs

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// A back-channel logout URI is set by a tenant's administrator, and Sesame's
// server POSTs to it: without a guard, an administrator could make Sesame
// call services on its own loopback or private network (server-side request
// forgery). So the default client dials public addresses only, checked on
// the address actually dialled (after DNS, so a name that resolves to a
// private address, or starts to, is refused too). Development servers and
// tests, whose applications run on 127.0.0.1, allow private addresses
// (Config.LogoutPrivateAddresses). Webhook deliveries use the same client
// and rules (Config.WebhookPrivateAddresses).

// NewBackchannelHTTPClient is the client of logout deliveries: a timeout,
// redirects refused (a 3xx is a failed delivery, so a token goes only to
// the registered URI), and, unless allowPrivate, public addresses only.
func NewBackchannelHTTPClient(allowPrivate bool) *http.Client {
	dialer := &net.Dialer{Timeout: backchannelTimeout, KeepAlive: 30 * time.Second}
	if !allowPrivate {
		dialer.Control = refusePrivate
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.DialContext = dialer.DialContext
	transport.Proxy = nil
	return &http.Client{Timeout: backchannelTimeout, Transport: transport,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// refusePrivate is a net.Dialer Control hook: it refuses to connect to a
// loopback, private, link-local, unspecified or multicast address.
func refusePrivate(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("dial %s: %w", address, err)
	}
	ip := ap.Addr().Unmap()
	if ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsUnspecified() || ip.IsMulticast() || ip.IsInterfaceLocalMulticast() || cgnat.Contains(ip) {
		return fmt.Errorf("%s is not a public address; Sesame posts logout tokens and webhooks to public addresses only (SESAME_ENV=development allows private ones, and --webhook-private-addresses for webhooks)", ip)
	}
	return nil
}

// cgnat is the shared address space of RFC 6598, private in practice.
var cgnat = netip.MustParsePrefix("100.64.0.0/10")

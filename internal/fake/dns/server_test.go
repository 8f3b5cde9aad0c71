package dns_test

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/internal/fake/dns"
)

// TestServer_AnswersTXTOverUDP: Go's own resolver, dialing the server,
// reads the TXT records set and gets "not found" for any other name.
func TestServer_AnswersTXTOverUDP(t *testing.T) {
	t.Parallel()
	s := dns.Start(t)
	s.SetTXT("_x.corp.example", "one", "two")
	r := &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "udp", s.Addr)
	}}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	got, err := r.LookupTXT(ctx, "_x.corp.example")
	require.NoError(t, err)
	require.ElementsMatch(t, []string{"one", "two"}, got)
	_, err = r.LookupTXT(ctx, "_y.corp.example")
	var de *net.DNSError
	require.True(t, errors.As(err, &de) && de.IsNotFound, "%v", err)
}

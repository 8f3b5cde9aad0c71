package jobs_test

import (
	"encoding/binary"
	"errors"
	"io"
	"net"
	"net/url"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
)

// statementProxy sits between a process and PostgreSQL on 127.0.0.1 and
// counts the statements the process sends: each simple Query message and
// each Execute of the extended protocol, whatever library sent it.
type statementProxy struct {
	ln     net.Listener
	target string
	n      atomic.Int64
}

// startStatementProxy proxies to the server dsn names and returns the proxy
// and dsn pointed at it. It stops when t ends.
func startStatementProxy(t *testing.T, dsn string) (*statementProxy, string) {
	t.Helper()
	u, err := url.Parse(dsn)
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	p := &statementProxy{ln: ln, target: u.Host}
	t.Cleanup(func() { _ = ln.Close() })
	go p.serve()
	u.Host = ln.Addr().String()
	return p, u.String()
}

// Statements returns how many statements went through so far.
func (p *statementProxy) Statements() int64 { return p.n.Load() }

func (p *statementProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		go p.relay(c)
	}
}

func (p *statementProxy) relay(client net.Conn) {
	defer client.Close()
	server, err := net.Dial("tcp", p.target)
	if err != nil {
		return
	}
	defer server.Close()
	go func() { _, _ = io.Copy(client, server) }()
	_ = p.countFrontend(io.TeeReader(client, server))
}

// countFrontend reads the client's side of the protocol: untyped start-up
// messages (an SSL or GSS request is followed by another), then typed
// messages, counting Query ('Q') and Execute ('E').
func (p *statementProxy) countFrontend(r io.Reader) error {
	var head [8]byte
	for {
		if _, err := io.ReadFull(r, head[:8]); err != nil {
			return err
		}
		n := int64(binary.BigEndian.Uint32(head[:4])) - 8
		if _, err := io.CopyN(io.Discard, r, n); err != nil {
			return err
		}
		code := binary.BigEndian.Uint32(head[4:8])
		if code != 80877103 && code != 80877104 { // SSLRequest, GSSENCRequest
			break
		}
	}
	for {
		if _, err := io.ReadFull(r, head[:5]); err != nil {
			return err
		}
		if head[0] == 'Q' || head[0] == 'E' {
			p.n.Add(1)
		}
		n := int64(binary.BigEndian.Uint32(head[1:5])) - 4
		if n < 0 {
			return errors.New("bad message length")
		}
		if _, err := io.CopyN(io.Discard, r, n); err != nil {
			return err
		}
	}
}

// Package fakesmtp is a small SMTP server on 127.0.0.1 for tests: it speaks
// enough of RFC 5321 (EHLO, HELO, STARTTLS, AUTH PLAIN, MAIL, RCPT, DATA,
// RSET, NOOP, QUIT) for a real SMTP client to deliver to it, and records
// what it receives.
package fakesmtp

import (
	"crypto/tls"
	"crypto/x509"
	"net"
	"net/mail"
	"sync"
	"testing"
	"time"
)

// Options configures a fake server. The zero value is a plain server
// without TLS or AUTH that accepts every recipient.
type Options struct {
	// TLS offers STARTTLS with a self-signed certificate (trusted by
	// TLSConfig) and refuses AUTH and MAIL until the client has used it.
	TLS bool

	// ImplicitTLS speaks TLS from the first byte, as on port 465. It
	// excludes TLS.
	ImplicitTLS bool

	// Username and Password, when Username is set, make the server offer
	// AUTH PLAIN and require it before MAIL.
	Username string
	Password string

	// RejectRcpt, when set, is asked about every RCPT TO address; returning
	// ok = true answers the reply code (such as 550 or 451) instead of
	// accepting the recipient.
	RejectRcpt func(addr string) (code int, ok bool)
}

// Message is one message the fake accepted.
type Message struct {
	// From is the envelope sender (MAIL FROM).
	From string
	// To are the envelope recipients (RCPT TO).
	To []string
	// Data is the message as sent after DATA, dot-unstuffed, line endings
	// untouched.
	Data []byte
	// Header is Data's header parsed by net/mail; nil if Data did not
	// parse (see ParseErr).
	Header mail.Header
	// Body is the raw body after the header, still transfer-encoded.
	Body []byte
	// ParseErr is net/mail's error for a message it could not parse.
	ParseErr error
	// TLS says whether the session was encrypted when DATA ended.
	TLS bool
	// AuthUser is the user who authenticated, empty without AUTH.
	AuthUser string
}

// Server is a running fake SMTP server. Its methods are safe for
// concurrent use.
type Server struct {
	opts      Options
	ln        net.Listener
	cert      *x509.Certificate
	serverTLS *tls.Config

	mu       sync.Mutex
	messages []Message
	conns    map[net.Conn]struct{}
	closed   bool
	wg       sync.WaitGroup
}

// maxDataBytes bounds one message, so a broken client cannot exhaust
// memory.
const maxDataBytes = 10 << 20

// sessionTimeout bounds one connection's idle time, so a stuck client
// cannot hold the fake past the test.
const sessionTimeout = 30 * time.Second

// Start starts a fake SMTP server on 127.0.0.1, closed when t ends.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	if opts.TLS && opts.ImplicitTLS {
		t.Fatal("fakesmtp: Options.TLS and Options.ImplicitTLS exclude each other")
	}
	s := &Server{opts: opts, conns: map[net.Conn]struct{}{}}
	if opts.TLS || opts.ImplicitTLS {
		cert, tlsCert, err := selfSignedCert()
		if err != nil {
			t.Fatalf("fakesmtp: certificate: %v", err)
		}
		s.cert = cert
		s.serverTLS = &tls.Config{Certificates: []tls.Certificate{tlsCert}, MinVersion: tls.VersionTLS12}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("fakesmtp: listen: %v", err)
	}
	if opts.ImplicitTLS {
		ln = tls.NewListener(ln, s.serverTLS)
	}
	s.ln = ln
	s.wg.Add(1)
	go s.accept()
	t.Cleanup(s.Close)
	return s
}

// Host returns the address the server listens on, "127.0.0.1".
func (s *Server) Host() string { return s.ln.Addr().(*net.TCPAddr).IP.String() }

// Port returns the port the server listens on.
func (s *Server) Port() int { return s.ln.Addr().(*net.TCPAddr).Port }

// Addr returns "127.0.0.1:port".
func (s *Server) Addr() string { return s.ln.Addr().String() }

// TLSConfig returns a client TLS configuration that trusts the server's
// self-signed certificate (valid for 127.0.0.1 and localhost). It is nil
// for a server without TLS.
func (s *Server) TLSConfig() *tls.Config {
	if s.cert == nil {
		return nil
	}
	pool := x509.NewCertPool()
	pool.AddCert(s.cert)
	return &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
}

// Messages returns the accepted messages, oldest first.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.messages...)
}

// Close stops the server, ends open sessions and waits for them; then
// connections are refused. Start already arranges it for the test's end.
func (s *Server) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	s.ln.Close()
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
}

func (s *Server) accept() {
	defer s.wg.Done()
	for {
		conn, err := s.ln.Accept()
		if err != nil {
			return // closed
		}
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			conn.Close()
			return
		}
		s.conns[conn] = struct{}{}
		s.wg.Add(1)
		s.mu.Unlock()
		go func() {
			defer s.wg.Done()
			s.serve(conn)
			s.mu.Lock()
			delete(s.conns, conn)
			s.mu.Unlock()
			conn.Close()
		}()
	}
}

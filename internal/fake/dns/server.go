// Package dns is a small authoritative DNS server on 127.0.0.1 over UDP
// for tests: it answers TXT questions from the records a test sets (the
// real DNS protocol, on golang.org/x/net/dns/dnsmessage) and NXDOMAIN for
// any other name, so code under test resolves through a real net.Resolver.
package dns

import (
	"net"
	"strings"
	"sync"
	"testing"

	"golang.org/x/net/dns/dnsmessage"
)

// Server answers TXT questions on Addr.
type Server struct {
	// Addr is the UDP address, 127.0.0.1:port.
	Addr string

	mu  sync.Mutex
	txt map[string][]string
}

// Start runs a server until the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("dns: listen: %v", err)
	}
	s := &Server{Addr: pc.LocalAddr().String(), txt: map[string][]string{}}
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.serve(pc)
	}()
	t.Cleanup(func() {
		_ = pc.Close()
		<-done
	})
	return s
}

// SetTXT makes name's TXT records values (none: the name does not exist).
func (s *Server) SetTXT(name string, values ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.txt[canonical(name)] = values
}

func canonical(name string) string {
	return strings.TrimSuffix(strings.ToLower(name), ".") + "."
}

func (s *Server) serve(pc net.PacketConn) {
	buf := make([]byte, 4096)
	for {
		n, from, err := pc.ReadFrom(buf)
		if err != nil {
			return
		}
		if out, ok := s.answer(buf[:n]); ok {
			_, _ = pc.WriteTo(out, from)
		}
	}
}

// answer builds the reply to one query; a message that is not one is
// dropped.
func (s *Server) answer(msg []byte) ([]byte, bool) {
	var p dnsmessage.Parser
	h, err := p.Start(msg)
	if err != nil || h.Response {
		return nil, false
	}
	q, err := p.Question()
	if err != nil {
		return nil, false
	}
	s.mu.Lock()
	values, found := s.txt[canonical(q.Name.String())]
	s.mu.Unlock()
	rh := dnsmessage.Header{ID: h.ID, Response: true, Authoritative: true, RecursionDesired: h.RecursionDesired, RecursionAvailable: true}
	if !found || len(values) == 0 {
		rh.RCode = dnsmessage.RCodeNameError
	}
	b := dnsmessage.NewBuilder(make([]byte, 0, 512), rh)
	b.EnableCompression()
	if b.StartQuestions() != nil || b.Question(q) != nil || b.StartAnswers() != nil {
		return nil, false
	}
	if q.Type == dnsmessage.TypeTXT {
		for _, v := range values {
			rr := dnsmessage.ResourceHeader{Name: q.Name, Type: dnsmessage.TypeTXT, Class: dnsmessage.ClassINET}
			if b.TXTResource(rr, dnsmessage.TXTResource{TXT: []string{v}}) != nil {
				return nil, false
			}
		}
	}
	out, err := b.Finish()
	return out, err == nil
}

package fakesmtp_test

import (
	"crypto/tls"
	"net/smtp"
	"net/textproto"
	"testing"

	"github.com/stretchr/testify/require"

	fakesmtp "github.com/sesame-id/sesame/internal/fake/smtp"
)

// dial opens a raw session and reads the greeting.
func dial(t *testing.T, s *fakesmtp.Server) *textproto.Conn {
	t.Helper()
	c, err := textproto.Dial("tcp", s.Addr())
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	_, _, err = c.ReadResponse(220)
	require.NoError(t, err)
	return c
}

// cmd sends one command and returns the reply code.
func cmd(t *testing.T, c *textproto.Conn, line string) int {
	t.Helper()
	id, err := c.Cmd("%s", line)
	require.NoError(t, err)
	c.StartResponse(id)
	defer c.EndResponse(id)
	code, _, err := c.ReadResponse(0)
	if err != nil {
		_, isProto := err.(*textproto.Error)
		require.True(t, isProto, "read reply to %q: %v", line, err)
	}
	return code
}

func TestServer_RecordsMessageFromStandardLibraryClient(t *testing.T) {
	t.Parallel()
	s := fakesmtp.Start(t, fakesmtp.Options{})
	msg := "From: a@example.com\r\nTo: b@example.com\r\nSubject: Hi\r\n\r\nHello\r\n.leading dot\r\n"

	require.NoError(t, smtp.SendMail(s.Addr(), nil, "a@example.com", []string{"b@example.com", "c@example.com"}, []byte(msg)))

	got := s.Messages()
	require.Len(t, got, 1)
	require.Equal(t, "a@example.com", got[0].From)
	require.Equal(t, []string{"b@example.com", "c@example.com"}, got[0].To)
	require.Equal(t, msg, string(got[0].Data))
	require.Equal(t, "Hi", got[0].Header.Get("Subject"))
	require.Equal(t, "Hello\r\n.leading dot\r\n", string(got[0].Body))
	require.False(t, got[0].TLS)
}

func TestServer_CommandsAnswerInOrder(t *testing.T) {
	t.Parallel()
	s := fakesmtp.Start(t, fakesmtp.Options{})
	c := dial(t, s)

	require.Equal(t, 503, cmd(t, c, "MAIL FROM:<a@example.com>"), "MAIL before EHLO")
	require.Equal(t, 250, cmd(t, c, "EHLO client.example"))
	require.Equal(t, 250, cmd(t, c, "NOOP"))
	require.Equal(t, 503, cmd(t, c, "RCPT TO:<b@example.com>"), "RCPT before MAIL")
	require.Equal(t, 503, cmd(t, c, "AUTH PLAIN"), "AUTH without a configured user")
	require.Equal(t, 503, cmd(t, c, "STARTTLS"), "STARTTLS without TLS")
	require.Equal(t, 250, cmd(t, c, "MAIL FROM:<a@example.com>"))
	require.Equal(t, 503, cmd(t, c, "DATA"), "DATA without recipients")
	require.Equal(t, 250, cmd(t, c, "RCPT TO:<b@example.com>"))
	require.Equal(t, 250, cmd(t, c, "RSET"))
	require.Equal(t, 503, cmd(t, c, "RCPT TO:<b@example.com>"), "RSET ends the transaction")
	require.Equal(t, 502, cmd(t, c, "VRFY b@example.com"))
	require.Equal(t, 221, cmd(t, c, "QUIT"))
	require.Empty(t, s.Messages())
}

func TestServer_TLSServerRequiresSTARTTLSThenAuth(t *testing.T) {
	t.Parallel()
	s := fakesmtp.Start(t, fakesmtp.Options{TLS: true, Username: "u", Password: "p"})
	c := dial(t, s)

	require.Equal(t, 250, cmd(t, c, "EHLO client.example"))
	require.Equal(t, 530, cmd(t, c, "MAIL FROM:<a@example.com>"))
	require.Equal(t, 503, cmd(t, c, "AUTH PLAIN AHUAcA=="), "no AUTH in the clear")

	client, err := smtp.Dial(s.Addr())
	require.NoError(t, err)
	defer client.Close()
	ok, _ := client.Extension("STARTTLS")
	require.True(t, ok)
	ok, _ = client.Extension("AUTH")
	require.False(t, ok, "AUTH is offered only after STARTTLS")
	cfg := s.TLSConfig()
	cfg.ServerName = "127.0.0.1"
	require.NoError(t, client.StartTLS(cfg))
	ok, _ = client.Extension("AUTH")
	require.True(t, ok)
	require.Error(t, client.Auth(smtp.PlainAuth("", "u", "wrong", "127.0.0.1")))
}

func TestServer_ImplicitTLSAndAuth(t *testing.T) {
	t.Parallel()
	s := fakesmtp.Start(t, fakesmtp.Options{ImplicitTLS: true, Username: "u", Password: "p"})
	cfg := s.TLSConfig()
	cfg.ServerName = "localhost"
	conn, err := tls.Dial("tcp", s.Addr(), cfg)
	require.NoError(t, err)
	client, err := smtp.NewClient(conn, "localhost")
	require.NoError(t, err)
	defer client.Close()

	require.NoError(t, client.Auth(smtp.PlainAuth("", "u", "p", "localhost")))
	require.NoError(t, client.Mail("a@example.com"))
	require.NoError(t, client.Rcpt("b@example.com"))
	w, err := client.Data()
	require.NoError(t, err)
	_, err = w.Write([]byte("Subject: x\r\n\r\nbody\r\n"))
	require.NoError(t, err)
	require.NoError(t, w.Close())
	require.NoError(t, client.Quit())

	got := s.Messages()
	require.Len(t, got, 1)
	require.True(t, got[0].TLS)
	require.Equal(t, "u", got[0].AuthUser)
}

func TestServer_RejectRcptAnswersTheGivenCode(t *testing.T) {
	t.Parallel()
	s := fakesmtp.Start(t, fakesmtp.Options{RejectRcpt: func(addr string) (int, bool) {
		return 550, addr == "nobody@example.com"
	}})
	c := dial(t, s)

	require.Equal(t, 250, cmd(t, c, "HELO client.example"))
	require.Equal(t, 250, cmd(t, c, "MAIL FROM:<a@example.com>"))
	require.Equal(t, 550, cmd(t, c, "RCPT TO:<nobody@example.com>"))
	require.Equal(t, 250, cmd(t, c, "RCPT TO:<b@example.com>"))
}

func TestServer_CloseRefusesNewConnections(t *testing.T) {
	t.Parallel()
	s := fakesmtp.Start(t, fakesmtp.Options{})
	_ = dial(t, s) // an open session does not stop Close
	s.Close()
	s.Close() // and Close may be called again

	_, err := textproto.Dial("tcp", s.Addr())
	require.ErrorContains(t, err, "connection refused")
}

package delivery_test

import (
	"bytes"
	"context"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/internal/delivery"
	fakesmtp "github.com/sesame-id/sesame/internal/fake/smtp"
)

const (
	smtpUser     = "sesame"
	smtpPassword = "s3cret-relay-password"
	mailFrom     = "Sesame <no-reply@sesame.example>"
	mailTo       = "ada@example.com"
	mailText     = "Your Sesame code is 493817.\nIt expires in 10 minutes."
)

// newSMTP returns a sender against fake with the TLS mode given, and the
// fake's credentials and certificate.
func newSMTP(t *testing.T, fake *fakesmtp.Server, mode string) *delivery.SMTP {
	t.Helper()
	sender, err := delivery.NewSMTP(delivery.SMTPConfig{
		Host:      fake.Host(),
		Port:      fake.Port(),
		Username:  smtpUser,
		Password:  smtpPassword,
		From:      mailFrom,
		TLS:       mode,
		TLSConfig: fake.TLSConfig(),
	})
	require.NoError(t, err)
	return sender
}

// decodedBody returns m's body, quoted-printable decoded, with LF line
// endings.
func decodedBody(t *testing.T, m fakesmtp.Message) string {
	t.Helper()
	body, err := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(m.Body)))
	require.NoError(t, err)
	return strings.ReplaceAll(string(body), "\r\n", "\n")
}

func TestSMTP_SendsOverSTARTTLSWithAuthAndWellFormedHeaders(t *testing.T) {
	t.Parallel()
	fake := fakesmtp.Start(t, fakesmtp.Options{TLS: true, Username: smtpUser, Password: smtpPassword})
	sender := newSMTP(t, fake, delivery.SMTPStartTLS)

	before := time.Now().Add(-time.Second)
	id, err := sender.SendEmail(t.Context(), delivery.Email{To: mailTo, Subject: "Your sign-in code", Text: mailText})
	require.NoError(t, err)
	require.Regexp(t, `^<[0-9a-f]{32}@sesame\.example>$`, id)

	got := fake.Messages()
	require.Len(t, got, 1)
	m := got[0]
	require.True(t, m.TLS, "the message must travel encrypted")
	require.Equal(t, smtpUser, m.AuthUser)
	require.Equal(t, "no-reply@sesame.example", m.From)
	require.Equal(t, []string{mailTo}, m.To)
	require.NoError(t, m.ParseErr)

	h := m.Header
	require.Equal(t, id, h.Get("Message-ID"))
	from, err := h.AddressList("From")
	require.NoError(t, err)
	require.Equal(t, []*mail.Address{{Name: "Sesame", Address: "no-reply@sesame.example"}}, from)
	to, err := h.AddressList("To")
	require.NoError(t, err)
	require.Equal(t, []*mail.Address{{Address: mailTo}}, to)
	require.Equal(t, "Your sign-in code", h.Get("Subject"))
	date, err := h.Date()
	require.NoError(t, err)
	require.WithinRange(t, date, before, time.Now().Add(time.Second))
	require.Equal(t, "1.0", h.Get("MIME-Version"))
	mediaType, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	require.NoError(t, err)
	require.Equal(t, "text/plain", mediaType)
	require.Equal(t, "utf-8", params["charset"])
	require.Equal(t, "quoted-printable", h.Get("Content-Transfer-Encoding"))
	require.Equal(t, mailText+"\n", decodedBody(t, m))

	// Every line ends in CRLF and stays within RFC 5322's 78 characters.
	lines := strings.Split(strings.TrimSuffix(string(m.Data), "\r\n"), "\r\n")
	for _, line := range lines {
		require.NotContains(t, line, "\n")
		require.LessOrEqual(t, len(line), 78, "line %q", line)
	}
}

func TestSMTP_SendsOverImplicitTLS(t *testing.T) {
	t.Parallel()
	fake := fakesmtp.Start(t, fakesmtp.Options{ImplicitTLS: true, Username: smtpUser, Password: smtpPassword})
	sender := newSMTP(t, fake, delivery.SMTPImplicitTLS)

	id, err := sender.SendEmail(t.Context(), delivery.Email{To: mailTo, Subject: "Code", Text: mailText})
	require.NoError(t, err)
	got := fake.Messages()
	require.Len(t, got, 1)
	require.True(t, got[0].TLS)
	require.Equal(t, id, got[0].Header.Get("Message-ID"))
}

func TestSMTP_UntrustedCertificateIsRefused(t *testing.T) {
	t.Parallel()
	fake := fakesmtp.Start(t, fakesmtp.Options{TLS: true})
	sender, err := delivery.NewSMTP(delivery.SMTPConfig{Host: fake.Host(), Port: fake.Port(), From: mailFrom})
	require.NoError(t, err)

	_, err = sender.SendEmail(t.Context(), delivery.Email{To: mailTo, Subject: "Code", Text: mailText})
	require.ErrorContains(t, err, "certificate")
	require.Empty(t, fake.Messages())
}

func TestSMTP_NonASCIISubjectAndBodyAreEncoded(t *testing.T) {
	t.Parallel()
	fake := fakesmtp.Start(t, fakesmtp.Options{TLS: true, Username: smtpUser, Password: smtpPassword})
	sender := newSMTP(t, fake, delivery.SMTPStartTLS)
	subject := "Votre code de connexion — ça expire bientôt ✓ (" + strings.Repeat("é", 60) + ")"
	text := "Bonjour Zoë,\n\nvotre code : 493817\n" + strings.Repeat("é", 100) + "\n"

	_, err := sender.SendEmail(t.Context(), delivery.Email{To: "Zoë Müller <zoe@example.com>", Subject: subject, Text: text})
	require.NoError(t, err)

	m := fake.Messages()[0]
	for _, b := range m.Data {
		require.Less(t, b, byte(0x80), "the message must be 7-bit clean")
	}
	raw := string(m.Data)
	require.Contains(t, raw, "Subject: =?utf-8?q?")
	var dec mime.WordDecoder
	decoded, err := dec.DecodeHeader(m.Header.Get("Subject"))
	require.NoError(t, err)
	require.Equal(t, subject, decoded)
	to, err := m.Header.AddressList("To")
	require.NoError(t, err)
	require.Equal(t, []*mail.Address{{Name: "Zoë Müller", Address: "zoe@example.com"}}, to)
	require.Equal(t, []string{"zoe@example.com"}, m.To)
	require.Equal(t, text, decodedBody(t, m))

	// The long encoded subject is folded: no line comes near the limit of
	// 998 characters, and each encoded-word line is short.
	for _, line := range strings.Split(raw, "\r\n") {
		require.LessOrEqual(t, len(line), 90, "line %q", line)
	}
}

func TestSMTP_BodyLinesStartingWithADotArriveIntact(t *testing.T) {
	t.Parallel()
	fake := fakesmtp.Start(t, fakesmtp.Options{})
	sender, err := delivery.NewSMTP(delivery.SMTPConfig{Host: "127.0.0.1", Port: fake.Port(), From: mailFrom, TLS: delivery.SMTPNoTLS})
	require.NoError(t, err)
	text := "first\n.\n..two dots\nlast"

	_, err = sender.SendEmail(t.Context(), delivery.Email{To: mailTo, Subject: "dots", Text: text})
	require.NoError(t, err)
	require.Equal(t, text+"\n", decodedBody(t, fake.Messages()[0]))
}

func TestSMTP_HeaderInjectionIsRefusedBeforeConnecting(t *testing.T) {
	t.Parallel()
	fake := fakesmtp.Start(t, fakesmtp.Options{TLS: true, Username: smtpUser, Password: smtpPassword})
	sender := newSMTP(t, fake, delivery.SMTPStartTLS)

	for _, email := range []delivery.Email{
		{To: "ada@example.com\r\nBcc: eve@evil.example", Subject: "Code", Text: mailText},
		{To: "ada@example.com\nBcc: eve@evil.example", Subject: "Code", Text: mailText},
		{To: mailTo, Subject: "Code\r\nBcc: eve@evil.example", Text: mailText},
		{To: mailTo, Subject: "Code\rX-Evil: 1", Text: mailText},
		{To: "ada@example.com, eve@evil.example", Subject: "Code", Text: mailText},
		{To: "not an address", Subject: "Code", Text: mailText},
		{To: mailTo, Subject: "Code", Text: ""},
	} {
		_, err := sender.SendEmail(t.Context(), email)
		require.Error(t, err, "%q", email)
		require.True(t, delivery.IsPermanent(err), "error %q should be permanent", err)
		require.NotContains(t, err.Error(), "493817")
	}
	require.Empty(t, fake.Messages())

	_, err := delivery.NewSMTP(delivery.SMTPConfig{Host: "mail.example.com", From: "no-reply@sesame.example\r\nBcc: eve@evil.example"})
	require.ErrorContains(t, err, "From contains a line break")
}

func TestSMTP_RecipientRefusedWith550IsPermanent(t *testing.T) {
	t.Parallel()
	fake := fakesmtp.Start(t, fakesmtp.Options{
		TLS: true, Username: smtpUser, Password: smtpPassword,
		RejectRcpt: func(string) (int, bool) { return 550, true },
	})
	sender := newSMTP(t, fake, delivery.SMTPStartTLS)

	_, err := sender.SendEmail(t.Context(), delivery.Email{To: mailTo, Subject: "Code", Text: mailText})
	require.True(t, delivery.IsPermanent(err), "error %q should be permanent", err)
	require.ErrorContains(t, err, "RCPT")
	require.ErrorContains(t, err, "550")
	require.Empty(t, fake.Messages())
}

func TestSMTP_RecipientDeferredWith451IsTemporary(t *testing.T) {
	t.Parallel()
	fake := fakesmtp.Start(t, fakesmtp.Options{
		TLS: true, Username: smtpUser, Password: smtpPassword,
		RejectRcpt: func(addr string) (int, bool) { return 451, addr == mailTo },
	})
	sender := newSMTP(t, fake, delivery.SMTPStartTLS)

	_, err := sender.SendEmail(t.Context(), delivery.Email{To: mailTo, Subject: "Code", Text: mailText})
	require.Error(t, err)
	require.False(t, delivery.IsPermanent(err), "error %q should be temporary", err)
	require.ErrorContains(t, err, "451")

	_, err = sender.SendEmail(t.Context(), delivery.Email{To: "bob@example.com", Subject: "Code", Text: mailText})
	require.NoError(t, err)
	require.Len(t, fake.Messages(), 1)
}

func TestSMTP_WrongPasswordIsPermanentAndNeverQuoted(t *testing.T) {
	t.Parallel()
	fake := fakesmtp.Start(t, fakesmtp.Options{TLS: true, Username: smtpUser, Password: "the-right-one"})
	sender := newSMTP(t, fake, delivery.SMTPStartTLS)

	_, err := sender.SendEmail(t.Context(), delivery.Email{To: mailTo, Subject: "Code", Text: mailText})
	require.True(t, delivery.IsPermanent(err), "error %q should be permanent", err)
	require.ErrorContains(t, err, "AUTH")
	require.ErrorContains(t, err, "535")
	require.NotContains(t, err.Error(), smtpPassword)
	require.NotContains(t, err.Error(), "493817")
}

func TestSMTP_ServerDownIsTemporary(t *testing.T) {
	t.Parallel()
	fake := fakesmtp.Start(t, fakesmtp.Options{TLS: true, Username: smtpUser, Password: smtpPassword})
	sender := newSMTP(t, fake, delivery.SMTPStartTLS)
	fake.Close()

	_, err := sender.SendEmail(t.Context(), delivery.Email{To: mailTo, Subject: "Code", Text: mailText})
	require.Error(t, err)
	require.False(t, delivery.IsPermanent(err), "error %q should be temporary", err)
	require.ErrorContains(t, err, "connection refused")
}

func TestSMTP_SilentServerTimesOutAsTemporary(t *testing.T) {
	t.Parallel()
	// A server that accepts connections and never greets.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { conn.Close() })
		}
	}()
	sender, err := delivery.NewSMTP(delivery.SMTPConfig{
		Host:    "127.0.0.1",
		Port:    ln.Addr().(*net.TCPAddr).Port,
		From:    mailFrom,
		Timeout: 150 * time.Millisecond,
	})
	require.NoError(t, err)

	start := time.Now()
	_, err = sender.SendEmail(t.Context(), delivery.Email{To: mailTo, Subject: "Code", Text: mailText})
	require.Error(t, err)
	require.False(t, delivery.IsPermanent(err), "error %q should be temporary", err)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.Less(t, time.Since(start), 5*time.Second)
}

func TestSMTP_StartTLSNotOfferedMeansNoMailInTheClear(t *testing.T) {
	t.Parallel()
	fake := fakesmtp.Start(t, fakesmtp.Options{})
	sender, err := delivery.NewSMTP(delivery.SMTPConfig{Host: fake.Host(), Port: fake.Port(), From: mailFrom})
	require.NoError(t, err)

	_, err = sender.SendEmail(t.Context(), delivery.Email{To: mailTo, Subject: "Code", Text: mailText})
	require.ErrorContains(t, err, "does not offer STARTTLS")
	require.Empty(t, fake.Messages())
}

func TestSMTP_NoTLSWorksWithALocalRelay(t *testing.T) {
	t.Parallel()
	fake := fakesmtp.Start(t, fakesmtp.Options{Username: smtpUser, Password: smtpPassword})
	sender, err := delivery.NewSMTP(delivery.SMTPConfig{
		Host: "127.0.0.1", Port: fake.Port(), Username: smtpUser, Password: smtpPassword,
		From: mailFrom, TLS: delivery.SMTPNoTLS,
	})
	require.NoError(t, err)

	_, err = sender.SendEmail(t.Context(), delivery.Email{To: mailTo, Subject: "Code", Text: mailText})
	require.NoError(t, err)
	got := fake.Messages()
	require.Len(t, got, 1)
	require.False(t, got[0].TLS)
	require.Equal(t, smtpUser, got[0].AuthUser)
}

func TestSMTP_ContextCancellationEndsASend(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { conn.Close() })
		}
	}()
	sender, err := delivery.NewSMTP(delivery.SMTPConfig{Host: "127.0.0.1", Port: ln.Addr().(*net.TCPAddr).Port, From: mailFrom})
	require.NoError(t, err)

	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	_, err = sender.SendEmail(ctx, delivery.Email{To: mailTo, Subject: "Code", Text: mailText})
	require.ErrorIs(t, err, context.Canceled)
	require.False(t, delivery.IsPermanent(err))
	require.Less(t, time.Since(start), 5*time.Second)
}

func TestNewSMTP_ConfigErrorsNameTheSetting(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		cfg  delivery.SMTPConfig
		want string
	}{
		{"none TLS to another loopback address", delivery.SMTPConfig{Host: "127.0.0.2", From: mailFrom, TLS: "none"}, `TLS "none" is only allowed`},
		{"none TLS to a remote host", delivery.SMTPConfig{Host: "smtp.example.com", From: mailFrom, TLS: "none"}, `TLS "none" is only allowed when Host is localhost, 127.0.0.1 or ::1 (Host is "smtp.example.com")`},
		{"unknown TLS mode", delivery.SMTPConfig{Host: "smtp.example.com", From: mailFrom, TLS: "ssl"}, `TLS must be "starttls", "implicit" or "none"; got "ssl"`},
		{"missing host", delivery.SMTPConfig{From: mailFrom}, "Host is required"},
		{"host with port", delivery.SMTPConfig{Host: "smtp.example.com:587", From: mailFrom}, "bare host name"},
		{"port out of range", delivery.SMTPConfig{Host: "smtp.example.com", Port: 70000, From: mailFrom}, "Port must be between 1 and 65535"},
		{"username without password", delivery.SMTPConfig{Host: "smtp.example.com", Username: "u", From: mailFrom}, "set both Username and Password"},
		{"missing From", delivery.SMTPConfig{Host: "smtp.example.com"}, "From is required"},
		{"From not an address", delivery.SMTPConfig{Host: "smtp.example.com", From: "sesame"}, "From is not one email address"},
		{"negative timeout", delivery.SMTPConfig{Host: "smtp.example.com", From: mailFrom, Timeout: -1}, "Timeout must not be negative"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sender, err := delivery.NewSMTP(tc.cfg)
			require.Nil(t, sender)
			require.ErrorContains(t, err, "invalid SMTP config")
			require.ErrorContains(t, err, tc.want)
		})
	}

	t.Run("password never quoted", func(t *testing.T) {
		t.Parallel()
		_, err := delivery.NewSMTP(delivery.SMTPConfig{Host: "smtp.example.com", Password: smtpPassword, From: "x"})
		require.Error(t, err)
		require.NotContains(t, err.Error(), smtpPassword)
	})

	t.Run("local hosts allow none", func(t *testing.T) {
		t.Parallel()
		for _, host := range []string{"localhost", "127.0.0.1", "::1"} {
			_, err := delivery.NewSMTP(delivery.SMTPConfig{Host: host, From: mailFrom, TLS: "none"})
			require.NoError(t, err, host)
		}
	})
}

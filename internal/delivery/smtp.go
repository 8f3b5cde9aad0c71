package delivery

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"strconv"
	"strings"
	"time"
)

// SMTP TLS modes, the values of SMTPConfig.TLS.
const (
	// SMTPStartTLS connects in the clear and upgrades with STARTTLS before
	// anything else; a server that does not offer it gets no mail.
	SMTPStartTLS = "starttls"
	// SMTPImplicitTLS speaks TLS from the first byte ("SMTPS", port 465).
	SMTPImplicitTLS = "implicit"
	// SMTPNoTLS sends in the clear; only allowed to a local relay.
	SMTPNoTLS = "none"
)

// SMTPConfig configures the SMTP email sender.
type SMTPConfig struct {
	// Host is the relay's host name or IP address. Required.
	Host string

	// Port is the relay's port. Default: 587 for "starttls", 465 for
	// "implicit", 25 for "none".
	Port int

	// Username and Password authenticate with AUTH PLAIN, which is only
	// sent over TLS (or to localhost). Both or neither. Default: no AUTH.
	// The password never appears in an error.
	Username string
	Password string

	// From is the sender, in the From header and (its bare address) in
	// MAIL FROM: "no-reply@example.com" or "Sesame <no-reply@example.com>".
	// Its domain also names Message-IDs. Required.
	From string

	// TLS is one of "starttls", "implicit" and "none". "none" is refused
	// unless Host is localhost, 127.0.0.1 or ::1. Default "starttls".
	TLS string

	// Timeout bounds one send, from dialling to the server's acceptance
	// of the message; the caller's context can end it sooner. Default 15s.
	Timeout time.Duration

	// HelloName is the name this client gives in EHLO. Default "localhost"
	// (net/smtp's default).
	HelloName string

	// TLSConfig is the TLS client configuration; ServerName defaults to
	// Host. Tests use it to trust fakesmtp's certificate. Default: the
	// system roots, TLS 1.2 or later.
	TLSConfig *tls.Config

	// DialAddr, when set, is the "host:port" to connect to instead of
	// Host:Port, while Host still names the server for TLS and AUTH. Tests
	// point it at fakesmtp. Default: Host:Port.
	DialAddr string
}

// WithDefaults returns c with every zero field that has a default set.
func (c SMTPConfig) WithDefaults() SMTPConfig {
	if c.TLS == "" {
		c.TLS = SMTPStartTLS
	}
	if c.Port == 0 {
		switch c.TLS {
		case SMTPStartTLS:
			c.Port = 587
		case SMTPImplicitTLS:
			c.Port = 465
		case SMTPNoTLS:
			c.Port = 25
		}
	}
	if c.Timeout == 0 {
		c.Timeout = 15 * time.Second
	}
	if c.HelloName == "" {
		c.HelloName = "localhost"
	}
	return c
}

// Validate reports every bad setting of c with its defaults applied, each
// a *ConfigError naming its field (see ConfigErrors), as NewSMTP would.
func (c SMTPConfig) Validate() error { return c.WithDefaults().validate() }

// validate reports every bad setting, each naming its field; it never
// quotes Password.
func (c SMTPConfig) validate() error {
	var errs []error
	switch {
	case c.Host == "":
		errs = append(errs, fieldError("Host", errors.New("Host is required")))
	case net.ParseIP(c.Host) == nil && strings.ContainsAny(c.Host, " \r\n:/[]"):
		errs = append(errs, fieldError("Host", fmt.Errorf("Host %q must be a bare host name or IP address (the port goes in Port)", c.Host)))
	}
	if c.Port < 1 || c.Port > 65535 {
		errs = append(errs, fieldError("Port", fmt.Errorf("Port must be between 1 and 65535; got %d", c.Port)))
	}
	if (c.Username == "") != (c.Password == "") {
		errs = append(errs, fieldError("Username", errors.New("set both Username and Password, or neither")))
	}
	if strings.ContainsAny(c.Username, "\r\n\x00") {
		errs = append(errs, fieldError("Username", errors.New("Username must not contain line breaks or NUL")))
	}
	if c.From == "" {
		errs = append(errs, fieldError("From", errors.New("From is required")))
	} else if _, err := parseSingleAddress("From", c.From); err != nil {
		errs = append(errs, fieldError("From", err))
	}
	switch c.TLS {
	case SMTPStartTLS, SMTPImplicitTLS:
	case SMTPNoTLS:
		if !isLocalHost(c.Host) {
			errs = append(errs, fieldError("TLS", fmt.Errorf(`TLS "none" is only allowed when Host is localhost, 127.0.0.1 or ::1 (Host is %q): use "starttls" or "implicit"`, c.Host)))
		}
	default:
		errs = append(errs, fieldError("TLS", fmt.Errorf(`TLS must be "starttls", "implicit" or "none"; got %q`, c.TLS)))
	}
	if c.Timeout < 0 {
		errs = append(errs, fieldError("Timeout", fmt.Errorf("Timeout must not be negative; got %s", c.Timeout)))
	}
	if strings.ContainsAny(c.HelloName, " \r\n") {
		errs = append(errs, fieldError("HelloName", fmt.Errorf("HelloName %q must be one word", c.HelloName)))
	}
	if len(errs) > 0 {
		return fmt.Errorf("delivery: invalid SMTP config: %w", errors.Join(errs...))
	}
	return nil
}

// isLocalHost reports whether host is one that net/smtp lets AUTH PLAIN
// reach without TLS.
func isLocalHost(host string) bool {
	return host == "localhost" || host == "127.0.0.1" || host == "::1"
}

// SMTP sends email through an SMTP relay with net/smtp, one connection per
// message. It is safe for concurrent use.
type SMTP struct {
	cfg  SMTPConfig
	from *mail.Address
	tls  *tls.Config
}

var _ EmailSender = (*SMTP)(nil)

// NewSMTP returns an SMTP sender, or an error naming every bad setting in
// cfg.
func NewSMTP(cfg SMTPConfig) (*SMTP, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	from, _ := parseSingleAddress("From", cfg.From) // validated above
	var tlsConfig *tls.Config
	if cfg.TLSConfig != nil {
		tlsConfig = cfg.TLSConfig.Clone()
	} else {
		tlsConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	if tlsConfig.ServerName == "" {
		tlsConfig.ServerName = cfg.Host
	}
	return &SMTP{cfg: cfg, from: from, tls: tlsConfig}, nil
}

// SendEmail sends email and returns its Message-ID header value
// ("<…@domain>"). A To that is not one address, or a To or Subject holding
// a line break, fails permanently before any connection. 5xx replies to
// AUTH, MAIL, RCPT or DATA are permanent; 4xx replies, network errors and
// timeouts are temporary.
func (s *SMTP) SendEmail(ctx context.Context, email Email) (string, error) {
	msg, err := newEmailMessage(s.from, email, time.Now())
	if err != nil {
		return "", fmt.Errorf("smtp: send email: %w: %w", err, ErrPermanent)
	}

	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()

	c, err := s.connect(ctx)
	if err != nil {
		return "", err
	}
	defer c.close()

	step := func(name string, err error) error {
		if err == nil {
			return nil
		}
		return smtpError(ctx, name, err)
	}

	if err := step("EHLO", c.Hello(s.cfg.HelloName)); err != nil {
		return "", err
	}
	if s.cfg.TLS == SMTPStartTLS {
		if ok, _ := c.Extension("STARTTLS"); !ok {
			return "", fmt.Errorf("smtp: STARTTLS: %s:%d does not offer STARTTLS; refusing to send in the clear", s.cfg.Host, s.cfg.Port)
		}
		if err := step("STARTTLS", c.StartTLS(s.tls)); err != nil {
			return "", err
		}
	}
	if s.cfg.Username != "" {
		auth := smtp.PlainAuth("", s.cfg.Username, s.cfg.Password, s.cfg.Host)
		if err := step("AUTH", c.Auth(auth)); err != nil {
			return "", err
		}
	}
	if err := step("MAIL", c.Mail(msg.envelopeFrom)); err != nil {
		return "", err
	}
	if err := step("RCPT", c.Rcpt(msg.envelopeTo)); err != nil {
		return "", err
	}
	w, err := c.Data()
	if err := step("DATA", err); err != nil {
		return "", err
	}
	if _, err := w.Write(msg.data); err != nil {
		return "", step("DATA", err)
	}
	if err := step("DATA", w.Close()); err != nil {
		return "", err
	}
	// The relay has taken the message; a failed QUIT changes nothing.
	_ = c.Quit()
	return msg.messageID, nil
}

// smtpClient is a net/smtp client whose connection ends when the send's
// context does.
type smtpClient struct {
	*smtp.Client
	stop func() bool
}

func (c *smtpClient) close() {
	c.stop()
	c.Close()
}

// connect dials the relay, starts implicit TLS if configured, and reads
// the greeting, all within ctx.
func (s *SMTP) connect(ctx context.Context) (*smtpClient, error) {
	addr := net.JoinHostPort(s.cfg.Host, strconv.Itoa(s.cfg.Port))
	if s.cfg.DialAddr != "" {
		addr = s.cfg.DialAddr
	}
	var d net.Dialer
	raw, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, smtpError(ctx, "connect", err)
	}
	// net/smtp has no contexts: when ctx ends (its deadline or the
	// caller's cancel), the connection's deadline moves to the past, which
	// fails the read or write under way. The error then comes after ctx.Err
	// is set, so smtpError can tell a timeout from a network failure.
	stop := context.AfterFunc(ctx, func() { raw.SetDeadline(time.Unix(1, 0)) })
	fail := func(step string, err error) (*smtpClient, error) {
		stop()
		raw.Close()
		return nil, smtpError(ctx, step, err)
	}
	conn := raw
	if s.cfg.TLS == SMTPImplicitTLS {
		tlsConn := tls.Client(raw, s.tls)
		if err := tlsConn.HandshakeContext(ctx); err != nil {
			return fail("TLS handshake", err)
		}
		conn = tlsConn
	}
	c, err := smtp.NewClient(conn, s.cfg.Host)
	if err != nil {
		return fail("greeting", err)
	}
	return &smtpClient{Client: c, stop: stop}, nil
}

// permanentSMTPSteps are the commands whose 5xx replies mean the same
// message would be refused again: bad credentials, a refused sender or
// recipient, refused content.
var permanentSMTPSteps = map[string]bool{"AUTH": true, "MAIL": true, "RCPT": true, "DATA": true}

// smtpError wraps err from step, as permanent when the server answered a
// 5xx to a command in permanentSMTPSteps. The message holds the server's
// reply, never the message or the password.
func smtpError(ctx context.Context, step string, err error) error {
	var reply *textproto.Error
	if errors.As(err, &reply) && reply.Code >= 500 && reply.Code < 600 && permanentSMTPSteps[step] {
		return fmt.Errorf("smtp: %s: %w: %w", step, err, ErrPermanent)
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		return fmt.Errorf("smtp: %s: %w: %w", step, err, ctxErr)
	}
	return fmt.Errorf("smtp: %s: %w", step, err)
}

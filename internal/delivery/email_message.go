package delivery

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"time"
)

// emailMessage is an email ready for the SMTP envelope and DATA.
type emailMessage struct {
	envelopeFrom string // bare address for MAIL FROM
	envelopeTo   string // bare address for RCPT TO
	messageID    string // "<random@domain>", also in the header
	data         []byte // RFC 5322 message, CRLF line endings
}

// errHeaderInjection is returned for a header value holding a line break,
// which would let it add headers (or recipients) of its own.
var errHeaderInjection = errors.New("contains a line break")

// parseSingleAddress parses one address ("a@example.com" or
// "Ada <a@example.com>"), refusing line breaks before the parser can
// unfold them.
func parseSingleAddress(field, value string) (*mail.Address, error) {
	if strings.ContainsAny(value, "\r\n") {
		return nil, fmt.Errorf("%s %w", field, errHeaderInjection)
	}
	addr, err := mail.ParseAddress(value)
	if err != nil {
		return nil, fmt.Errorf("%s is not one email address: %w", field, err)
	}
	return addr, nil
}

// newEmailMessage builds the RFC 5322 message for email, sent by from at
// now. The body is quoted-printable, so the message is 7-bit clean whatever
// the text and however long its lines.
func newEmailMessage(from *mail.Address, email Email, now time.Time) (*emailMessage, error) {
	to, err := parseSingleAddress("To", email.To)
	if err != nil {
		return nil, err
	}
	if strings.ContainsAny(email.Subject, "\r\n") {
		return nil, fmt.Errorf("Subject %w", errHeaderInjection)
	}
	if email.Text == "" {
		return nil, errors.New("empty body")
	}

	messageID := newMessageID(from.Address)

	var b bytes.Buffer
	header := func(name, value string) {
		b.WriteString(name)
		b.WriteString(": ")
		b.WriteString(value)
		b.WriteString("\r\n")
	}
	header("Date", now.Format(time.RFC1123Z))
	header("From", from.String())
	header("To", to.String())
	header("Subject", encodeSubject(email.Subject))
	header("Message-ID", messageID)
	header("MIME-Version", "1.0")
	header("Content-Type", "text/plain; charset=utf-8")
	header("Content-Transfer-Encoding", "quoted-printable")
	b.WriteString("\r\n")

	qp := quotedprintable.NewWriter(&b)
	// The writer turns every line break into CRLF.
	if _, err := qp.Write([]byte(email.Text)); err != nil {
		return nil, fmt.Errorf("encode body: %w", err)
	}
	if err := qp.Close(); err != nil {
		return nil, fmt.Errorf("encode body: %w", err)
	}
	if !bytes.HasSuffix(b.Bytes(), []byte("\r\n")) {
		b.WriteString("\r\n")
	}

	return &emailMessage{
		envelopeFrom: from.Address,
		envelopeTo:   to.Address,
		messageID:    messageID,
		data:         b.Bytes(),
	}, nil
}

// encodeSubject returns subject as is when it is plain ASCII, else as
// RFC 2047 encoded-words, one per line: the encoder cuts a long subject
// into words of at most 75 characters, and folding between them (which
// decoders ignore) keeps the header's lines short.
func encodeSubject(subject string) string {
	encoded := mime.QEncoding.Encode("utf-8", subject)
	if encoded == subject {
		return subject
	}
	return strings.ReplaceAll(encoded, "?= =?", "?=\r\n =?")
}

// newMessageID returns "<128 random bits in hex@domain>", the domain taken
// from the sender's address so that the ID is unique to this sender.
func newMessageID(fromAddress string) string {
	domain := "localhost"
	if at := strings.LastIndexByte(fromAddress, '@'); at >= 0 && at < len(fromAddress)-1 {
		domain = fromAddress[at+1:]
	}
	var random [16]byte
	_, _ = rand.Read(random[:]) // never fails (crypto/rand crashes the program instead)
	return "<" + hex.EncodeToString(random[:]) + "@" + domain + ">"
}

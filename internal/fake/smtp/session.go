package fakesmtp

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"encoding/base64"
	"fmt"
	"net"
	"net/mail"
	"strconv"
	"strings"
	"time"
)

// session is the state of one connection.
type session struct {
	s    *Server
	conn net.Conn
	r    *bufio.Reader
	w    *bufio.Writer

	tls      bool
	helo     bool
	authUser string
	from     string
	haveFrom bool
	rcpts    []string
}

func (s *Server) serve(conn net.Conn) {
	ss := &session{s: s, conn: conn, r: bufio.NewReader(conn), w: bufio.NewWriter(conn)}
	if s.opts.ImplicitTLS {
		ss.tls = true
	}
	ss.reply(220, "127.0.0.1 fakesmtp ESMTP ready")
	for {
		conn.SetDeadline(time.Now().Add(sessionTimeout))
		line, err := ss.readLine()
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		switch strings.ToUpper(verb) {
		case "EHLO":
			ss.ehlo(arg)
		case "HELO":
			ss.resetTransaction()
			ss.helo = true
			ss.reply(250, "127.0.0.1")
		case "STARTTLS":
			if !ss.startTLS() {
				return
			}
		case "AUTH":
			ss.auth(arg)
		case "MAIL":
			ss.mail(arg)
		case "RCPT":
			ss.rcpt(arg)
		case "DATA":
			if !ss.data() {
				return
			}
		case "RSET":
			ss.resetTransaction()
			ss.reply(250, "2.0.0 OK")
		case "NOOP":
			ss.reply(250, "2.0.0 OK")
		case "QUIT":
			ss.reply(221, "2.0.0 Bye")
			return
		default:
			ss.reply(502, "5.5.2 Command not recognized")
		}
	}
}

func (ss *session) readLine() (string, error) {
	line, err := ss.r.ReadString('\n')
	if err != nil {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}

func (ss *session) reply(code int, lines ...string) {
	for i, l := range lines {
		sep := " "
		if i < len(lines)-1 {
			sep = "-"
		}
		fmt.Fprintf(ss.w, "%d%s%s\r\n", code, sep, l)
	}
	ss.w.Flush()
}

func (ss *session) resetTransaction() {
	ss.from, ss.haveFrom, ss.rcpts = "", false, nil
}

func (ss *session) offersAuth() bool {
	return ss.s.opts.Username != "" && (ss.tls || !ss.s.opts.TLS)
}

func (ss *session) ehlo(name string) {
	if name == "" {
		ss.reply(501, "5.5.4 EHLO needs a domain")
		return
	}
	ss.resetTransaction()
	ss.helo = true
	lines := []string{"127.0.0.1 greets " + name, "8BITMIME", "SIZE " + strconv.Itoa(maxDataBytes)}
	if ss.s.opts.TLS && !ss.tls {
		lines = append(lines, "STARTTLS")
	}
	if ss.offersAuth() {
		lines = append(lines, "AUTH PLAIN")
	}
	ss.reply(250, append(lines, "HELP")...)
}

// startTLS upgrades the session; false ends it.
func (ss *session) startTLS() bool {
	if !ss.s.opts.TLS || ss.tls {
		ss.reply(503, "5.5.1 STARTTLS not available")
		return true
	}
	ss.reply(220, "2.0.0 Ready to start TLS")
	tlsConn := tls.Server(ss.conn, ss.s.serverTLS)
	if err := tlsConn.Handshake(); err != nil {
		return false
	}
	// RFC 3207: the client starts over with EHLO; nothing said before counts.
	ss.conn = tlsConn
	ss.r = bufio.NewReader(tlsConn)
	ss.w = bufio.NewWriter(tlsConn)
	ss.tls = true
	ss.helo = false
	ss.authUser = ""
	ss.resetTransaction()
	return true
}

func (ss *session) auth(arg string) {
	if !ss.offersAuth() {
		ss.reply(503, "5.5.1 AUTH not available")
		return
	}
	if ss.authUser != "" {
		ss.reply(503, "5.5.1 Already authenticated")
		return
	}
	mech, initial, _ := strings.Cut(arg, " ")
	if !strings.EqualFold(mech, "PLAIN") {
		ss.reply(504, "5.5.4 Unrecognized authentication type")
		return
	}
	if initial == "" {
		ss.reply(334, "")
		line, err := ss.readLine()
		if err != nil {
			return
		}
		initial = line
	}
	if initial == "*" {
		ss.reply(501, "5.0.0 Authentication cancelled")
		return
	}
	raw, err := base64.StdEncoding.DecodeString(initial)
	if err != nil {
		ss.reply(501, "5.5.2 Cannot decode response")
		return
	}
	// authzid NUL authcid NUL passwd
	parts := bytes.Split(raw, []byte{0})
	if len(parts) != 3 || string(parts[1]) != ss.s.opts.Username || string(parts[2]) != ss.s.opts.Password {
		ss.reply(535, "5.7.8 Authentication credentials invalid")
		return
	}
	ss.authUser = string(parts[1])
	ss.reply(235, "2.7.0 Authentication successful")
}

// pathArg parses "FROM:<addr> params" or "TO:<addr> params".
func pathArg(arg, prefix string) (string, bool) {
	if len(arg) < len(prefix) || !strings.EqualFold(arg[:len(prefix)], prefix) {
		return "", false
	}
	rest := strings.TrimSpace(arg[len(prefix):])
	if !strings.HasPrefix(rest, "<") {
		return "", false
	}
	end := strings.IndexByte(rest, '>')
	if end < 0 {
		return "", false
	}
	return rest[1:end], true
}

func (ss *session) mail(arg string) {
	switch {
	case !ss.helo:
		ss.reply(503, "5.5.1 EHLO first")
		return
	case ss.s.opts.TLS && !ss.tls:
		ss.reply(530, "5.7.0 Must issue a STARTTLS command first")
		return
	case ss.s.opts.Username != "" && ss.authUser == "":
		ss.reply(530, "5.7.0 Authentication required")
		return
	case ss.haveFrom:
		ss.reply(503, "5.5.1 Sender already given")
		return
	}
	from, ok := pathArg(arg, "FROM:")
	if !ok {
		ss.reply(501, "5.5.4 Syntax: MAIL FROM:<address>")
		return
	}
	ss.from, ss.haveFrom = from, true
	ss.reply(250, "2.1.0 OK")
}

func (ss *session) rcpt(arg string) {
	if !ss.haveFrom {
		ss.reply(503, "5.5.1 MAIL first")
		return
	}
	to, ok := pathArg(arg, "TO:")
	if !ok || to == "" {
		ss.reply(501, "5.5.4 Syntax: RCPT TO:<address>")
		return
	}
	if reject := ss.s.opts.RejectRcpt; reject != nil {
		if code, refuse := reject(to); refuse {
			ss.reply(code, fmt.Sprintf("%d.1.1 <%s>: Recipient address rejected", code/100, to))
			return
		}
	}
	ss.rcpts = append(ss.rcpts, to)
	ss.reply(250, "2.1.5 OK")
}

// data receives a message; false ends the session.
func (ss *session) data() bool {
	if len(ss.rcpts) == 0 {
		ss.reply(503, "5.5.1 No valid recipients")
		return true
	}
	ss.reply(354, "End data with <CR><LF>.<CR><LF>")
	var buf bytes.Buffer
	tooBig := false
	for {
		line, err := ss.r.ReadString('\n')
		if err != nil {
			return false
		}
		if line == ".\r\n" || line == ".\n" {
			break
		}
		line = strings.TrimPrefix(line, ".") // RFC 5321 §4.5.2 transparency
		if buf.Len()+len(line) > maxDataBytes {
			tooBig = true
			continue
		}
		buf.WriteString(line)
	}
	if tooBig {
		ss.resetTransaction()
		ss.reply(552, "5.3.4 Message too big")
		return true
	}
	m := Message{
		From:     ss.from,
		To:       ss.rcpts,
		Data:     buf.Bytes(),
		TLS:      ss.tls,
		AuthUser: ss.authUser,
	}
	if parsed, err := mail.ReadMessage(bytes.NewReader(m.Data)); err != nil {
		m.ParseErr = err
	} else {
		m.Header = parsed.Header
		var body bytes.Buffer
		_, _ = body.ReadFrom(parsed.Body)
		m.Body = body.Bytes()
	}
	ss.s.mu.Lock()
	ss.s.messages = append(ss.s.messages, m)
	n := len(ss.s.messages)
	ss.s.mu.Unlock()
	ss.resetTransaction()
	ss.reply(250, fmt.Sprintf("2.0.0 OK queued as %d", n))
	return true
}

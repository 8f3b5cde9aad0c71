// Package faketwilio is an in-process stand-in for Twilio's Messages API,
// served on 127.0.0.1, so that tests drive the real twilio-go client: the
// client's requests for api.twilio.com reach the fake through HTTPClient.
package faketwilio

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// Message is one message the fake accepted.
type Message struct {
	// SID is the message SID the fake answered ("SM" + 32 hex digits).
	SID string
	// AccountSID is the account in the request path.
	AccountSID string
	// To, From, MessagingServiceSID and Body are the form fields sent.
	To                  string
	From                string
	MessagingServiceSID string
	Body                string
	// Received is when the fake accepted the message.
	Received time.Time
}

// failure is a queued answer of FailNext.
type failure struct{ status, code int }

// Server is a fake Twilio API. Its methods are safe for concurrent use.
type Server struct {
	// AccountSID and AuthToken are the only credentials the fake accepts
	// (HTTP basic auth, and the account in the request path). Both are
	// random per server, alphanumeric as twilio-go requires.
	AccountSID string
	AuthToken  string

	// URL is the fake's base URL, "http://127.0.0.1:port".
	URL string

	srv *httptest.Server

	mu       sync.Mutex
	accounts map[string]string // further account SID → auth token
	messages []Message
	requests int
	failNext []failure
	failWhen func(to string) (status, code int, fail bool)
}

// Start starts a fake Twilio API on 127.0.0.1, closed when t ends.
func Start(t testing.TB) *Server {
	t.Helper()
	s := &Server{
		AccountSID: "AC" + randomHex(16),
		AuthToken:  randomHex(16),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /2010-04-01/Accounts/{AccountSid}/Messages.json", s.createMessage)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, 20404, "The requested resource "+r.URL.Path+" was not found")
	})
	s.srv = httptest.NewServer(mux)
	s.URL = s.srv.URL
	t.Cleanup(s.srv.Close)
	return s
}

// Close stops the fake; requests afterwards find nothing listening
// (connection refused). Start already arranges it for the test's end.
func (s *Server) Close() { s.srv.Close() }

// AddAccount creates another account the fake accepts, with its own random
// SID and auth token, for tests of several Twilio accounts (one per
// tenant) behind one transport. Messages records the account of each.
func (s *Server) AddAccount() (accountSID, authToken string) {
	accountSID, authToken = "AC"+randomHex(16), randomHex(16)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.accounts == nil {
		s.accounts = map[string]string{}
	}
	s.accounts[accountSID] = authToken
	return accountSID, authToken
}

// authorized reports whether user and pass are the credentials of an
// account of the fake.
func (s *Server) authorized(user, pass string) bool {
	if user == s.AccountSID {
		return pass == s.AuthToken
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	token, ok := s.accounts[user]
	return ok && pass == token
}

// Messages returns the accepted messages, oldest first.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.messages...)
}

// Requests returns how many requests reached the fake, failed ones
// included.
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// FailNext makes the next n authenticated message requests fail with the
// HTTP status and Twilio error code given, in Twilio's error JSON. Code 0
// answers a plain-text body instead, as a proxy or load balancer would.
func (s *Server) FailNext(n int, status int, code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.failNext = append(s.failNext, failure{status: status, code: code})
	}
}

// FailWhen installs a hook asked about every authenticated message request
// not already failed by FailNext: returning fail = true answers status and
// code as FailNext does. The hook may block, to simulate a slow Twilio.
// nil removes it.
func (s *Server) FailWhen(hook func(to string) (status, code int, fail bool)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failWhen = hook
}

// HTTPClient returns a client that sends every request for api.twilio.com
// (or any other *.twilio.com host, as TWILIO_REGION or TWILIO_EDGE would
// make twilio-go use) to the fake, and refuses any other host, so that a
// test never reaches the real Twilio.
func (s *Server) HTTPClient() *http.Client {
	target, _ := url.Parse(s.srv.URL)
	return &http.Client{Transport: &rewriteTransport{
		target: target,
		base:   s.srv.Client().Transport,
	}}
}

type rewriteTransport struct {
	target *url.URL
	base   http.RoundTripper
}

func (t *rewriteTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	host := req.URL.Hostname()
	if host != "twilio.com" && !strings.HasSuffix(host, ".twilio.com") {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, fmt.Errorf("faketwilio: refusing a request for %s: only Twilio hosts are faked", host)
	}
	out := req.Clone(req.Context())
	out.URL.Scheme = t.target.Scheme
	out.URL.Host = t.target.Host
	out.Host = req.URL.Host // what the real API would see in Host
	return t.base.RoundTrip(out)
}

var e164 = regexp.MustCompile(`^\+[1-9][0-9]{1,14}$`)

// createMessage is POST /2010-04-01/Accounts/{AccountSid}/Messages.json:
// the credentials, then any queued or hooked failure, then Twilio's checks
// of the fields, then the message is kept and answered as Twilio does.
func (s *Server) createMessage(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests++
	s.mu.Unlock()

	m, ok := s.readMessage(w, r)
	if !ok {
		return
	}
	if f := s.nextFailure(m.To); f != nil {
		writeFailure(w, *f)
		return
	}
	if e := checkMessage(m); e != nil {
		writeError(w, e.status, e.code, e.message)
		return
	}

	m.SID = "SM" + randomHex(16)
	m.Received = time.Now().UTC()
	s.mu.Lock()
	s.messages = append(s.messages, m)
	s.mu.Unlock()
	writeJSON(w, http.StatusCreated, messageResource(m))
}

// readMessage checks the request's credentials and account and reads its
// form; on a problem it answers as Twilio does and returns false.
func (s *Server) readMessage(w http.ResponseWriter, r *http.Request) (Message, bool) {
	account := r.PathValue("AccountSid")
	user, pass, ok := r.BasicAuth()
	if !ok || !s.authorized(user, pass) {
		writeError(w, http.StatusUnauthorized, 20003, "Authenticate")
		return Message{}, false
	}
	if account != user {
		writeError(w, http.StatusNotFound, 20404, "The requested resource /2010-04-01/Accounts/"+account+"/Messages.json was not found")
		return Message{}, false
	}
	if err := r.ParseForm(); err != nil {
		writeError(w, http.StatusBadRequest, 21100, "Unable to parse the request body")
		return Message{}, false
	}
	return Message{
		AccountSID:          account,
		To:                  r.PostForm.Get("To"),
		From:                r.PostForm.Get("From"),
		MessagingServiceSID: r.PostForm.Get("MessagingServiceSid"),
		Body:                r.PostForm.Get("Body"),
	}, true
}

// nextFailure takes the next queued failure (FailNext), else asks the
// FailWhen hook about the recipient; nil means no failure.
func (s *Server) nextFailure(to string) *failure {
	s.mu.Lock()
	var f *failure
	if len(s.failNext) > 0 {
		f = &s.failNext[0]
		s.failNext = s.failNext[1:]
	}
	hook := s.failWhen
	s.mu.Unlock()
	if f == nil && hook != nil {
		if status, code, fail := hook(to); fail {
			f = &failure{status: status, code: code}
		}
	}
	return f
}

// writeFailure answers a simulated failure: with no Twilio code, a
// plain-text body naming the HTTP status.
func writeFailure(w http.ResponseWriter, f failure) {
	if f.code == 0 {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(f.status)
		fmt.Fprintf(w, "%d %s\n", f.status, http.StatusText(f.status))
		return
	}
	writeError(w, f.status, f.code, "Simulated failure")
}

// apiError is one of Twilio's error answers.
type apiError struct {
	status, code int
	message      string
}

// checkMessage applies Twilio's checks of the message fields, in Twilio's
// order; nil means the message is accepted.
func checkMessage(m Message) *apiError {
	switch {
	case m.To == "":
		return &apiError{http.StatusBadRequest, 21604, "A 'To' phone number is required."}
	case !e164.MatchString(m.To):
		return &apiError{http.StatusBadRequest, 21211, "Invalid 'To' Phone Number: " + m.To}
	case m.From == "" && m.MessagingServiceSID == "":
		return &apiError{http.StatusBadRequest, 21603, "A 'From' phone number is required."}
	case m.Body == "":
		return &apiError{http.StatusBadRequest, 21602, "Message body is required."}
	case len([]rune(m.Body)) > 1600:
		return &apiError{http.StatusBadRequest, 21617, "The concatenated message body exceeds the 1600 character limit."}
	}
	return nil
}

// messageResource is the Message resource Twilio answers for an accepted
// message.
func messageResource(m Message) map[string]any {
	status := "queued"
	var from, service any
	if m.From != "" {
		from = m.From
	}
	if m.MessagingServiceSID != "" {
		service = m.MessagingServiceSID
		if m.From == "" {
			status = "accepted" // Twilio picks the sender later
		}
	}
	date := m.Received.Format(time.RFC1123Z)
	uri := "/2010-04-01/Accounts/" + m.AccountSID + "/Messages/" + m.SID + ".json"
	return map[string]any{
		"account_sid":           m.AccountSID,
		"api_version":           "2010-04-01",
		"body":                  m.Body,
		"date_created":          date,
		"date_sent":             nil,
		"date_updated":          date,
		"direction":             "outbound-api",
		"error_code":            nil,
		"error_message":         nil,
		"from":                  from,
		"messaging_service_sid": service,
		"num_media":             "0",
		"num_segments":          "1",
		"price":                 nil,
		"price_unit":            "USD",
		"sid":                   m.SID,
		"status":                status,
		"subresource_uris":      map[string]string{"media": strings.TrimSuffix(uri, ".json") + "/Media.json"},
		"to":                    m.To,
		"uri":                   uri,
	}
}

// writeError answers in Twilio's error format.
func writeError(w http.ResponseWriter, status, code int, message string) {
	writeJSON(w, status, map[string]any{
		"code":      code,
		"message":   message,
		"more_info": fmt.Sprintf("https://www.twilio.com/docs/errors/%d", code),
		"status":    status,
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails (crypto/rand crashes the program instead)
	return hex.EncodeToString(b)
}

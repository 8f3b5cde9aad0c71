package delivery

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/twilio/twilio-go"
	"github.com/twilio/twilio-go/client"
	openapi "github.com/twilio/twilio-go/rest/api/v2010"
)

// TwilioConfig configures the Twilio SMS sender. Exactly one of From and
// MessagingServiceSID is set.
type TwilioConfig struct {
	// AccountSID is the Twilio account SID: "AC" followed by 32 letters or
	// digits. Required.
	AccountSID string

	// AuthToken is the account's auth token. Required; letters and digits
	// only (twilio-go refuses anything else). It never appears in an error.
	AuthToken string

	// From is the sender: a Twilio phone number in E.164 form
	// ("+14155550100") or an alphanumeric sender ID (1 to 11 letters,
	// digits or spaces, at least one letter). Default: none.
	From string

	// MessagingServiceSID sends through a Messaging Service, which picks
	// the sender from its pool: "MG" followed by 32 letters or digits.
	// Default: none.
	MessagingServiceSID string

	// Timeout bounds one send, connection included; the caller's context
	// can end it sooner. Default 10s (twilio-go's own default).
	Timeout time.Duration

	// HTTPClient carries the requests: its Transport (default
	// http.DefaultTransport), Jar and CheckRedirect are used. Its Timeout
	// is not: Timeout and the caller's context bound a send. Redirects are
	// not followed unless CheckRedirect says otherwise, as in twilio-go.
	// Tests point it at faketwilio. Default: nil, meaning those defaults.
	HTTPClient *http.Client
}

// WithDefaults returns c with every zero field that has a default set.
func (c TwilioConfig) WithDefaults() TwilioConfig {
	if c.Timeout == 0 {
		c.Timeout = 10 * time.Second
	}
	return c
}

var (
	accountSIDPattern       = regexp.MustCompile(`^AC[A-Za-z0-9]{32}$`)
	messagingServicePattern = regexp.MustCompile(`^MG[A-Za-z0-9]{32}$`)
	authTokenPattern        = regexp.MustCompile(`^[A-Za-z0-9]+$`)
	e164Pattern             = regexp.MustCompile(`^\+[1-9][0-9]{1,14}$`)
	alphanumericSenderID    = regexp.MustCompile(`^[A-Za-z0-9 ]{1,11}$`)
	hasLetter               = regexp.MustCompile(`[A-Za-z]`)
)

// Validate reports every bad setting of c with its defaults applied, each
// a *ConfigError naming its field (see ConfigErrors), as NewTwilio would.
func (c TwilioConfig) Validate() error { return c.WithDefaults().validate() }

// validate reports every bad setting, each naming its field. It never
// quotes AuthToken, nor AccountSID (in case a token was pasted there).
func (c TwilioConfig) validate() error {
	var errs []error
	if !accountSIDPattern.MatchString(c.AccountSID) {
		errs = append(errs, fieldError("AccountSID", fmt.Errorf(`AccountSID must be "AC" followed by 32 letters or digits (34 characters); got %d characters`, len(c.AccountSID))))
	}
	switch {
	case c.AuthToken == "":
		errs = append(errs, fieldError("AuthToken", errors.New("AuthToken is required")))
	case !authTokenPattern.MatchString(c.AuthToken):
		errs = append(errs, fieldError("AuthToken", errors.New("AuthToken must contain only letters and digits")))
	}
	switch {
	case c.From == "" && c.MessagingServiceSID == "":
		errs = append(errs, fieldError("From", errors.New("set one of From and MessagingServiceSID")))
	case c.From != "" && c.MessagingServiceSID != "":
		errs = append(errs, fieldError("From", errors.New("set only one of From and MessagingServiceSID")))
	case c.From != "" && !validSender(c.From):
		errs = append(errs, fieldError("From", fmt.Errorf("From %q must be an E.164 phone number (+14155550100) or an alphanumeric sender ID (1 to 11 letters, digits or spaces, at least one letter)", c.From)))
	case c.MessagingServiceSID != "" && !messagingServicePattern.MatchString(c.MessagingServiceSID):
		errs = append(errs, fieldError("MessagingServiceSID", fmt.Errorf(`MessagingServiceSID %q must be "MG" followed by 32 letters or digits`, c.MessagingServiceSID)))
	}
	if c.Timeout < 0 {
		errs = append(errs, fieldError("Timeout", fmt.Errorf("Timeout must not be negative; got %s", c.Timeout)))
	}
	if len(errs) > 0 {
		return fmt.Errorf("delivery: invalid Twilio config: %w", errors.Join(errs...))
	}
	return nil
}

func validSender(from string) bool {
	return e164Pattern.MatchString(from) ||
		(alphanumericSenderID.MatchString(from) && hasLetter.MatchString(from))
}

// Twilio sends SMS through Twilio's Messages API with the twilio-go client.
// It is safe for concurrent use.
type Twilio struct {
	cfg       TwilioConfig
	transport http.RoundTripper
}

var _ SMSSender = (*Twilio)(nil)

// NewTwilio returns a Twilio sender, or an error naming every bad setting
// in cfg.
func NewTwilio(cfg TwilioConfig) (*Twilio, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	transport := http.DefaultTransport
	if cfg.HTTPClient != nil && cfg.HTTPClient.Transport != nil {
		transport = cfg.HTTPClient.Transport
	}
	return &Twilio{cfg: cfg, transport: transport}, nil
}

// SendSMS sends sms and returns Twilio's message SID ("SM…"). A To that is
// not E.164 or an empty Body fails permanently without calling Twilio.
func (t *Twilio) SendSMS(ctx context.Context, sms SMS) (string, error) {
	if !e164Pattern.MatchString(sms.To) {
		return "", fmt.Errorf("twilio: send sms: recipient is not an E.164 phone number: %w", ErrPermanent)
	}
	if sms.Body == "" {
		return "", fmt.Errorf("twilio: send sms: empty body: %w", ErrPermanent)
	}

	ctx, cancel := context.WithTimeout(ctx, t.cfg.Timeout)
	defer cancel()

	// twilio-go builds every request on context.Background() and has no
	// per-call timeout, so each send gets its own client whose transport
	// puts ctx on the request. The transport also keeps the response: the
	// HTTP status is the only clue when an error body is not Twilio's JSON,
	// and twilio-go leaves error response bodies open.
	transport := &sendTransport{ctx: ctx, base: t.transport}
	defer transport.close()
	httpClient := &http.Client{
		Transport:     transport,
		CheckRedirect: noRedirects,
	}
	if t.cfg.HTTPClient != nil {
		httpClient.Jar = t.cfg.HTTPClient.Jar
		if t.cfg.HTTPClient.CheckRedirect != nil {
			httpClient.CheckRedirect = t.cfg.HTTPClient.CheckRedirect
		}
	}
	restClient := &client.Client{
		Credentials: client.NewCredentials(t.cfg.AccountSID, t.cfg.AuthToken),
		HTTPClient:  httpClient,
	}
	// With a Client of its own, NewRestClientWithParams ignores Username
	// and AccountSid: the account in the request path comes from here.
	restClient.SetAccountSid(t.cfg.AccountSID)
	rest := twilio.NewRestClientWithParams(twilio.ClientParams{Client: restClient})

	params := (&openapi.CreateMessageParams{}).SetTo(sms.To).SetBody(sms.Body)
	if t.cfg.MessagingServiceSID != "" {
		params.SetMessagingServiceSid(t.cfg.MessagingServiceSID)
	} else {
		params.SetFrom(t.cfg.From)
	}

	msg, err := rest.Api.CreateMessage(params)
	if err != nil {
		return "", twilioSendError(err, transport.status())
	}
	if msg.Sid == nil || *msg.Sid == "" {
		return "", errors.New("twilio: send sms: Twilio accepted the request but returned no message SID")
	}
	return *msg.Sid, nil
}

func noRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// twilioPermanentCodes are the Twilio error codes for which sending the
// same message again cannot succeed. https://www.twilio.com/docs/api/errors
var twilioPermanentCodes = map[int]string{
	20003: "authentication failed: check AccountSID and AuthToken",
	20404: "resource not found: check AccountSID and MessagingServiceSID",
	21211: "invalid To phone number",
	21212: "invalid From phone number",
	21222: "invalid username characters",
	21224: "invalid password characters",
	21408: "the account may not send to this region",
	21602: "message body is required",
	21606: "the From number cannot send SMS",
	21608: "trial account: To number is not verified",
	21610: "recipient unsubscribed (replied STOP)",
	21612: "To number cannot be reached from this sender",
	21614: "To number is not a mobile number",
	21617: "message body is too long",
}

// twilioSendError classifies a CreateMessage failure. httpStatus is the
// status of the last response seen, 0 if none came back.
//
// Only the status and Twilio's code go into the message: Twilio's own
// message text may quote the recipient's number.
func twilioSendError(err error, httpStatus int) error {
	var restErr *client.TwilioRestError
	if errors.As(err, &restErr) {
		status := restErr.Status
		if status == 0 {
			status = httpStatus
		}
		what, known := twilioPermanentCodes[restErr.Code]
		if !known && (status == http.StatusUnauthorized || status == http.StatusForbidden) {
			what, known = "credentials refused", true
		}
		if known {
			return &twilioError{status: status, code: restErr.Code, what: what, permanent: true, cause: err}
		}
		return &twilioError{status: status, code: restErr.Code, cause: err}
	}
	if httpStatus == http.StatusUnauthorized || httpStatus == http.StatusForbidden {
		return &twilioError{status: httpStatus, what: "credentials refused", permanent: true, cause: err}
	}
	if httpStatus >= 300 {
		// An error page that is not Twilio's JSON, from Twilio's edge or a
		// proxy: twilio-go's decoding error is no use, the status is.
		return &twilioError{status: httpStatus, what: "not a Twilio error response", cause: err}
	}
	// No response (connection refused, timeout, cancelled context) or an
	// unreadable success response: Twilio may or may not have sent it, and
	// a retry is the at-least-once answer.
	return fmt.Errorf("twilio: send sms: %w", err)
}

// twilioError is a failure Twilio answered. Its message holds the HTTP
// status and Twilio's error code; errors.As reaches the underlying
// *client.TwilioRestError through Unwrap.
type twilioError struct {
	status, code int
	what         string
	permanent    bool
	cause        error
}

func (e *twilioError) Error() string {
	var b strings.Builder
	b.WriteString("twilio: send sms: HTTP ")
	fmt.Fprint(&b, e.status)
	if e.code != 0 {
		fmt.Fprintf(&b, ", Twilio error %d", e.code)
	}
	if e.what != "" {
		b.WriteString(" (" + e.what + ")")
	}
	if e.permanent {
		b.WriteString(": " + ErrPermanent.Error())
	}
	return b.String()
}

func (e *twilioError) Unwrap() []error {
	if e.permanent {
		return []error{ErrPermanent, e.cause}
	}
	return []error{e.cause}
}

// sendTransport carries the requests of one send: it puts the send's
// context on each request and keeps the last response.
type sendTransport struct {
	ctx  context.Context
	base http.RoundTripper

	mu   sync.Mutex
	last *http.Response
}

func (t *sendTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req.WithContext(t.ctx))
	if resp != nil {
		t.mu.Lock()
		t.last = resp
		t.mu.Unlock()
	}
	return resp, err
}

// status returns the HTTP status of the last response, 0 if none.
func (t *sendTransport) status() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.last == nil {
		return 0
	}
	return t.last.StatusCode
}

// close closes the last response body; closing one already closed is
// harmless.
func (t *sendTransport) close() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.last != nil {
		t.last.Body.Close()
	}
}

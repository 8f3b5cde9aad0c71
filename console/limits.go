package console

import (
	"encoding/json"
	"html/template"
)

// Limits are the server's numbers that a hosted page shows or checks: the
// flows' constants and the tenant's effective settings. The handler fills
// them (flows/web) and the page reads them, in the template and from the
// JSON block that /static/limits.js reads, so that no script or locale
// file keeps a copy that could drift from the server.
type Limits struct {
	// CodeMinutes is how long a code sent by email or SMS works.
	CodeMinutes int `json:"code_minutes"`
	// CodeDigits is the number of digits of a sent code and of an
	// authenticator app's code.
	CodeDigits int `json:"code_digits"`
	// ReverifyMinutes is how recently a session must have proved a factor
	// before it may change how its account signs in.
	ReverifyMinutes int `json:"reverify_minutes"`
	// PasskeyNameMax is the longest name a passkey may have, in characters.
	PasskeyNameMax int `json:"passkey_name_max"`
	// TOTPSeconds is how long an authenticator app's code lasts.
	TOTPSeconds int `json:"totp_seconds"`
	// ResendSeconds is how long "Send a new code" waits after a code was
	// sent.
	ResendSeconds int `json:"resend_seconds"`
}

// CodeInputMax is the maxlength of a code field: the code's digits and one
// space, so that "123 456" as an app shows it fits (the flows remove
// spaces). Zero when the view carries no limits.
func (l Limits) CodeInputMax() int {
	if l.CodeDigits == 0 {
		return 0
	}
	return l.CodeDigits + 1
}

// JSON is the limits as the JSON object /static/limits.js reads; its
// field names are the json tags above.
func (l Limits) JSON() template.JS {
	b, err := json.Marshal(l)
	if err != nil {
		return "{}" // a struct of ints always marshals
	}
	return template.JS(b)
}

// Package errcode is the one catalogue of Sesame's public errors: each has
// a stable code for programs, an HTTP status, and a message key in the
// locale files (errors.<code>), whose English sentence it carries. Every
// door that answers a client — the flow API, the WebAuthn routes, the
// admin console's API and GraphQL (as extensions.code) — writes only
// errors of this catalogue: Public turns anything else into ErrInternal.
//
// It is a leaf package (it imports only internal/locale) so that tenants,
// flows, graph and the web layer can all use it.
package errcode

import (
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/sesame-id/sesame/internal/locale"
)

// Error is a public error: a stable code for programs, a message for
// people, and the HTTP status. It is the only error text a client ever
// sees; causes are logged, never sent.
type Error struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	// Field names the input at fault, when one is.
	Field string `json:"field,omitempty"`
	// Connector, on sso_required, is the organization's sign-in the
	// person continues with (a federation connector's id and name).
	Connector *Connector `json:"connector,omitempty"`
	// Credential, on passkey_unknown, is the passkey the tenant does not
	// know, keyed as PublicKeyCredential.signalUnknownCredential takes it,
	// so that any page (hosted or custom) tells the browser to forget it.
	Credential *UnknownCredential `json:"credential,omitempty"`
	// Params say which of the field's sentences Message is ("reason")
	// and the values it names, so that a page in another language says
	// the same in its words (errors.password_policy.<reason>).
	Params map[string]any `json:"params,omitempty"`
	Status int            `json:"-"`
}

// WithParams returns a copy of e carrying params (Error.Params).
func (e *Error) WithParams(params map[string]any) *Error {
	c := *e
	c.Params = params
	return &c
}

// Connector names a federation connector in an error.
type Connector struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// WithConnector returns a copy of e naming the connector to continue with.
func (e *Error) WithConnector(id, name string) *Error {
	c := *e
	c.Connector = &Connector{ID: id, Name: name}
	return &c
}

// UnknownCredential names a passkey the tenant does not know: its
// credential id (base64url, no padding, as the browser sent it) under the
// RP ID of the ceremony.
type UnknownCredential struct {
	RPID         string `json:"rpId"`
	CredentialID string `json:"credentialId"`
}

// WithCredential returns a copy of e naming the unknown credential.
func (e *Error) WithCredential(rpID, credentialID string) *Error {
	c := *e
	c.Credential = &UnknownCredential{RPID: rpID, CredentialID: credentialID}
	return &c
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Is matches any public error with the same code, so errors.Is holds for
// copies made by WithField.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// WithField returns a copy of e naming field, with message instead of the
// catalogue's sentence when message is not empty.
func (e *Error) WithField(field, message string) *Error {
	c := *e
	c.Field = field
	if message != "" {
		c.Message = message
	}
	return &c
}

// With returns a copy of e whose sentence has its {name} placeholders
// filled by the name, value pairs.
func (e *Error) With(args ...any) *Error {
	c := *e
	c.Message = english.T(Key(e.Code), args...)
	return &c
}

// Key is the locale key of code's message.
func Key(code string) string { return "errors." + code }

// Publisher is an error of another package that has a public form, such
// as the tenants' settings errors. Public finds it in an error's chain.
type Publisher interface {
	error
	PublicError() *Error
}

// english holds the catalogue's sentences. A locale tree that does not
// load leaves it empty (messages read as their keys): the server's own
// start-up check reports the tree, and the catalogue test fails.
var english = loadEnglish()

func loadEnglish() locale.Locale {
	c, err := locale.LoadCatalog()
	if err != nil {
		return locale.Locale{}
	}
	return c.Locale(locale.DefaultLanguage, "")
}

// catalogue maps each code to its entry; define fills it while the
// package's variables are initialized, and nothing changes it after.
var catalogue = map[string]*Error{}

// define adds a code to the catalogue. Declaring a code twice is a
// programming error, caught as the package loads.
func define(code string, status int) *Error {
	if _, dup := catalogue[code]; dup {
		panic(fmt.Sprintf("errcode: %q is declared twice", code))
	}
	e := &Error{Code: code, Status: status, Message: english.T(Key(code))}
	catalogue[code] = e
	return e
}

// Codes lists the catalogue's codes, sorted.
func Codes() []string { return slices.Sorted(maps.Keys(catalogue)) }

// Lookup returns the catalogue's entry for code.
func Lookup(code string) (*Error, bool) {
	e, ok := catalogue[code]
	return e, ok
}

// Known reports whether e is a catalogue error: its code is listed, with
// the listed status.
func Known(e *Error) bool {
	c, ok := catalogue[e.Code]
	return ok && c.Status == e.Status
}

// Public returns err's public form and whether it had one: the catalogue
// error err wraps, or the one a Publisher in its chain gives. Any other
// error, and an *Error whose code or status is not the catalogue's, is
// ErrInternal with ok false: the caller logs err and sends only that.
func Public(err error) (*Error, bool) {
	pe := find(err)
	if pe == nil || !Known(pe) {
		return ErrInternal, false
	}
	return pe, true
}

// find returns the *Error in err's chain, else the public form of the
// first Publisher there, else nil.
func find(err error) *Error {
	var pe *Error
	if errors.As(err, &pe) {
		return pe
	}
	var p Publisher
	if errors.As(err, &p) {
		return p.PublicError()
	}
	return nil
}

package tenants

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/sesame-id/sesame/internal/text"
)

// User verification requirements (WebAuthn's userVerification).
const (
	UVRequired    = "required"
	UVPreferred   = "preferred"
	UVDiscouraged = "discouraged"
)

// Attestation conveyance preferences.
const (
	AttestationNone     = "none"
	AttestationIndirect = "indirect"
	AttestationDirect   = "direct"
)

// Authenticator attachments a tenant accepts.
const (
	AttachmentAny           = "any"
	AttachmentPlatform      = "platform"
	AttachmentCrossPlatform = "cross-platform"
)

// Regressed sign-count policies: what to do when an authenticator reports
// a signature counter that did not grow (a possible cloned authenticator).
const (
	CounterReject = "reject"
	CounterFlag   = "flag"
)

// Passkeys is a tenant's passkey and WebAuthn configuration.
type Passkeys struct {
	// SignIn enables passkey sign-in (all three paths). Turning it off
	// keeps WebAuthn credentials working as an MFA factor. Default true.
	SignIn bool `json:"sign_in"`

	// ShowButton shows "Continue with passkey" on the first screen; off,
	// the page is identifier-first. Default true.
	ShowButton bool `json:"show_button"`

	// Autofill offers saved passkeys in the identifier field's autofill
	// (conditional mediation). Default true.
	Autofill bool `json:"autofill"`

	// AllowRegistration lets users create passkeys (at sign-up and in the
	// account center). Default true.
	AllowRegistration bool `json:"allow_registration"`

	// UserVerification is required, preferred or discouraged. Default
	// required.
	UserVerification string `json:"user_verification"`

	// Attestation is none, indirect or direct. With direct, credentials
	// that come without an attestation statement are refused. Default none.
	Attestation string `json:"attestation"`

	// Attachment is any, platform or cross-platform. Default any.
	Attachment string `json:"attachment"`

	// CounterPolicy is reject or flag. Default reject.
	CounterPolicy string `json:"counter_policy"`

	// RPID is the WebAuthn relying-party ID. Empty means the tenant's own
	// host without port (acme.localhost). Passkeys are bound to it:
	// changing it strands every existing passkey.
	RPID string `json:"rp_id,omitempty"`

	// RPName is the name authenticators show. Empty means the tenant's
	// name.
	RPName string `json:"rp_name,omitempty"`

	// Origins are the exact origins (scheme://host[:port]) ceremonies may
	// come from. Empty means the tenant's own origin.
	Origins []string `json:"origins,omitempty"`
}

// DefaultPasskeys returns the passkey settings of a new tenant.
func DefaultPasskeys() Passkeys {
	return Passkeys{
		SignIn:            true,
		ShowButton:        true,
		Autofill:          true,
		AllowRegistration: true,
		UserVerification:  UVRequired,
		Attestation:       AttestationNone,
		Attachment:        AttachmentAny,
		CounterPolicy:     CounterReject,
	}
}

// Validate checks each field and returns the first problem as an
// *InputError.
func (p Passkeys) Validate() error {
	oneOf := func(field, v string, allowed ...string) error {
		if !slices.Contains(allowed, v) {
			return &InputError{Field: "passkeys." + field, Problem: fmt.Sprintf("%q is not one of %s", v, strings.Join(allowed, ", "))}
		}
		return nil
	}
	if err := oneOf("user_verification", p.UserVerification, UVRequired, UVPreferred, UVDiscouraged); err != nil {
		return err
	}
	if err := oneOf("attestation", p.Attestation, AttestationNone, AttestationIndirect, AttestationDirect); err != nil {
		return err
	}
	if err := oneOf("attachment", p.Attachment, AttachmentAny, AttachmentPlatform, AttachmentCrossPlatform); err != nil {
		return err
	}
	if err := oneOf("counter_policy", p.CounterPolicy, CounterReject, CounterFlag); err != nil {
		return err
	}
	if p.RPID != "" {
		if err := validateRPID(p.RPID); err != nil {
			return &InputError{Field: "passkeys.rp_id", Problem: err.Error()}
		}
	}
	// Authenticators show the name as one line.
	if _, err := text.Line(p.RPName, 100); err != nil {
		return &InputError{Field: "passkeys.rp_name", Problem: err.Error()}
	}
	for _, o := range p.Origins {
		if err := validateOrigin(o); err != nil {
			return &InputError{Field: "passkeys.origins", Problem: err.Error()}
		}
	}
	if p.RPID != "" && len(p.Origins) > 0 {
		for _, o := range p.Origins {
			u, _ := url.Parse(o)
			if !hostWithin(u.Hostname(), p.RPID) {
				return &InputError{Field: "passkeys.origins", Problem: fmt.Sprintf("%s is not on %s or one of its subdomains, so browsers would refuse the RP ID there", o, p.RPID)}
			}
		}
	}
	return nil
}

// validateRPID accepts a lowercase domain name (no scheme, port or path).
func validateRPID(id string) error {
	if id != strings.ToLower(id) || strings.ContainsAny(id, ":/?#@ ") || strings.HasPrefix(id, ".") || strings.HasSuffix(id, ".") || id == "" {
		return fmt.Errorf("%q must be a lowercase domain such as example.com (no scheme, port or path)", id)
	}
	return nil
}

// validateOrigin accepts scheme://host[:port] exactly: https anywhere,
// http only on localhost hosts. No wildcards, paths or trailing slash.
func validateOrigin(o string) error {
	u, err := url.Parse(o)
	if err != nil || u.Host == "" || u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil || strings.Contains(o, "*") {
		return fmt.Errorf("%q must be an exact origin such as https://login.example.com (no path, no wildcard)", o)
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !isLocalhost(u.Hostname()) {
			return fmt.Errorf("%q uses http, which browsers allow for WebAuthn only on localhost; use https", o)
		}
	default:
		return fmt.Errorf("%q must start with https://", o)
	}
	if o != strings.ToLower(o) {
		return fmt.Errorf("%q must be lowercase", o)
	}
	return nil
}

// hostWithin reports whether host is domain or a subdomain of it.
func hostWithin(host, domain string) bool {
	return host == domain || strings.HasSuffix(host, "."+domain)
}

func isLocalhost(host string) bool {
	return host == "localhost" || strings.HasSuffix(host, ".localhost")
}

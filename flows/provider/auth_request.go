package provider

import (
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
)

// requestDoc is what Sesame keeps of a client's authorization request
// (the Request column).
type requestDoc struct {
	Scopes              []string                 `json:"scopes"`
	ResponseType        oidc.ResponseType        `json:"response_type"`
	ResponseMode        oidc.ResponseMode        `json:"response_mode,omitempty"`
	RedirectURI         string                   `json:"redirect_uri"`
	State               string                   `json:"state,omitempty"`
	Nonce               string                   `json:"nonce,omitempty"`
	Prompt              []string                 `json:"prompt,omitempty"`
	MaxAge              *uint                    `json:"max_age,omitempty"`
	LoginHint           string                   `json:"login_hint,omitempty"`
	UILocales           []string                 `json:"ui_locales,omitempty"`
	ACRValues           []string                 `json:"acr_values,omitempty"`
	CodeChallenge       string                   `json:"code_challenge,omitempty"`
	CodeChallengeMethod oidc.CodeChallengeMethod `json:"code_challenge_method,omitempty"`
}

// authRequest is a stored authorization request as the op library sees it.
type authRequest struct {
	row *db.OIDCAuthRequest
	doc requestDoc
}

var _ op.AuthRequest = (*authRequest)(nil)

func newAuthRequest(row *db.OIDCAuthRequest) (*authRequest, error) {
	ar := &authRequest{row: row}
	if err := json.Unmarshal([]byte(row.Request), &ar.doc); err != nil {
		return nil, err
	}
	return ar, nil
}

func (a *authRequest) GetID() string                      { return a.row.ID.String() }
func (a *authRequest) GetClientID() string                { return a.row.ClientID }
func (a *authRequest) GetAudience() []string              { return []string{a.row.ClientID} }
func (a *authRequest) GetNonce() string                   { return a.doc.Nonce }
func (a *authRequest) GetRedirectURI() string             { return a.doc.RedirectURI }
func (a *authRequest) GetResponseType() oidc.ResponseType { return a.doc.ResponseType }
func (a *authRequest) GetResponseMode() oidc.ResponseMode { return a.doc.ResponseMode }
func (a *authRequest) GetScopes() []string                { return a.doc.Scopes }
func (a *authRequest) GetState() string                   { return a.doc.State }
func (a *authRequest) Done() bool                         { return a.row.UserID != nil }
func (a *authRequest) GetAMR() []string                   { return AMR(a.row.AMR) }
func (a *authRequest) GetACR() string                     { return ACR(a.row.AMR) }

func (a *authRequest) GetSubject() string {
	if a.row.UserID == nil {
		return ""
	}
	return a.row.UserID.String()
}

func (a *authRequest) GetAuthTime() time.Time {
	if a.row.AuthTime == nil {
		return time.Time{}
	}
	return *a.row.AuthTime
}

func (a *authRequest) GetCodeChallenge() *oidc.CodeChallenge {
	if a.doc.CodeChallenge == "" {
		return nil
	}
	return &oidc.CodeChallenge{Challenge: a.doc.CodeChallenge, Method: a.doc.CodeChallengeMethod}
}

// signIn records that s's user signed in for a, and how (the code's
// claims: sub, auth_time, amr, acr, sid).
func (a *authRequest) signIn(s *db.Session) {
	authTime := s.VerifiedAt.UTC()
	a.row.UserID, a.row.SessionID, a.row.AMR, a.row.AuthTime = &s.UserID, &s.ID, s.AMR, &authTime
}

// completion is what storing code for a, signed in, records: who signed
// in and how, and the code's hash, exchangeable for codeTTL from now.
func (a *authRequest) completion(code string, now time.Time) db.Completion {
	return db.Completion{
		UserID: *a.row.UserID, SessionID: *a.row.SessionID, AMR: a.row.AMR, AuthTime: *a.row.AuthTime,
		CodeHash: flows.HashToken(code), CodeExpiresAt: now.Add(codeTTL),
	}
}

// prompted reports whether the client sent prompt value p.
func (a *authRequest) prompted(p string) bool { return slices.Contains(a.doc.Prompt, p) }

// satisfiedBy reports whether a session whose user last proved a factor at
// verifiedAt may answer the request at now without a new sign-in:
// prompt=login (which the library also turns into max_age=0) wants a
// sign-in after the request was made, max_age one within that many
// seconds.
//
// acr_values naming ACRPhishingResistant wants a session that used a
// passkey: the provider enforces it, whatever the client does with acr.
func (a *authRequest) satisfiedBy(s *db.Session, now time.Time) bool {
	if slices.Contains(a.doc.ACRValues, ACRPhishingResistant) && ACR(s.AMR) != ACRPhishingResistant {
		return false
	}
	verifiedAt := s.VerifiedAt
	fresh := !verifiedAt.Before(a.row.CreatedAt)
	if a.prompted(oidc.PromptLogin) || a.doc.MaxAge != nil && *a.doc.MaxAge == 0 {
		return fresh
	}
	if a.doc.MaxAge != nil && now.Sub(verifiedAt) > time.Duration(*a.doc.MaxAge)*time.Second {
		return false
	}
	return true
}

// Authentication method references (RFC 8176) in ID tokens.
//
// A passkey sign-in is "swk" (proof of possession of a software-secured
// key) with "user" (a user presence gesture): Sesame cannot tell a synced
// passkey from a device-bound one at sign-in, and "swk" claims no more than
// is true of both, while telling a passkey from a password ("pwd"). Codes
// are "otp" (email code, authenticator app, backup code) or "sms"; a
// sign-in through an upstream identity provider is "fed"; "mfa" is added
// whenever two factors were used.
const (
	amrSoftwareKey = "swk"
	amrUser        = "user"
)

// ACRPhishingResistant is the acr of a sign-in that used a passkey (the
// OpenID Extended Authentication Profile's "phr"). Other sign-ins carry no
// acr.
const ACRPhishingResistant = "phr"

// AMR maps a session's recorded methods to RFC 8176 values.
func AMR(sessionAMR string) []string {
	var out []string
	add := func(v string) {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	methods := strings.Split(sessionAMR, ",")
	for _, m := range methods {
		switch m {
		case flows.AMRWebAuthn:
			add(amrSoftwareKey)
			add(amrUser)
		case flows.AMRPassword:
			add("pwd")
		case flows.AMROTP, flows.AMRBackupCode:
			add("otp")
		case flows.AMRSMS:
			add("sms")
		case flows.AMRMFA:
			add("mfa")
		case flows.AMRFederated:
			add("fed")
		}
	}
	if len(methods) > 1 && !slices.Contains(out, "mfa") {
		add("mfa")
	}
	return out
}

// ACR is ACRPhishingResistant when a passkey was used, else "".
func ACR(sessionAMR string) string {
	if slices.Contains(strings.Split(sessionAMR, ","), flows.AMRWebAuthn) {
		return ACRPhishingResistant
	}
	return ""
}

package samlsp

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/crewjam/saml"

	"github.com/sesame-id/sesame/internal/errcode"
)

// maxResponse caps the ACS form read: a signed Response with one
// assertion is a few kilobytes, base64 a third more.
const maxResponse = 256 << 10

// Finish checks the IdP's answer posted to the ACS URL (HTTP-POST
// binding) and returns the assertion it carries. possibleRequestIDs are
// the IDs of the AuthnRequests of the caller's flow (AuthnRequest); the
// answer must name one of them unless the SP allows IdP-initiated sign-in
// and it names none. RelayState reads the answer's relay state first.
//
// A refused answer is a saml_* catalogue error (see the package comment)
// wrapping the library's reason; its assertion is not remembered. An
// accepted one is remembered by the ReplayStore, so the same answer
// posted again, or by anyone else, is refused with
// saml_assertion_replayed. Only a failure of the store itself is not a
// catalogue error (the caller answers 500).
func (sp *SP) Finish(r *http.Request, possibleRequestIDs []string) (Assertion, error) {
	if r.Method != http.MethodPost {
		return Assertion{}, errcode.ErrMethodNotAllowed
	}
	if err := parseForm(r); err != nil {
		return Assertion{}, err
	}
	// The ACS takes the HTTP-POST binding only: an artifact (which the
	// library would resolve with the IdP) is refused before any request.
	if r.Form.Get("SAMLart") != "" || r.PostForm.Get("SAMLResponse") == "" {
		return Assertion{}, fmt.Errorf("samlsp: %w: no SAMLResponse posted", errcode.ErrSAMLResponseInvalid)
	}
	lib := sp.lib
	lib.ReplayCache = replayCache{ctx: r.Context(), store: sp.replay}
	a, err := lib.ParseResponse(r, possibleRequestIDs)
	if err != nil {
		return Assertion{}, refusal(err)
	}
	return toAssertion(a), nil
}

// RelayState reads the RelayState the IdP posted back to the ACS, so that
// the caller can find its flow (and the flow's request IDs) before
// Finish. It reads the form as Finish does, with the body capped.
func RelayState(r *http.Request) (string, error) {
	if err := parseForm(r); err != nil {
		return "", err
	}
	return r.PostForm.Get("RelayState"), nil
}

// parseForm reads the ACS form once, its body capped at maxResponse.
func parseForm(r *http.Request) error {
	if r.PostForm == nil {
		r.Body = http.MaxBytesReader(nil, r.Body, maxResponse)
	}
	if err := r.ParseForm(); err != nil {
		return fmt.Errorf("samlsp: %w: %w", errcode.ErrSAMLResponseInvalid, err)
	}
	return nil
}

// replayCache is the library's replay hook on the SP's ReplayStore, with
// the request's context.
type replayCache struct {
	ctx   context.Context
	store ReplayStore
}

// storeFailure is a ReplayStore error: not the answer's fault.
type storeFailure struct{ err error }

func (e storeFailure) Error() string { return "samlsp: replay store: " + e.err.Error() }
func (e storeFailure) Unwrap() error { return e.err }

func (c replayCache) Consume(assertionID string, until time.Time) error {
	if len(assertionID) > maxAssertionID {
		return fmt.Errorf("assertion ID of %d bytes", len(assertionID))
	}
	fresh, err := c.store.Remember(c.ctx, assertionID, until)
	if err != nil {
		return storeFailure{err}
	}
	if !fresh {
		return saml.ErrAssertionReplayed
	}
	return nil
}

// maxAssertionID is the longest assertion ID accepted (db keeps 512).
const maxAssertionID = 512

// refusal maps the library's reason for refusing an answer to the
// catalogue, keeping the reason (its private detail, not the library's
// "Authentication failed") in the chain for the log.
func refusal(err error) error {
	var sf storeFailure
	if errors.As(err, &sf) {
		return sf
	}
	detail := err
	var ire *saml.InvalidResponseError
	if errors.As(err, &ire) && ire.PrivateErr != nil {
		detail = ire.PrivateErr
	}
	return fmt.Errorf("samlsp: %w: %w", publicRefusal(detail), detail)
}

// refusals are the library's kinds of refusal in the order they are told
// apart: an answer can match several (an expired signing certificate is
// both an invalid signature and expired), and the first wins.
var refusals = []struct {
	kinds  []error
	public *errcode.Error
}{
	{[]error{saml.ErrAssertionReplayed}, errcode.ErrSAMLAssertionReplayed},
	{[]error{saml.ErrInvalidSignature, saml.ErrUntrustedCertificate, saml.ErrCertificateNotValidNow}, errcode.ErrSAMLSignatureInvalid},
	{[]error{saml.ErrIssuerMismatch}, errcode.ErrSAMLIssuerMismatch},
	{[]error{saml.ErrAudienceMismatch}, errcode.ErrSAMLAudienceMismatch},
	{[]error{saml.ErrDestinationMismatch}, errcode.ErrSAMLRecipientMismatch},
	{[]error{saml.ErrRequestIDMismatch}, errcode.ErrSAMLRequestMismatch},
	{[]error{saml.ErrExpired}, errcode.ErrSAMLAssertionExpired},
	{[]error{saml.ErrNotYetValid}, errcode.ErrSAMLAssertionNotYet},
}

func publicRefusal(err error) *errcode.Error {
	var status saml.ErrBadStatus
	if errors.As(err, &status) {
		return errcode.ErrSAMLIdPRefused
	}
	// The library reports a required signature that is absent with an
	// unexported, unclassified error.
	if strings.Contains(err.Error(), "signature element not present") {
		return errcode.ErrSAMLSignatureInvalid
	}
	for _, r := range refusals {
		for _, kind := range r.kinds {
			if errors.Is(err, kind) {
				return r.public
			}
		}
	}
	return errcode.ErrSAMLResponseInvalid
}

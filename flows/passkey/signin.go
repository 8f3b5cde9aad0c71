package passkey

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/tenants"
)

// BeginSignIn starts an authentication ceremony. With no user it is
// discoverable (the "Continue with passkey" button and autofill; mediation
// "conditional" for autofill): the authenticator picks the credential and
// returns the user handle. With a user (identifier first, or WebAuthn as
// the second factor) the options list that user's credentials under the
// tenant's RP ID in allowCredentials.
func (s *Service) BeginSignIn(t *tenants.Tenant, user *db.User, creds []*db.Credential, mediation string) (*Options, *Ceremony, error) {
	wa, rp, err := s.relyingParty(t)
	if err != nil {
		return nil, nil, err
	}
	uv := protocol.UserVerificationRequirement(t.Settings.Passkeys.UserVerification)
	opts := []webauthn.LoginOption{webauthn.WithUserVerification(uv)}

	var (
		assertion *protocol.CredentialAssertion
		session   *webauthn.SessionData
	)
	med := protocol.CredentialMediationRequirement(mediation)
	if user == nil {
		assertion, session, err = wa.BeginDiscoverableMediatedLogin(med, opts...)
	} else {
		u := &waUser{handle: user.WebAuthnHandle, name: user.DisplayName, displayName: user.DisplayName}
		for _, c := range creds {
			if c.RPID != rp.ID {
				continue
			}
			u.creds = append(u.creds, toLibrary(c))
		}
		if len(u.creds) == 0 {
			return nil, nil, fmt.Errorf("begin sign-in: the user has no passkey under RP ID %s", rp.ID)
		}
		assertion, session, err = wa.BeginMediatedLogin(u, med, opts...)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("begin sign-in: %w", err)
	}
	publicKey, err := json.Marshal(assertion.Response)
	if err != nil {
		return nil, nil, fmt.Errorf("encode request options: %w", err)
	}
	c := &Ceremony{Kind: KindAuthentication, RPID: rp.ID, Session: *session, Expires: s.clock.Now().Add(CeremonyTTL)}
	return &Options{PublicKey: publicKey, Mediation: mediation}, c, nil
}

// VerifySignIn checks an assertion (an AuthenticationResponseJSON) against
// the ceremony it answers and the credential it names, which it loads from
// the scope (one statement, with its user). On success it returns the
// credential with what the assertion changed (sign count, backup state,
// user verified, last used) ready to store with
// CredentialStore.RecordSignIn; nothing is written here, so the caller
// writes only after every check passed.
//
// Beyond go-webauthn's checks it enforces: the ceremony is of the right
// kind, unexpired and under the tenant's current RP ID; the credential is
// the tenant's, under that RP ID; with allowCredentials, the credential is
// one of them and belongs to the ceremony's user; without, the user handle
// is present and is the credential owner's; the user is not disabled; the
// tenant's policy for a regressed counter.
func (s *Service) VerifySignIn(ctx context.Context, t *tenants.Tenant, scope db.Scope, c *Ceremony, response []byte) (*db.Credential, error) {
	cred, err := s.verifySignIn(ctx, t, scope, c, response)
	if err != nil {
		s.logger.InfoContext(ctx, "passkey sign-in refused", "tenant", t.Slug, "reason", err.Error())
		if errors.Is(err, ErrVerification) {
			return nil, err
		}
		return nil, fmt.Errorf("%w: %w", ErrVerification, err)
	}
	return cred, nil
}

func (s *Service) verifySignIn(ctx context.Context, t *tenants.Tenant, scope db.Scope, c *Ceremony, response []byte) (*db.Credential, error) {
	wa, rp, err := s.relyingParty(t)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	if err := checkCeremony(c, KindAuthentication, "a sign-in", rp.ID, now); err != nil {
		return nil, err
	}

	parsed, err := protocol.ParseCredentialRequestResponseBytes(response)
	if err != nil {
		return nil, fmt.Errorf("parse assertion: %s", devInfo(err))
	}

	cred, err := scope.Credentials().ForSignIn(ctx, rp.ID, parsed.RawID)
	if errors.Is(err, db.ErrNotFound) {
		return nil, fmt.Errorf("credential: %w", ErrUnknownCredential)
	}
	if err != nil {
		return nil, fmt.Errorf("credential: %w", err)
	}
	user := cred.User
	if user.DisabledAt != nil {
		return nil, ErrUserDisabled
	}
	session, err := assertionSession(c.Session, parsed, user)
	if err != nil {
		return nil, err
	}
	validated, err := validateAssertion(wa, session, parsed, cred, user)
	if err != nil {
		return nil, err
	}
	// The policy in force now applies, not only the one the ceremony
	// began under, as at registration.
	if t.Settings.Passkeys.UserVerification == tenants.UVRequired && !parsed.Response.AuthenticatorData.Flags.HasUserVerified() {
		return nil, errors.New("the tenant requires user verification and the authenticator did not verify the user")
	}
	return signedIn(t.Settings.Passkeys, cred, validated, parsed, now)
}

// assertionSession checks that the asserted credential is one the
// ceremony allows for its user, and returns the session data to validate
// the assertion with. With allowCredentials, the credential must be listed
// and be the ceremony user's; without (discoverable), the user handle must
// be returned; either way a returned handle must be the credential owner's.
func assertionSession(session webauthn.SessionData, parsed *protocol.ParsedCredentialAssertionData, user *db.User) (webauthn.SessionData, error) {
	handle := parsed.Response.UserHandle
	if len(session.UserID) > 0 {
		if !bytes.Equal(session.UserID, user.WebAuthnHandle) {
			return session, errors.New("the credential belongs to another user")
		}
		listed := false
		for _, id := range session.AllowedCredentialIDs {
			if bytes.Equal(id, parsed.RawID) {
				listed = true
				break
			}
		}
		if !listed {
			return session, errors.New("the credential is not one the ceremony allowed")
		}
		// go-webauthn requires the user to own every listed credential;
		// membership is checked above, so it is given only this one.
		session.AllowedCredentialIDs = [][]byte{parsed.RawID}
	} else if len(handle) == 0 {
		return session, errors.New("a discoverable sign-in must return the user handle")
	}
	if len(handle) > 0 && !bytes.Equal(handle, user.WebAuthnHandle) {
		return session, errors.New("the user handle is not the credential owner's")
	}
	return session, nil
}

// validateAssertion has go-webauthn check the assertion (challenge,
// origin, RP ID, signature, flags, counter) against the stored credential.
func validateAssertion(wa *webauthn.WebAuthn, session webauthn.SessionData, parsed *protocol.ParsedCredentialAssertionData, cred *db.Credential, user *db.User) (*webauthn.Credential, error) {
	// go-webauthn's CloneWarning is sticky (it starts from the stored
	// value and is only ever set), so it is given a clear one: it then
	// reports whether this assertion's counter regressed. The stored
	// warning is kept by signedIn.
	lib := toLibrary(cred)
	lib.Authenticator.CloneWarning = false
	u := &waUser{handle: user.WebAuthnHandle, name: user.DisplayName, displayName: user.DisplayName, creds: []webauthn.Credential{lib}}
	var (
		validated *webauthn.Credential
		err       error
	)
	if len(session.UserID) > 0 {
		validated, err = wa.ValidateLogin(u, session, parsed)
	} else {
		validated, err = wa.ValidateDiscoverableLogin(func(rawID, userHandle []byte) (webauthn.User, error) {
			return u, nil
		}, session, parsed)
	}
	if err != nil {
		return nil, fmt.Errorf("validate assertion: %s", devInfo(err))
	}
	return validated, nil
}

// signedIn is the credential with what a verified assertion changed (sign
// count, backup state, user verified, last used at now), under the
// tenant's policy for a regressed counter: refuse, or (flag) accept,
// remember the warning and keep the stored counter.
func signedIn(p tenants.Passkeys, cred *db.Credential, validated *webauthn.Credential, parsed *protocol.ParsedCredentialAssertionData, now time.Time) (*db.Credential, error) {
	out := *cred
	if validated.Authenticator.CloneWarning {
		if p.CounterPolicy != tenants.CounterFlag {
			return nil, fmt.Errorf("%w: %w (stored %d, asserted %d)", ErrVerification, ErrCounterRegressed, cred.SignCount, parsed.Response.AuthenticatorData.Counter)
		}
		out.CloneWarning = true
	} else {
		out.SignCount = int64(validated.Authenticator.SignCount)
	}
	out.BackupState = validated.Flags.BackupState
	out.UserVerified = out.UserVerified || parsed.Response.AuthenticatorData.Flags.HasUserVerified()
	used := now
	out.LastUsedAt = &used
	return &out, nil
}

// devInfo extracts the library's internal detail for the log.
func devInfo(err error) string {
	var pe *protocol.Error
	if errors.As(err, &pe) {
		return fmt.Sprintf("%s: %s (%s)", pe.Type, pe.Details, pe.DevInfo)
	}
	return err.Error()
}

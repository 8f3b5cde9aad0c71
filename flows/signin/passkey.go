package signin

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"

	"github.com/google/uuid"

	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/flows/federation"
	"github.com/sesame-id/sesame/flows/passkey"
)

func (a *actions) passkeyBegin(ctx context.Context, step *flows.Step[Context]) error {
	if !step.Tenant.Settings.Passkeys.SignIn {
		return flows.ErrPasskeySignInDisabled
	}
	var in struct {
		// Mediation is "conditional" for autofill, empty for the button.
		Mediation string `json:"mediation"`
	}
	if err := flows.DecodeInput(step.Input, &in); err != nil {
		return err
	}
	if in.Mediation != "" && in.Mediation != "conditional" {
		return flows.ErrInvalidInput.WithField("mediation", `Use "conditional" for autofill, or leave it out.`)
	}
	if in.Mediation == "conditional" && !step.Tenant.Settings.Passkeys.Autofill {
		return flows.ErrPasskeySignInDisabled.WithField("mediation", "Passkey autofill is turned off here.")
	}
	opts, c, err := a.Passkeys.BeginSignIn(step.Tenant, nil, nil, in.Mediation)
	if err != nil {
		return err
	}
	if err := step.PutCeremony(c); err != nil {
		return err
	}
	step.Output = passkey.Begun{Passkey: opts}
	return nil
}

// Output of a successful sign-in.
type signedIn struct {
	UserID uuid.UUID `json:"user_id"`
	// hybrid marks a passkey sign-in through another device (QR code):
	// the page offers a passkey on this one (flows.OfferPasskeyHere).
	hybrid bool
}

// ByHybrid reports a passkey sign-in through another device.
func (s signedIn) ByHybrid() bool { return s.hybrid }

func (a *actions) passkeyFinish(ctx context.Context, step *flows.Step[Context]) error {
	if !step.Tenant.Settings.Passkeys.SignIn {
		return flows.Fail(flows.ErrPasskeySignInDisabled)
	}
	var in struct {
		Credential json.RawMessage `json:"credential"`
	}
	if err := flows.DecodeInput(step.Input, &in); err != nil {
		return flows.Fail(err)
	}
	c, err := step.TakePasskeyCeremony()
	if err != nil {
		return err
	}
	cred, err := a.Passkeys.VerifySignIn(ctx, step.Tenant, step.Scope, c, in.Credential)
	if errors.Is(err, passkey.ErrUnknownCredential) {
		// The answer names the credential so that the page, hosted or
		// custom, asks the browser to forget it (signalUnknownCredential).
		a.audit(ctx, step, MethodPasskey, nil, flows.ErrPasskeyUnknown.Code)
		return flows.Fail(flows.ErrPasskeyUnknown.WithCredential(c.RPID, credentialID(in.Credential)))
	}
	if err != nil {
		a.audit(ctx, step, MethodPasskey, nil, flows.ErrPasskeyFailed.Code)
		return flows.Fail(flows.ErrPasskeyFailed)
	}
	if cred.User.SSO {
		a.audit(ctx, step, MethodPasskey, &cred.UserID, flows.ErrSSORequired.Code)
		return flows.Fail(ssoRequired(ctx, step, cred.UserID, ""))
	}
	if err := step.Scope.Credentials().RecordSignIn(ctx, cred); err != nil {
		return err
	}
	if cred.User.Unreachable {
		// No verified email or phone: a new-device notice would reach
		// nobody, so none is queued.
		ctx = withoutDeviceNotice(ctx)
	}
	if err := a.signIn(ctx, step, cred.UserID, MethodPasskey, flows.AMRWebAuthn); err != nil {
		return err
	}
	if flows.Hybrid(in.Credential, cred.Transports) {
		step.Output = signedIn{UserID: cred.UserID, hybrid: true}
	}
	return nil
}

// ssoRequired is the refusal of a first factor to an SSO user (with
// message instead of the catalogue's sentence when given): with the
// button to their organization's sign-in when their enterprise connector
// is known.
func ssoRequired(ctx context.Context, step *flows.Step[Context], userID uuid.UUID, message string) error {
	e := flows.ErrSSORequired
	if message != "" {
		e = e.WithField("", message)
	}
	c, err := federation.EnterpriseOf(ctx, step.Scope, userID)
	if err != nil || c == nil {
		return e
	}
	return e.WithConnector(c.ID.String(), c.Name)
}

// credentialID is the id of the credential an assertion (an
// AuthenticationResponseJSON the passkey service parsed) names, in the
// Signal API's form: base64url without padding; "" when it has none.
func credentialID(assertion json.RawMessage) string {
	var in struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(assertion, &in) != nil {
		return ""
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(in.ID, "="))
	if err != nil {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString(raw)
}

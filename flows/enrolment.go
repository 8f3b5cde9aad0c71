package flows

import (
	"context"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows/totp"
	"github.com/sesame-id/sesame/tenants"
)

// Setting up a second factor inside a flow, written once for the flows
// that do it: sign-up's "Turn on 2-step verification" (flows/signup) and
// the enrolment step of sign-in under a mandatory policy (flows/signin).
// The checks that confirm a factor are those of factor.go (VerifyTOTP,
// BindSMSFactor, IssueBackupCodes); passkeys are created by
// passkey_registration.go.

// TOTPQRCodeSize is the width and height, in pixels, of the QR code a flow
// shows to set up an authenticator app.
const TOTPQRCodeSize = 256

// TOTPSetup is what a page shows to set up an authenticator app.
type TOTPSetup struct {
	Secret string `json:"secret"`
	URL    string `json:"otpauth_url"`
	// QRCode is a data: URL of a PNG image of URL.
	QRCode string `json:"qr_code"`
}

// StartTOTPSetup makes a new unconfirmed authenticator-app secret for the
// user, named account in the app under the tenant's issuer, replacing an
// unconfirmed one; VerifyTOTP with TOTPPending confirms it.
func StartTOTPSetup(ctx context.Context, scope db.Scope, t *tenants.Tenant, userID uuid.UUID, account string, now time.Time) (*TOTPSetup, error) {
	e, err := totp.Enroll(totp.Issuer(t.Name, t.Slug), account, TOTPQRCodeSize)
	if err != nil {
		return nil, err
	}
	if err := scope.TOTP().Start(ctx, userID, e.Secret, now); err != nil {
		return nil, err
	}
	return &TOTPSetup{Secret: e.Secret, URL: e.URL, QRCode: e.QRCode}, nil
}

// BindableFactors lists the factors the tenant enables that a flow sets up
// by a code (totp, sms), in the tenant's order, leaving out those in bound.
func BindableFactors(t *tenants.Tenant, bound []string) []string {
	out := []string{}
	for _, f := range t.Settings.MFA.Factors {
		if (f == tenants.FactorTOTP || f == tenants.FactorSMS) && !slices.Contains(bound, f) && !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}

// errBindPhone is a phone number to bind that is not one.
var errBindPhone = ErrInvalidInput.WithField("phone", "Enter a mobile number in international form: + and the country code, then the number, such as +44 7700 900123.")

// SendBindCode sends a PurposeBindPhone code by SMS to the phone number
// typed, for flowID, to prove it before it becomes the user's SMS factor
// (BindSMSFactor). SendCode applies every limit and the tenant's allowed
// countries. It returns the normalized number and the code's id.
func (d Deps) SendBindCode(ctx context.Context, tx *db.Tx, t *tenants.Tenant, req RequestInfo, now time.Time, flowID uuid.UUID, typed string) (string, uuid.UUID, error) {
	kind, phone, ok := ParseIdentifier(typed)
	if !ok || kind != db.IdentifierPhone {
		return "", uuid.Nil, errBindPhone
	}
	code, err := d.SendCode(ctx, tx, t, req, now, BindCode(flowID, phone))
	if err != nil {
		return "", uuid.Nil, err
	}
	return phone, code.ID, nil
}

// BindCode is the code SendBindCode sent for flowID to phone, as
// BindSMSFactor checks it.
func BindCode(flowID uuid.UUID, phone string) CodeToSend {
	return CodeToSend{FlowID: flowID, Purpose: PurposeBindPhone, Channel: db.ChannelSMS, Recipient: phone}
}

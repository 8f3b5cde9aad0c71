package signup

import (
	"github.com/google/uuid"

	"github.com/sesame-id/sesame/flows"
)

// Finished is the output of the action that creates the account and of the
// passkey steps after it: what the page shows next.
type Finished struct {
	UserID uuid.UUID `json:"user_id"`
	// PasskeyPrompt asks the page to offer "Create a passkey?".
	PasskeyPrompt bool `json:"passkey_prompt,omitempty"`
	// TwoStep, when set, asks the page to offer (or, Required, to go on
	// into) 2-step verification.
	TwoStep *TwoStepPrompt `json:"two_step,omitempty"`
	// TOTP is the authenticator app to bind, when that is next.
	TOTP *TOTPSetupOutput `json:"totp,omitempty"`
	// MFA is the choice of factors, when that is next.
	MFA *FactorChoice `json:"mfa,omitempty"`
}

// TwoStepPrompt tells the page to show "Turn on 2-step verification".
type TwoStepPrompt struct {
	// Required is true with a mandatory policy: there is no "Skip".
	Required bool `json:"required"`
}

// FactorChoice is what mfa_choose shows.
type FactorChoice struct {
	// Factors are the factors the user may bind now (totp, sms).
	Factors []string `json:"factors"`
	// Bound are those bound already; with one, mfa.finish is allowed.
	Bound []string `json:"bound"`
	// Required is true with a mandatory policy: there is no "Skip".
	Required bool `json:"required"`
}

// TOTPSetupOutput is what the page shows to bind an authenticator app.
type TOTPSetupOutput = flows.TOTPSetup

// CodeSent is the output of an action that sent a code.
type CodeSent struct {
	// Kind is the identifier kind being proved (email, phone); empty for a
	// phone being bound as a factor.
	Kind string `json:"kind,omitempty"`
	// Channel is email or sms; SentTo the address or number.
	Channel string `json:"channel"`
	SentTo  string `json:"sent_to"`
}

// BackupCodesOutput carries the backup codes, shown this once.
type BackupCodesOutput struct {
	BackupCodes []string `json:"backup_codes"`
}

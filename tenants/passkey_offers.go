package tenants

import "fmt"

// The bounds of PasskeyOffers.PromptIntervalDays.
const (
	MinPromptIntervalDays     = 1
	MaxPromptIntervalDays     = 365
	DefaultPromptIntervalDays = 30
)

// PasskeyOffers is what the hosted sign-in offers a user who signed in
// without a passkey (by password or a code) and holds none here. Both are
// off by default; neither shows where the tenant lets no one create a
// passkey (Passkeys.AllowRegistration).
type PasskeyOffers struct {
	// Upgrade makes the page ask the browser for a passkey at once, by a
	// conditional create (WebAuthn's mediation "conditional"), which a
	// password manager may answer without a prompt. Default false.
	Upgrade bool `json:"upgrade"`

	// Prompt shows "Create a passkey?" after such a sign-in. Default false.
	Prompt bool `json:"prompt"`

	// PromptIntervalDays is how long "Not now" hides the prompt from that
	// user. 1 to 365; default 30.
	PromptIntervalDays int `json:"prompt_interval_days"`
}

// DefaultPasskeyOffers returns the offers of a new tenant: none.
func DefaultPasskeyOffers() PasskeyOffers {
	return PasskeyOffers{PromptIntervalDays: DefaultPromptIntervalDays}
}

// Validate checks the interval.
func (o PasskeyOffers) Validate() error {
	if o.PromptIntervalDays < MinPromptIntervalDays || o.PromptIntervalDays > MaxPromptIntervalDays {
		return &InputError{Field: "passkey_offers.prompt_interval_days",
			Problem: fmt.Sprintf("%d is not between %d and %d days", o.PromptIntervalDays, MinPromptIntervalDays, MaxPromptIntervalDays)}
	}
	return nil
}

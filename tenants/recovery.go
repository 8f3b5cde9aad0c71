package tenants

// Recovery is what the tenant decides about account recovery
// (flows/recovery): a person who lost their passkeys proves an email
// address or phone number of their account by a code, or a backup code,
// and creates a new passkey.
type Recovery struct {
	// AllowWithoutPasskey lets a recovery end in a session without a new
	// passkey (the person is signed in on the proofs alone). Default
	// false: a recovery that does not create a new passkey signs in to
	// nothing, so a code to a mailbox is never a way to sign in by itself.
	AllowWithoutPasskey bool `json:"allow_without_passkey"`
}

// Validate checks the recovery settings (every value is valid).
func (Recovery) Validate() error { return nil }

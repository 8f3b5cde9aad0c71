package signup

import (
	"context"
	"errors"
	"slices"

	"github.com/google/uuid"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/flows/passkey"
	"github.com/sesame-id/sesame/internal/audit"
)

// identify starts the passkey-first path: one identifier, then a passkey.
// The identifier must be of a kind the tenant takes at sign-up, and no other
// kind may be required (the form path takes several).
//
// With SignUp.VerifyIdentifiers an email address or phone number is proved
// first, as on the form: identify sends the code (state verify) and looks
// nothing up, so a taken address and a free one get the same answer;
// code.verify proves it and only then are the registration options issued
// (beginPasskeyFirst). A username cannot be proved, and without
// verification nothing is hidden later, so those are checked at once.
func (a *actions) identify(ctx context.Context, step *flows.Step[Context]) error {
	if !step.Tenant.Settings.Passkeys.AllowRegistration {
		return flows.ErrPasskeyRegistrationDisabled
	}
	var in struct {
		Identifier string `json:"identifier"`
	}
	if err := flows.DecodeInput(step.Input, &in); err != nil {
		return err
	}
	kind, value, ok := flows.ParseIdentifier(in.Identifier)
	if !ok {
		return flows.ErrInvalidInput.WithField("identifier", "Enter an email address, a phone number starting with +, or a username.")
	}
	su := step.Tenant.Settings.SignUp
	if !slices.Contains(su.Identifiers, kind) {
		return flows.ErrInvalidInput.WithField("identifier", "This site does not take "+kindNoun(kind)+" to create an account. Enter "+kindList(su.Identifiers)+".")
	}
	for _, r := range su.Required {
		if r != kind {
			return flows.ErrInvalidInput.WithField("identifier", "This site also needs "+kindNoun(r)+" to create an account. Use the sign-up form instead.")
		}
	}
	// Options issued for an earlier identifier are void from here.
	step.TakeCeremony()
	c := step.Context
	id := Identifier{Kind: kind, Value: value}
	c.IdentifierKind, c.Identifier = kind, value
	c.Identifiers, c.CodeID, c.Proofs = []Identifier{id}, nil, nil
	c.PasskeyFirst = true
	newHandle(c)
	if needsCode(step, id) {
		return a.sendSignUpCode(ctx, step, id)
	}
	_, err := step.Scope.Users().ByIdentifier(ctx, kind, value)
	if err == nil {
		return flows.ErrIdentifierTaken.WithField("identifier", "")
	}
	if !errors.Is(err, db.ErrNotFound) {
		return err
	}
	return a.beginPasskeyFirst(ctx, step)
}

// beginPasskeyFirst issues the registration options of the passkey that
// will create the account, once its identifier is proved (or needs no
// proof).
func (a *actions) beginPasskeyFirst(ctx context.Context, step *flows.Step[Context]) error {
	return flows.BeginPasskeyRegistration(ctx, step, a.firstRegistration(step), Passkey)
}

// firstRegistration registers the passkey that creates the account: the
// registrant is the flow's handle and identifier, and the account is
// created, with its identifier, once the passkey verified.
func (a *actions) firstRegistration(step *flows.Step[Context]) flows.PasskeyRegistration {
	c := step.Context
	return flows.PasskeyRegistration{
		Passkeys: a.Passkeys,
		Logger:   a.Logger,
		Registrant: func(context.Context) (passkey.Registrant, error) {
			return passkey.Registrant{Handle: c.Handle, Name: c.Identifier}, nil
		},
		Owner:  func(ctx context.Context) (uuid.UUID, error) { return a.createFirst(ctx, step) },
		SignUp: true,
	}
}

// passkeyFinish creates the account with its passkey and signs it in. The
// identifier is stored verified when its code was proved; one the tenant
// asks to verify and that was not proved (a flow begun before that
// setting, or before identify sent codes) creates nothing. From the
// registration on every write is one unit: any error rolls all back.
func (a *actions) passkeyFinish(ctx context.Context, step *flows.Step[Context]) error {
	if needsCode(step, firstIdentifier(step.Context)) {
		return flows.ErrActionNotAllowed
	}
	if _, err := flows.FinishPasskeyRegistration(ctx, step, a.firstRegistration(step)); err != nil {
		return err
	}
	userID := *step.Context.UserID
	s, err := flows.IssueSession(ctx, step.Scope, userID, []string{flows.AMRWebAuthn}, step.Request, step.Now)
	if err != nil {
		return err
	}
	step.Session = s
	step.Context.PasskeyCreated = true
	return a.afterPasskey(ctx, step, true)
}

// firstIdentifier is the passkey-first identifier, with whether its code
// was proved.
func firstIdentifier(c *Context) Identifier {
	id := Identifier{Kind: c.IdentifierKind, Value: c.Identifier}
	if i := slices.IndexFunc(c.Identifiers, func(x Identifier) bool { return x.Kind == id.Kind && x.Value == id.Value }); i >= 0 {
		id = c.Identifiers[i]
	}
	return id
}

// createFirst creates the passkey-first account with its identifier,
// verified when its code was proved, once the passkey verified.
func (a *actions) createFirst(ctx context.Context, step *flows.Step[Context]) (uuid.UUID, error) {
	id := firstIdentifier(step.Context)
	now := step.Now.UTC()
	user := &db.User{ID: uuid.Must(uuid.NewV7()), WebAuthnHandle: step.Context.Handle, DisplayName: step.Context.Identifier, Locale: step.Request.Lang}
	ident := &db.Identifier{Kind: id.Kind, Value: id.Value}
	if id.Verified {
		ident.VerifiedAt = &now
	}
	if err := step.Scope.Users().Create(ctx, user, ident); err != nil {
		if errors.Is(err, db.ErrDuplicate) {
			return uuid.Nil, flows.ErrIdentifierTaken
		}
		return uuid.Nil, err
	}
	step.Context.UserID = &user.ID
	step.Record(audit.Event{Type: audit.SignedUp, User: &user.ID})
	return user.ID, nil
}

// kindNoun names an identifier kind in a sentence.
func kindNoun(kind string) string {
	switch kind {
	case db.IdentifierEmail:
		return "an email address"
	case db.IdentifierPhone:
		return "a phone number"
	}
	return "a username"
}

// kindList names identifier kinds in a sentence: "an email address or a
// username".
func kindList(kinds []string) string {
	out := ""
	for i, k := range kinds {
		switch {
		case i == 0:
		case i == len(kinds)-1:
			out += " or "
		default:
			out += ", "
		}
		out += kindNoun(k)
	}
	return out
}

package signup

import (
	"context"
	"errors"
	"slices"

	"github.com/google/uuid"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/internal/audit"
)

// formInput is sign_up's input: one field per identifier kind.
type formInput struct {
	Email    string `json:"email"`
	Phone    string `json:"phone"`
	Username string `json:"username"`
}

// fieldProblem is what a field says when its value is not of its kind.
var fieldProblem = map[string]string{
	db.IdentifierEmail:    "Enter an email address such as name@example.com.",
	db.IdentifierPhone:    "Enter a phone number in international form: + and the country code, then the number, such as +44 20 7946 0958.",
	db.IdentifierUsername: "Enter a username of 3 to 64 letters, digits, dots, dashes or underscores.",
}

// signUp takes the form's identifiers and starts proving them.
func (a *actions) signUp(ctx context.Context, step *flows.Step[Context]) error {
	var in formInput
	if err := flows.DecodeInput(step.Input, &in); err != nil {
		return err
	}
	if err := canEnrol(step.Tenant); err != nil {
		return err
	}
	su := step.Tenant.Settings.SignUp
	given := []struct{ kind, raw string }{
		{db.IdentifierEmail, in.Email}, {db.IdentifierPhone, in.Phone}, {db.IdentifierUsername, in.Username},
	}
	var ids []Identifier
	for _, g := range given {
		if g.raw == "" {
			if slices.Contains(su.Required, g.kind) {
				return flows.ErrInvalidInput.WithField(g.kind, "Enter "+kindNoun(g.kind)+": it is needed to create an account here.")
			}
			continue
		}
		if !slices.Contains(su.Identifiers, g.kind) {
			return flows.ErrInvalidInput.WithField(g.kind, "This site does not take "+kindNoun(g.kind)+" at sign-up. Leave it out.")
		}
		kind, value, ok := flows.ParseIdentifier(g.raw)
		if !ok || kind != g.kind {
			return flows.ErrInvalidInput.WithField(g.kind, fieldProblem[g.kind])
		}
		ids = append(ids, Identifier{Kind: kind, Value: value})
	}
	if len(ids) == 0 {
		return flows.ErrInvalidInput.WithField("", "Enter "+kindList(su.Identifiers)+" to create an account.")
	}
	// Identifiers that will not be proved by a code are checked now: a
	// username must be free to be chosen, and without verification there
	// is no later point that would hide anything.
	for _, id := range ids {
		if needsCode(step, id) {
			continue
		}
		_, err := step.Scope.Users().ByIdentifier(ctx, id.Kind, id.Value)
		if err == nil {
			return flows.ErrIdentifierTaken.WithField(id.Kind, takenMessage(id.Kind))
		}
		if !errors.Is(err, db.ErrNotFound) {
			return err
		}
	}
	c := step.Context
	c.Identifiers, c.CodeID, c.Proofs = ids, nil, nil
	c.PasskeyFirst = false
	c.IdentifierKind, c.Identifier = ids[0].Kind, ids[0].Value
	newHandle(c)
	return a.advance(ctx, step)
}

// needsCode reports whether id is proved by a code before the account
// exists.
func needsCode(step *flows.Step[Context], id Identifier) bool {
	return step.Tenant.Settings.SignUp.VerifyIdentifiers && !id.Verified &&
		(id.Kind == db.IdentifierEmail || id.Kind == db.IdentifierPhone)
}

func takenMessage(kind string) string {
	switch kind {
	case db.IdentifierEmail:
		return "An account with this email address already exists. Sign in instead, or use another address."
	case db.IdentifierPhone:
		return "An account with this phone number already exists. Sign in instead, or use another number."
	}
	return "This username is taken. Choose another one."
}

// pending returns the index of the next identifier to prove, or -1.
func pending(step *flows.Step[Context]) int {
	return slices.IndexFunc(step.Context.Identifiers, func(id Identifier) bool { return needsCode(step, id) })
}

// channel is the code channel of an identifier kind.
func channel(kind string) string {
	if kind == db.IdentifierPhone {
		return db.ChannelSMS
	}
	return db.ChannelEmail
}

// advance goes on from the form: a code to the next identifier to prove,
// else the password, else the account.
func (a *actions) advance(ctx context.Context, step *flows.Step[Context]) error {
	if i := pending(step); i >= 0 {
		return a.sendSignUpCode(ctx, step, step.Context.Identifiers[i])
	}
	if step.Context.PasskeyFirst {
		return a.beginPasskeyFirst(ctx, step)
	}
	if step.Tenant.Settings.SignUp.Password {
		p := step.Tenant.Settings.Password
		step.Next = Password
		step.Output = PasswordNeeded{MinLength: p.MinLength, MaxLength: p.MaxLength}
		return nil
	}
	return a.createAccount(ctx, step, "")
}

// PasswordNeeded is the output that leads to the password step.
type PasswordNeeded struct {
	MinLength int `json:"min_length"`
	MaxLength int `json:"max_length"`
}

func (a *actions) sendSignUpCode(ctx context.Context, step *flows.Step[Context], id Identifier) error {
	ch := channel(id.Kind)
	code, err := a.SendCode(ctx, step.Tx, step.Tenant, step.Request, step.Now, flows.CodeToSend{
		FlowID: step.Flow.ID, Purpose: codePurposeSignUp, Channel: ch, Recipient: id.Value,
	})
	if err != nil {
		return err
	}
	codeID := code.ID
	step.Context.CodeID = &codeID
	step.Next = Verify
	step.Output = CodeSent{Kind: id.Kind, Channel: ch, SentTo: id.Value}
	return nil
}

// codeSend sends a new code to the identifier being proved.
func (a *actions) codeSend(ctx context.Context, step *flows.Step[Context]) error {
	if err := flows.DecodeInput(step.Input, &struct{}{}); err != nil {
		return err
	}
	i := pending(step)
	if i < 0 {
		return flows.ErrActionNotAllowed
	}
	return a.sendSignUpCode(ctx, step, step.Context.Identifiers[i])
}

// codeVerify proves the identifier being proved, then goes on. Only now is
// it looked up: a taken address is reported to whoever proved they hold it,
// and one stored unverified is released to them (flows.ProvedIdentifier).
func (a *actions) codeVerify(ctx context.Context, step *flows.Step[Context]) error {
	var in struct {
		Code string `json:"code"`
	}
	if err := flows.DecodeInput(step.Input, &in); err != nil {
		return err
	}
	c := step.Context
	i := pending(step)
	if i < 0 || c.CodeID == nil {
		return flows.ErrActionNotAllowed
	}
	id := c.Identifiers[i]
	_, err := flows.CheckCode(ctx, step.Scope, *c.CodeID, in.Code, step.Now, flows.CodeToSend{
		FlowID: step.Flow.ID, Purpose: codePurposeSignUp, Channel: channel(id.Kind), Recipient: id.Value,
	})
	if err != nil {
		return err
	}
	c.CodeID = nil
	// A claim on the address by an account that never proved it gives way.
	_, _, err = flows.ProvedIdentifier(ctx, step.Scope, id.Kind, id.Value)
	if err == nil {
		// The code is used up; the person goes back to the form.
		return flows.Fail(flows.ErrIdentifierTaken.WithField(id.Kind, takenMessage(id.Kind)))
	}
	if !errors.Is(err, db.ErrNotFound) {
		return err
	}
	c.Identifiers[i].Verified = true
	amr := flows.AMROTP
	if id.Kind == db.IdentifierPhone {
		amr = flows.AMRSMS
	}
	if !slices.Contains(c.Proofs, amr) {
		c.Proofs = append(c.Proofs, amr)
	}
	return a.advance(ctx, step)
}

// createAccount creates the user with the form's identifiers (proved ones
// marked verified) and passwordHash, issues the session unless the policy
// demands a factor first (see enrol), and leads on. Its writes are one
// unit: an error rolls them all back, so it never returns a flows.Fail.
func (a *actions) createAccount(ctx context.Context, step *flows.Step[Context], passwordHash string) error {
	if err := canEnrol(step.Tenant); err != nil {
		return err
	}
	c := step.Context
	now := step.Now.UTC()
	u := &db.User{ID: uuid.Must(uuid.NewV7()), WebAuthnHandle: c.Handle, DisplayName: c.Identifier, PasswordHash: passwordHash, Locale: step.Request.Lang, CreatedAt: now}
	ids := make([]*db.Identifier, 0, len(c.Identifiers))
	for _, id := range c.Identifiers {
		row := &db.Identifier{Kind: id.Kind, Value: id.Value, CreatedAt: now}
		if id.Verified {
			row.VerifiedAt = &now
		}
		ids = append(ids, row)
	}
	if err := step.Scope.Users().Create(ctx, u, ids...); err != nil {
		if errors.Is(err, db.ErrDuplicate) {
			return flows.ErrIdentifierTaken
		}
		return err
	}
	step.Record(audit.Event{Type: audit.SignedUp, User: &u.ID})
	amr := slices.Clone(c.Proofs)
	if passwordHash != "" {
		amr = append(amr, flows.AMRPassword)
	}
	c.UserID = &u.ID
	c.CodeID = nil
	if err := a.enrol(ctx, step, amr); err != nil {
		return err
	}
	// Where a passkey is the only factor the mandatory policy can have
	// bound, the prompt is the binding, whatever SignUp.PasskeyPrompt says.
	prompt := step.Tenant.Settings.SignUp.PasskeyPrompt || passkeyIsTheBinding(step.Tenant)
	if prompt && step.Tenant.Settings.Passkeys.AllowRegistration {
		step.Next = PasskeyPrompt
		step.Output = Finished{UserID: u.ID, PasskeyPrompt: true}
		return nil
	}
	return a.afterPasskey(ctx, step, false)
}

package recovery

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/internal/errcode"
	"github.com/sesame-id/sesame/jobs"
)

// Administrators' recovery links: a one-time link, made for one user,
// that opens the recovery flow at the new passkey. The administrator
// vouches for the person they hand it to, so the link stands for every
// proof; it works once (db.RecoveryLinkStore.Use: one statement, of any
// number of redemptions one wins) and for LinkTTL. Only the token's hash
// is stored; the token travels in the link's fragment, which browsers
// never send to a server, and the page posts it once (the link action).
const (
	// LinkTTL is how long a recovery link works (the same for a link
	// the job emails).
	LinkTTL = jobs.RecoveryLinkTTL
	// LinkPath is the page a link opens on the tenant's host; the token
	// follows as "#link=TOKEN".
	LinkPath = "/recover"
)

// ErrLinkInvalid refuses a used, expired or unknown recovery link.
var ErrLinkInvalid = errcode.ErrRecoveryLinkInvalid

// CreateLink makes a recovery link token for user, made by the
// administrator by (nil for an API key), and returns the token and when it
// expires. A user not in the scope's tenant is db.ErrNotFound.
func CreateLink(ctx context.Context, scope db.Scope, userID uuid.UUID, by *uuid.UUID, now time.Time) (string, time.Time, error) {
	token, hash := flows.NewToken()
	expires := now.Add(LinkTTL).UTC()
	err := scope.RecoveryLinks().Create(ctx, &db.RecoveryLink{UserID: userID, TokenHash: hash, CreatedBy: by, CreatedAt: now.UTC(), ExpiresAt: expires})
	if err != nil {
		return "", time.Time{}, err
	}
	return token, expires, nil
}

// ErrNoEmail refuses to email a link to a user without a verified email
// address.
var ErrNoEmail = errcode.ErrRecoveryNoEmail

// EmailLink asks for a recovery link for user to be made and emailed to
// their verified email addresses (jobs.RecoveryLinkArgs, inserted in tx),
// by the administrator by (nil for an API key), opening the page at page
// (the tenant host's LinkPath), in lang ("" for the tenant's default). It
// returns the addresses; a user without one is ErrNoEmail, an unknown user
// db.ErrNotFound. The link itself is made by the job and is only in the
// email.
func EmailLink(ctx context.Context, tx *db.Tx, jobInserter flows.JobInserter, tenantID, userID uuid.UUID, by *uuid.UUID, page, lang string) ([]string, error) {
	users := tx.ForTenant(tenantID).Users()
	if _, err := users.ByID(ctx, userID); err != nil {
		return nil, err
	}
	ids, err := users.Identifiers(ctx, userID)
	if err != nil {
		return nil, err
	}
	var to []string
	for _, id := range ids {
		if id.Kind == db.IdentifierEmail && id.VerifiedAt != nil {
			to = append(to, id.Value)
		}
	}
	if len(to) == 0 {
		return nil, ErrNoEmail
	}
	if jobInserter == nil {
		return nil, errors.New("email a recovery link: no job inserter configured")
	}
	args := jobs.RecoveryLinkArgs{TenantID: tenantID, UserID: userID, CreatedBy: by, Link: page, Lang: lang}
	if _, err := jobInserter.InsertTx(ctx, tx.SQL(), args, nil); err != nil {
		return nil, err
	}
	return to, nil
}

// link spends a recovery link ({"token"}) and leads to the new passkey for
// its user.
func (a *actions) link(ctx context.Context, step *flows.Step[Context]) error {
	var in struct {
		Token string `json:"token"`
	}
	if err := flows.DecodeInput(step.Input, &in); err != nil {
		return err
	}
	if in.Token == "" {
		return ErrLinkInvalid
	}
	userID, err := step.Scope.RecoveryLinks().Use(ctx, flows.HashToken(in.Token), step.Now)
	if errors.Is(err, db.ErrNotFound) {
		a.audit(ctx, step, ActionLink, nil, ErrLinkInvalid.Code)
		return ErrLinkInvalid
	}
	if err != nil {
		return err
	}
	*step.Context = Context{UserID: &userID, Proofs: []string{AMRRecoveryLink}}
	user, err := a.user(ctx, step)
	if err != nil {
		return err
	}
	a.audit(ctx, step, ActionLink, &user.ID, "link_used")
	return a.toPasskey(step)
}

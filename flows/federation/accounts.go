package federation

import (
	"context"
	"crypto/rand"
	"errors"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/internal/text"
	"github.com/sesame-id/sesame/tenants"
)

// AMR is the amr value of a sign-in through a connector ("fed", RFC 8176).
const AMR = flows.AMRFederated

// Resolved is what a verified upstream identity signs in to.
type Resolved struct {
	// User is the account to sign in to; nil when LinkTo is set.
	User *db.User
	// Created says the account was provisioned now (just in time).
	Created bool
	// LinkTo is an existing account that holds the upstream's verified
	// address: the person must sign in to it before the upstream
	// identity is linked (Link), never at once.
	LinkTo *db.User
	// Email is the verified address, "" when the upstream gave none the
	// connector trusts.
	Email string
}

// Resolve finds or makes the account id signs in to through c, in the
// step's transaction: the account already linked to the subject; else,
// when the upstream's address is verified (and the connector trusts
// that), an existing account holding it verified is only named (LinkTo),
// one holding it unverified loses that claim (it was never proved, so it
// proves nothing: account pre-hijacking); else a new account, with the
// verified address only, linked to the subject, whose language is lang
// (the page's; "" for none).
func Resolve(ctx context.Context, scope db.Scope, t *tenants.Tenant, c *Connector, id *Identity, lang string, now time.Time) (*Resolved, error) {
	fi, err := scope.FederatedIdentities().BySubject(ctx, c.ID, id.Subject)
	switch {
	case err == nil:
		u, err := scope.Users().ByID(ctx, fi.UserID)
		if err != nil {
			return nil, err
		}
		if err := scope.FederatedIdentities().Touch(ctx, fi.ID, now); err != nil {
			return nil, err
		}
		return &Resolved{User: u}, nil
	case !errors.Is(err, db.ErrNotFound):
		return nil, err
	}
	out := &Resolved{}
	if id.EmailVerified && c.Settings.TrustEmailVerified && id.Email != "" {
		if _, _, ok := flows.ParseIdentifier(id.Email); ok {
			out.Email = id.Email
		}
	}
	if out.Email != "" {
		held, err := scope.Users().Identifier(ctx, db.IdentifierEmail, out.Email)
		switch {
		case err == nil && held.VerifiedAt != nil:
			u, err := scope.Users().ByID(ctx, held.UserID)
			if err != nil {
				return nil, err
			}
			out.LinkTo = u
			return out, nil
		case err == nil:
			if _, err := scope.Users().ReleaseUnverifiedIdentifier(ctx, db.IdentifierEmail, out.Email); err != nil {
				return nil, err
			}
		case !errors.Is(err, db.ErrNotFound):
			return nil, err
		}
	}
	if c.Kind == KindSocial && !t.SignUpOpen() {
		return nil, flows.ErrSignUpClosed
	}
	u, err := provision(ctx, scope, c, id, out.Email, lang, now)
	if err != nil {
		return nil, err
	}
	out.User, out.Created = u, true
	return out, nil
}

// provision creates the account of a first sign-in through c, with the
// verified address (if any) and the link, in the step's transaction. An
// enterprise connector's users are SSO users: they sign in through it.
func provision(ctx context.Context, scope db.Scope, c *Connector, id *Identity, email, lang string, now time.Time) (*db.User, error) {
	handle := make([]byte, 32)
	_, _ = rand.Read(handle)
	name, err := text.Line(id.Name, 128)
	if err != nil || name == "" {
		name = email
	}
	if name == "" {
		name = c.Name
	}
	at := now.UTC()
	u := &db.User{ID: uuid.Must(uuid.NewV7()), WebAuthnHandle: handle, DisplayName: name, SSO: c.Kind == KindEnterprise, Locale: lang, CreatedAt: at}
	var ids []*db.Identifier
	if email != "" {
		ids = append(ids, &db.Identifier{Kind: db.IdentifierEmail, Value: email, VerifiedAt: &at, CreatedAt: at})
	}
	if err := scope.Users().Create(ctx, u, ids...); err != nil {
		if errors.Is(err, db.ErrDuplicate) {
			return nil, flows.ErrIdentifierTaken
		}
		return nil, err
	}
	if err := Link(ctx, scope, u.ID, c.ID, id.Subject, email, now); err != nil {
		return nil, err
	}
	return u, nil
}

// Link links connector's subject to userID; a subject linked already
// (to anyone) is refused with ErrFederationLinked.
func Link(ctx context.Context, scope db.Scope, userID, connector uuid.UUID, subject, email string, now time.Time) error {
	err := scope.FederatedIdentities().Link(ctx, &db.FederatedIdentity{UserID: userID, ConnectorID: connector, Subject: subject, Email: email}, now)
	if errors.Is(err, db.ErrDuplicate) {
		return ErrLinked
	}
	return err
}

// TrustsUpstreamMFA reports whether c takes the upstream's word that it
// asked for more than one factor (its amr says mfa, or names two
// methods), so the tenant's second factor is not asked again.
func TrustsUpstreamMFA(c *Connector, amr []string) bool {
	if !c.Settings.TrustUpstreamAMR {
		return false
	}
	if slices.Contains(amr, "mfa") {
		return true
	}
	methods := 0
	for _, m := range amr {
		if m != AMR {
			methods++
		}
	}
	return methods >= 2
}

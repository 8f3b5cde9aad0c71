package flows

import (
	"context"
	"fmt"

	"github.com/sesame-id/sesame/db"
)

// ProvedIdentifier settles who holds an email address or phone number that
// the person at hand has just proved by a code, and returns that user, or
// db.ErrNotFound when no account holds it.
//
// A proof beats a claim: an identifier stored unverified (an account made
// where the tenant did not verify identifiers, or before it did) was never
// shown to belong to whoever created that account, so it names no one. It
// is released (deleted from that account, which keeps its other
// identifiers and credentials) and the address is free for the person who
// proved it. Only a verified identifier names its holder. released says
// whether a claim was released, for the audit log.
//
// Every action that acts on a proved code calls this instead of looking the
// identifier up: sign-up (the address is free once released) and sign-in
// by a code (a released claim leads to no account, so the code signs in to
// nothing, as for an unknown address).
func ProvedIdentifier(ctx context.Context, scope db.Scope, kind, value string) (user *db.User, released bool, err error) {
	id, err := scope.Users().Identifier(ctx, kind, value)
	if err != nil {
		return nil, false, err
	}
	if id.VerifiedAt == nil {
		released, err = scope.Users().ReleaseUnverifiedIdentifier(ctx, kind, value)
		if err != nil {
			return nil, false, err
		}
		if released {
			return nil, true, fmt.Errorf("%s claimed unproved, now released: %w", kind, db.ErrNotFound)
		}
		// Verified in the meantime: read it again below.
		if id, err = scope.Users().Identifier(ctx, kind, value); err != nil {
			return nil, false, err
		}
	}
	user, err = scope.Users().ByID(ctx, id.UserID)
	return user, false, err
}

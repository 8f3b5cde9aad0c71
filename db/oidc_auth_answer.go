package db

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
)

// Answer records c on the tenant's request id and returns the request as
// stored, in one statement, if the request is bound to the browser whose
// binding cookie hashes to bindingHash, has no code yet, is not used and
// is not expired at now; otherwise it changes nothing and returns
// ErrNotFound. It is Get and Complete in one round trip, for a caller
// (the hosted sign-in's finish) that can check what remains of the
// request only once it has it: a caller whose check then fails calls
// Unanswer in the same transaction.
func (rs OIDCAuthRequestStore) Answer(ctx context.Context, id uuid.UUID, bindingHash []byte, c Completion, now time.Time) (*OIDCAuthRequest, error) {
	if err := rs.s.check(); err != nil {
		return nil, err
	}
	r := new(OIDCAuthRequest)
	authTime, codeExpires, at := c.AuthTime.UTC(), c.CodeExpiresAt.UTC(), now.UTC()
	var err error
	if hot := rs.s.hot; hot != nil {
		err = rs.s.hotQuery(ctx, hot.oidc.answerAuthRequest, scanAuthRequest(r), c.UserID, c.SessionID, c.AMR, authTime,
			c.CodeHash, codeExpires, rs.s.tenant, id, bindingHash, at)
	} else {
		err = rs.s.idb.NewUpdate().Model(r).
			Set("user_id = ?", c.UserID).
			Set("session_id = ?", c.SessionID).
			Set("amr = ?", c.AMR).
			Set("auth_time = ?", authTime).
			Set("code_hash = ?", c.CodeHash).
			Set("expires_at = ?", codeExpires).
			Where("tenant_id = ?", rs.s.tenant).
			Where("id = ?", id).
			Where("binding_hash = ?", bindingHash).
			Where("code_hash IS NULL").
			Where("code_used_at IS NULL").
			Where("expires_at > ?", at).
			Returning("*").
			Scan(ctx)
	}
	if err != nil {
		return nil, notFound(err, "authorization request %s awaiting a code", id)
	}
	return r, nil
}

// Unanswer takes back what Answer recorded on r, whose expiry before the
// answer was expiresAt: the request is again unanswered (no user, session,
// amr, auth time or code) and expires at expiresAt. It changes nothing
// once the code is used, and returns ErrNotFound then.
func (rs OIDCAuthRequestStore) Unanswer(ctx context.Context, r *OIDCAuthRequest, expiresAt time.Time) error {
	if err := rs.s.check(); err != nil {
		return err
	}
	res, err := rs.s.idb.NewUpdate().Model((*OIDCAuthRequest)(nil)).
		Set("user_id = NULL").
		Set("session_id = NULL").
		Set("amr = ''").
		Set("auth_time = NULL").
		Set("code_hash = NULL").
		Set("expires_at = ?", expiresAt.UTC()).
		Where("tenant_id = ?", rs.s.tenant).
		Where("id = ?", r.ID).
		Where("code_hash = ?", r.CodeHash).
		Where("code_used_at IS NULL").
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("unanswer authorization request %s: %w", r.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("authorization request %s with its code: %w", r.ID, ErrNotFound)
	}
	return nil
}

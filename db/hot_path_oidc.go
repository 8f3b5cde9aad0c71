package db

import (
	"strings"

	"github.com/uptrace/bun"
)

// The provider's statements on an application's sign-in (store the
// authorization request, answer it in the passkey finish, use its code,
// store the access token, read the user for the ID token) are hot
// statements too on PostgreSQL (hot_path.go): prepared once per
// connection, scanned without reflection. Their bun forms stay for SQLite
// and are the reference oidc_auth_answer_test.go and the stores' tests hold
// them to.
type oidcHotStmts struct {
	createAuthRequest, answerAuthRequest, createToken, userByID hotStmt
	// useCodeWithUser uses a code and reads the request's user: the
	// update is a data-modifying CTE, run to completion whether or not the
	// outer select finds the user. An answered request always has its
	// user (its user_id is set with its code, and the user's deletion
	// deletes it).
	useCodeWithUser hotStmt
}

const (
	authRequestColumns = "id, tenant_id, client_id, request, binding_hash, user_id, session_id, amr, auth_time, code_hash, " +
		"code_used_at, created_at, expires_at"
	tokenColumns = "id, tenant_id, client_id, user_id, subject, auth_request_id, scopes, amr, auth_time, created_at, " +
		"expires_at, session_id"
)

func newOIDCHotStmts(b *bun.DB) oidcHotStmts {
	return oidcHotStmts{
		// The request's own transaction commits without waiting for the
		// disk (OIDCAuthRequestStore.Create): the amr column reads the CTE
		// that sets it, so that the CTE runs.
		createAuthRequest: newHotStmt("WITH async_commit AS (SELECT set_config('synchronous_commit', 'off', true) AS off)"+
			" INSERT INTO oidc_auth_requests ("+authRequestColumns+") VALUES (?, ?, ?, ?, ?, ?, ?,"+
			" (SELECT ?::text FROM async_commit WHERE off = 'off'), ?, ?, ?, ?, ?)",
			b.NewInsert().Model((*OIDCAuthRequest)(nil))),
		answerAuthRequest: newHotStmt("UPDATE oidc_auth_requests SET user_id = ?, session_id = ?, amr = ?, auth_time = ?,"+
			" code_hash = ?, expires_at = ? WHERE tenant_id = ? AND id = ? AND binding_hash = ? AND code_hash IS NULL"+
			" AND code_used_at IS NULL AND expires_at > ? RETURNING "+authRequestColumns,
			b.NewUpdate().Model((*OIDCAuthRequest)(nil))),
		useCodeWithUser: newHotStmt("WITH ar AS (UPDATE oidc_auth_requests SET code_used_at = ?, expires_at = ? WHERE tenant_id = ?"+
			" AND code_hash = ? AND code_used_at IS NULL AND expires_at > ? RETURNING "+authRequestColumns+")"+
			" SELECT "+prefixed("ar.", authRequestColumns)+", "+userColumns+
			" FROM ar JOIN users AS u ON u.tenant_id = ar.tenant_id AND u.id = ar.user_id",
			b.NewUpdate().Model((*OIDCAuthRequest)(nil))),
		createToken: newHotStmt("INSERT INTO oidc_tokens ("+tokenColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			b.NewInsert().Model((*OIDCToken)(nil))),
		userByID: newHotStmt("SELECT "+userColumns+" FROM users AS u WHERE u.tenant_id = ? AND u.id = ?",
			b.NewSelect().Model((*User)(nil))),
	}
}

func authRequestArgs(r *OIDCAuthRequest) []any {
	return []any{r.ID, r.TenantID, r.ClientID, r.Request, r.BindingHash, r.UserID, r.SessionID, r.AMR, r.AuthTime,
		r.CodeHash, r.CodeUsedAt, r.CreatedAt, r.ExpiresAt}
}

func scanAuthRequest(r *OIDCAuthRequest) func(rowScanner) error {
	return func(rows rowScanner) error {
		return rows.Scan(&r.ID, &r.TenantID, &r.ClientID, &r.Request, &r.BindingHash, &r.UserID, &r.SessionID, &r.AMR,
			&r.AuthTime, &r.CodeHash, &r.CodeUsedAt, &r.CreatedAt, &r.ExpiresAt)
	}
}

// scanAuthRequestWithUser scans useCodeWithUser's row into r and its User.
func scanAuthRequestWithUser(r *OIDCAuthRequest) func(rowScanner) error {
	return func(rows rowScanner) error {
		u := new(User)
		err := rows.Scan(&r.ID, &r.TenantID, &r.ClientID, &r.Request, &r.BindingHash, &r.UserID, &r.SessionID, &r.AMR,
			&r.AuthTime, &r.CodeHash, &r.CodeUsedAt, &r.CreatedAt, &r.ExpiresAt,
			&u.ID, &u.TenantID, &u.WebAuthnHandle, &u.DisplayName, &u.SSO, &u.PasswordHash, &u.MFAEnabled,
			&u.DisabledAt, &u.DeleteAfter, &u.CreatedAt, &u.UpdatedAt, &u.Locale)
		r.User = u
		return err
	}
}

// prefixed is the comma-separated columns, each prefixed with p.
func prefixed(p, columns string) string {
	return p + strings.ReplaceAll(columns, ", ", ", "+p)
}

func tokenArgs(t *OIDCToken) []any {
	return []any{t.ID, t.TenantID, t.ClientID, t.UserID, t.Subject, t.AuthRequestID, t.Scopes, t.AMR, t.AuthTime,
		t.CreatedAt, t.ExpiresAt, t.SessionID}
}

func scanUser(u *User) func(rowScanner) error {
	return func(r rowScanner) error {
		return r.Scan(&u.ID, &u.TenantID, &u.WebAuthnHandle, &u.DisplayName, &u.SSO, &u.PasswordHash, &u.MFAEnabled,
			&u.DisabledAt, &u.DeleteAfter, &u.CreatedAt, &u.UpdatedAt, &u.Locale)
	}
}

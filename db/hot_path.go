package db

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/uptrace/bun"
)

// The passkey sign-in's statements (store a flow with its ceremony, take
// it back, read the credential with its user, record the sign-in, create
// the session) run on every sign-in. On PostgreSQL they are sent as
// parameterized statements through pgx's per-connection statement cache
// (pgx.QueryExecModeCacheStatement), so PostgreSQL parses and plans each
// once per connection instead of once per request, and their rows are
// scanned into the models by hand, without bun's reflection. Everywhere
// else, and on SQLite (where a statement costs no round trip and no
// planning worth saving), the stores use bun as usual. The statements are
// the same ones bun would render; hot_path_test.go holds both paths to the
// same rows.
//
// A hot statement passes the same query hooks as bun's (the statement
// counter, the traces' statement spans), with the operation and table of
// the bun query it stands for.

// hooks is the query hooks every statement passes, bun's and the hot
// path's: DB.AddQueryHook adds to both.
type hooks struct {
	mu   sync.RWMutex
	list []bun.QueryHook
}

func (h *hooks) add(hook bun.QueryHook) {
	h.mu.Lock()
	h.list = append(h.list, hook)
	h.mu.Unlock()
}

func (h *hooks) all() []bun.QueryHook {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return h.list
}

// hotStmt is one hot statement: its PostgreSQL text with $n parameters,
// and the bun query whose operation and table the hooks see.
type hotStmt struct {
	text string
	iq   bun.Query
}

// newHotStmt numbers the ? placeholders of q as PostgreSQL's $1, $2, ...
// (q has no ? in a literal).
func newHotStmt(q string, iq bun.Query) hotStmt {
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteRune(r)
	}
	return hotStmt{text: b.String(), iq: iq}
}

// hotStmts are a PostgreSQL database's hot statements.
type hotStmts struct {
	createFlow, takeFlow, credentialForSignIn, recordSignIn, createSession hotStmt
	// createFlowAsync is createFlow committing without waiting for the
	// disk, for a flow stored outside a transaction (FlowStore.Create).
	createFlowAsync hotStmt
	// createSessionWithAudit inserts a session and one audit event in one
	// statement: the session's insert is a data-modifying CTE, which
	// PostgreSQL runs to completion whether or not the outer insert reads
	// it, atomically with the outer insert.
	createSessionWithAudit hotStmt
	// oidc is the provider's: an application's sign-in (hot_path_oidc.go).
	oidc oidcHotStmts
}

const (
	// unreachableColumn is true when the credential's user (c.user_id) has
	// no verified email address or phone (User.Unreachable).
	unreachableColumn = "NOT EXISTS (SELECT 1 FROM identifiers AS i WHERE i.tenant_id = c.tenant_id" +
		" AND i.user_id = c.user_id AND i.kind IN ('email', 'phone') AND i.verified_at IS NOT NULL)"
	flowColumns       = "id, tenant_id, kind, state, version, context, created_at, updated_at, expires_at, token_hash, ceremony, ceremony_expires_at"
	credentialColumns = "c.id, c.tenant_id, c.user_id, c.rp_id, c.credential_id, c.public_key, c.algorithm, c.attestation_type, " +
		"c.attestation_format, c.aaguid, c.sign_count, c.clone_warning, c.transports, c.attachment, c.user_present, " +
		"c.user_verified, c.backup_eligible, c.backup_state, c.name, c.created_at, c.last_used_at"
	userColumns = "u.id, u.tenant_id, u.webauthn_handle, u.display_name, u.sso, u.password_hash, u.mfa_enabled, " +
		"u.disabled_at, u.delete_after, u.created_at, u.updated_at, u.locale"
	sessionColumns = "id, tenant_id, user_id, token_hash, amr, user_agent, ip, created_at, verified_at, expires_at"
)

// The text, with ? placeholders, of the sign-in's statements that both
// databases run prepared (on SQLite: hot_lite.go).
var (
	sqlCreateFlow = "INSERT INTO flows (" + flowColumns + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
	sqlTakeFlow   = "DELETE FROM flows WHERE tenant_id = ? AND token_hash = ? AND ceremony IS NOT NULL" +
		" AND ceremony_expires_at > ? AND expires_at > ? RETURNING " + flowColumns
	sqlCredentialForSignIn = "SELECT " + credentialColumns + ", " + userColumns + ", " + unreachableColumn +
		" FROM webauthn_credentials AS c JOIN users AS u ON u.id = c.user_id" +
		" WHERE c.tenant_id = ? AND c.rp_id = ? AND c.credential_id = ?"
	sqlRecordSignIn = "UPDATE webauthn_credentials SET sign_count = ?, clone_warning = ?, backup_state = ?," +
		" user_verified = ?, last_used_at = ? WHERE tenant_id = ? AND id = ?"
	sqlCreateSession = "INSERT INTO sessions (" + sessionColumns + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)

func newHotStmts(b *bun.DB) *hotStmts {
	return &hotStmts{
		createFlow: newHotStmt(sqlCreateFlow, b.NewInsert().Model((*Flow)(nil))),
		createFlowAsync: newHotStmt("WITH async_commit AS (SELECT set_config('synchronous_commit', 'off', true) AS off)"+
			" INSERT INTO flows ("+flowColumns+") VALUES (?, ?, (SELECT ?::text FROM async_commit WHERE off = 'off'),"+
			" ?, ?, ?, ?, ?, ?, ?, ?, ?)", b.NewInsert().Model((*Flow)(nil))),
		takeFlow:            newHotStmt(sqlTakeFlow, b.NewDelete().Model((*Flow)(nil))),
		credentialForSignIn: newHotStmt(sqlCredentialForSignIn, b.NewSelect().Model((*Credential)(nil))),
		recordSignIn:        newHotStmt(sqlRecordSignIn, b.NewUpdate().Model((*Credential)(nil))),
		createSession:       newHotStmt(sqlCreateSession, b.NewInsert().Model((*Session)(nil))),
		createSessionWithAudit: newHotStmt("WITH s AS (INSERT INTO sessions ("+sessionColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?))"+
			" INSERT INTO audit_events ("+auditColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			b.NewInsert().Model((*Session)(nil))),
		oidc: newOIDCHotStmts(b),
	}
}

// hotQuery runs a hot statement that returns rows; scan reads the one
// row. No row is sql.ErrNoRows.
func (s Scope) hotQuery(ctx context.Context, st hotStmt, scan func(rowScanner) error, args ...any) error {
	ctx, ev := s.beforeHot(ctx, st, args)
	err := s.runHotQuery(ctx, st, scan, args)
	s.afterHot(ctx, ev, nil, err)
	return err
}

// rowScanner is a row of *sql.Rows or of pgx.Rows.
type rowScanner interface{ Scan(dest ...any) error }

func (s Scope) runHotQuery(ctx context.Context, st hotStmt, scan func(rowScanner) error, args []any) error {
	if s.tx != nil && s.tx.conn != nil {
		rows, err := s.tx.conn.Query(ctx, st.text, pgArgs(args)...)
		if err != nil {
			return err
		}
		return scanFirst(rows, func() error { rows.Close(); return nil }, scan)
	}
	rows, err := s.hotConn().QueryContext(ctx, st.text, pgArgs(args)...)
	if err != nil {
		return err
	}
	return scanFirst(rows, rows.Close, scan)
}

// scanFirst reads the first row of rows (*sql.Rows or pgx.Rows) with
// scan, and closes them with close; no row is sql.ErrNoRows.
func scanFirst(rows interface {
	rowScanner
	Next() bool
	Err() error
}, close func() error, scan func(rowScanner) error) error {
	defer func() { _ = close() }() // on the early returns; closed below otherwise
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return err
		}
		return sql.ErrNoRows
	}
	if err := scan(rows); err != nil {
		return err
	}
	if err := close(); err != nil {
		return err
	}
	return rows.Err()
}

// hotExec runs a hot statement that returns no rows.
func (s Scope) hotExec(ctx context.Context, st hotStmt, args ...any) (sql.Result, error) {
	ctx, ev := s.beforeHot(ctx, st, args)
	var res sql.Result
	var err error
	if s.tx != nil && s.tx.conn != nil {
		var tag pgconn.CommandTag
		tag, err = s.tx.conn.Exec(ctx, st.text, pgArgs(args)...)
		res = pgxResult(tag.RowsAffected())
	} else {
		res, err = s.hotConn().ExecContext(ctx, st.text, pgArgs(args)...)
	}
	s.afterHot(ctx, ev, res, err)
	return res, err
}

// pgxResult is the sql.Result of a statement run on pgx: the rows it
// affected.
type pgxResult int64

func (r pgxResult) LastInsertId() (int64, error) {
	return 0, fmt.Errorf("db: no insert id on PostgreSQL")
}
func (r pgxResult) RowsAffected() (int64, error) { return int64(r), nil }

// pgArgs is a hot statement's arguments as pgx takes them, after the
// statement cache's mode: a UUID as its 16 bytes, which pgx writes in
// binary at once. (uuid.UUID's driver.Valuer gives a string, which pgx
// cannot write in binary: it makes and drops an error, then parses the
// string back, for each UUID of each statement.)
func pgArgs(args []any) []any {
	out := make([]any, 0, len(args)+1)
	out = append(out, pgx.QueryExecModeCacheStatement)
	for _, a := range args {
		switch v := a.(type) {
		case uuid.UUID:
			a = [16]byte(v)
		case *uuid.UUID:
			if v == nil {
				a = nil
			} else {
				a = [16]byte(*v)
			}
		}
		out = append(out, a)
	}
	return out
}

// hotConn is the transaction the scope runs in, or the pool.
func (s Scope) hotConn() interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
	ExecContext(context.Context, string, ...any) (sql.Result, error)
} {
	switch c := s.idb.(type) {
	case bun.Tx:
		return c.Tx
	case *bun.DB:
		return c.DB
	}
	panic(fmt.Sprintf("db: scope on %T", s.idb))
}

func (s Scope) beforeHot(ctx context.Context, st hotStmt, args []any) (context.Context, *bun.QueryEvent) {
	list := s.hooks.all()
	if len(list) == 0 {
		return ctx, nil
	}
	ev := &bun.QueryEvent{IQuery: st.iq, Query: st.text, QueryTemplate: st.text, QueryArgs: args, StartTime: time.Now()}
	for _, h := range list {
		ctx = h.BeforeQuery(ctx, ev)
	}
	return ctx, ev
}

func (s Scope) afterHot(ctx context.Context, ev *bun.QueryEvent, res sql.Result, err error) {
	if ev == nil {
		return
	}
	ev.Result, ev.Err = res, err
	list := s.hooks.all()
	for i := len(list) - 1; i >= 0; i-- {
		list[i].AfterQuery(ctx, ev)
	}
}

func scanFlow(f *Flow) func(rowScanner) error {
	return func(r rowScanner) error {
		return r.Scan(&f.ID, &f.TenantID, &f.Kind, &f.State, &f.Version, &f.Context, &f.CreatedAt, &f.UpdatedAt,
			&f.ExpiresAt, &f.TokenHash, &f.Ceremony, &f.CeremonyExpiresAt)
	}
}

func flowArgs(f *Flow) []any {
	return []any{f.ID, f.TenantID, f.Kind, f.State, f.Version, f.Context, f.CreatedAt, f.UpdatedAt, f.ExpiresAt,
		f.TokenHash, f.Ceremony, f.CeremonyExpiresAt}
}

func scanCredentialWithUser(c *Credential) func(rowScanner) error {
	return func(r rowScanner) error {
		u := new(User)
		err := r.Scan(&c.ID, &c.TenantID, &c.UserID, &c.RPID, &c.CredentialID, &c.PublicKey, &c.Algorithm,
			&c.AttestationType, &c.AttestationFormat, &c.AAGUID, &c.SignCount, &c.CloneWarning, &c.Transports,
			&c.Attachment, &c.UserPresent, &c.UserVerified, &c.BackupEligible, &c.BackupState, &c.Name, &c.CreatedAt,
			&c.LastUsedAt,
			&u.ID, &u.TenantID, &u.WebAuthnHandle, &u.DisplayName, &u.SSO, &u.PasswordHash, &u.MFAEnabled,
			&u.DisabledAt, &u.DeleteAfter, &u.CreatedAt, &u.UpdatedAt, &u.Locale, &u.Unreachable)
		c.User = u
		return err
	}
}

func sessionArgs(s *Session) []any {
	return []any{s.ID, s.TenantID, s.UserID, s.TokenHash, s.AMR, s.UserAgent, s.IP, s.CreatedAt, s.VerifiedAt, s.ExpiresAt}
}

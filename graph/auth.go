package graph

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/google/uuid"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/flows/team"
	"github.com/sesame-id/sesame/graph/model"
	"github.com/sesame-id/sesame/internal/audit"
	"github.com/sesame-id/sesame/internal/errcode"
	"github.com/sesame-id/sesame/internal/server"
	"github.com/sesame-id/sesame/tenants"
)

// APIKeyPrefix starts every management API key, so a key is recognizable
// (in a secret scanner, in a log someone pasted) and never mistaken for a
// session token.
const APIKeyPrefix = "sesame_key_"

// CSRFHeader must accompany a request authenticated by the session
// cookie: a cross-site HTML form cannot set a custom header, and a
// cross-site fetch that sets one needs a CORS preflight Sesame never
// grants.
const CSRFHeader = "X-Sesame-Request"

// RecentVerification is flows.RecentVerification, the window of the
// re-verification rule.
const RecentVerification = flows.RecentVerification

// caller is who made the request.
type caller struct {
	tenant *tenants.Tenant
	// apiKey is set for a management API key; consoleAdmin for a console
	// administrator (a user of the admin tenant who manages this tenant).
	apiKey       *db.APIKey
	consoleAdmin *uuid.UUID
	// consoleRole is the console administrator's role in the tenant
	// (team.Access); a viewer changes nothing.
	consoleRole string
	// session is set for a signed-in user (Bearer token or cookie).
	session *db.Session
	req     flows.RequestInfo
	// scope is the tenant's part of the database; loaders batch per-user
	// lists for this request.
	scope   db.Scope
	loaders *loaders
}

func (c *caller) admin() bool { return c.apiKey != nil || c.consoleAdmin != nil }
func (c *caller) user() bool  { return c.session != nil }

type callerKey struct{}

// withCaller returns ctx carrying c for the resolvers.
// It also carries who the caller is for the audit log (audit.WithOrigin),
// so the services a resolver calls record the right actor.
func withCaller(ctx context.Context, c *caller) context.Context {
	ctx = audit.WithOrigin(ctx, audit.Origin{Actor: c.actor(), IP: c.req.IP, UserAgent: c.req.UserAgent})
	return context.WithValue(ctx, callerKey{}, c)
}

// actor names the caller in the audit log.
func (c *caller) actor() string {
	switch {
	case c.apiKey != nil:
		return audit.APIKeyActor(c.apiKey.ID)
	case c.consoleAdmin != nil:
		return audit.AdminActor(*c.consoleAdmin)
	case c.session != nil:
		return audit.UserActor(c.session.UserID)
	}
	return audit.Anonymous
}

// lookupCaller returns the request's caller, if ctx holds one.
func lookupCaller(ctx context.Context) (*caller, bool) {
	c, ok := ctx.Value(callerKey{}).(*caller)
	return c, ok && c != nil
}

// callerFrom returns the request's caller. Every operation has one: the
// endpoint runs none without it (endpoint.requireCaller answers an error
// instead), so resolvers need not check.
func callerFrom(ctx context.Context) *caller {
	c, _ := lookupCaller(ctx)
	return c
}

// NewAPIKey returns a new key and the hash stored for it.
func NewAPIKey() (key string, hash []byte) {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	key = APIKeyPrefix + base64.RawURLEncoding.EncodeToString(b)
	return key, HashAPIKey(key)
}

// HashAPIKey returns what is stored for key.
func HashAPIKey(key string) []byte {
	h := sha256.Sum256([]byte(key))
	return h[:]
}

// CreateAPIKey creates a management API key for the tenant and returns
// the key, which is not stored and cannot be shown again.
func CreateAPIKey(ctx context.Context, scope db.Scope, name string, now time.Time) (*db.APIKey, string, error) {
	name, err := flows.CleanText("name", name, 100)
	if err != nil {
		return nil, "", err
	}
	if name == "" {
		return nil, "", &tenants.InputError{Field: "name", Problem: "give the key a name of 1 to 100 characters, such as the integration that uses it"}
	}
	key, hash := NewAPIKey()
	k := &db.APIKey{Name: name, Prefix: key[:len(APIKeyPrefix)+6], KeyHash: hash, CreatedAt: now.UTC()}
	if err := scope.APIKeys().Create(ctx, k); err != nil {
		return nil, "", err
	}
	return k, key, nil
}

// authenticate finds the caller of r: a Bearer API key or session token,
// or the session cookie together with CSRFHeader. No credential is an
// anonymous caller; a credential that does not work is an error, so a
// client learns its key was revoked instead of seeing empty answers.
func (h *endpoint) authenticate(r *http.Request, t *tenants.Tenant) (*caller, error) {
	ctx := r.Context()
	scope := h.DB.ForTenant(t.ID)
	c := &caller{tenant: t, req: server.RequestInfo(r), scope: scope, loaders: newLoaders(scope, "")}
	now := h.Clock.Now()
	token, fromCookie := "", false
	if a := r.Header.Get("Authorization"); a != "" {
		const prefix = "Bearer "
		if !strings.HasPrefix(a, prefix) || len(a) == len(prefix) {
			return nil, errUnauthenticated
		}
		token = a[len(prefix):]
	} else if ck, err := r.Cookie(h.SessionCookie); err == nil && ck.Value != "" {
		token, fromCookie = ck.Value, true
	}
	if token == "" {
		return c, nil
	}
	if fromCookie && r.Header.Get(CSRFHeader) == "" {
		return nil, errCSRF
	}
	if strings.HasPrefix(token, APIKeyPrefix) {
		k, err := scope.APIKeys().ByHash(ctx, HashAPIKey(token))
		if errors.Is(err, db.ErrNotFound) {
			return nil, errUnauthenticated
		}
		if err != nil {
			return nil, err
		}
		if k.LastUsedAt == nil || now.Sub(*k.LastUsedAt) >= time.Minute {
			if err := scope.APIKeys().Touch(ctx, k.ID, now); err != nil {
				return nil, err
			}
		}
		c.apiKey = k
		return c, nil
	}
	s, err := flows.LookupSession(ctx, scope, token, now)
	if err != nil {
		return nil, err
	}
	c.session = s
	uid, sid := s.UserID, s.ID
	c.req.UserID, c.req.SessionID = &uid, &sid
	return c, nil
}

// readOnly reports whether the caller may only read: a console
// administrator whose role in the tenant does not allow changes.
func (c *caller) readOnly() bool {
	return c.consoleAdmin != nil && !team.Access{Role: c.consoleRole}.CanChange()
}

// isMutation reports whether the field being resolved belongs to a
// mutation.
func isMutation(ctx context.Context) bool {
	oc := graphql.GetOperationContext(ctx)
	return oc != nil && oc.Operation != nil && oc.Operation.Operation == ast.Mutation
}

// authDirective implements @auth: the caller must have the role, and a
// read-only console administrator runs no mutation (read_only_role).
func authDirective(ctx context.Context, _ any, next graphql.Resolver, requires model.Role) (any, error) {
	c, ok := lookupCaller(ctx)
	switch {
	case !ok:
		return nil, errUnauthenticated
	case requires == model.RoleAdmin && c.admin() && c.readOnly() && isMutation(ctx):
		return nil, errcode.ErrReadOnlyRole
	case requires == model.RoleAdmin && c.admin():
	case requires == model.RoleUser && c.user():
	case !c.admin() && !c.user():
		return nil, errUnauthenticated
	default:
		return nil, errForbidden
	}
	return next(ctx)
}

// me returns the signed-in user's id and session, for the account API.
func me(ctx context.Context) (uuid.UUID, *db.Session) {
	c := callerFrom(ctx)
	return c.session.UserID, c.session
}

// recentlyVerified applies flows.RequireRecentVerification, the one
// re-verification rule, to the caller's session.
func (r *Resolver) recentlyVerified(ctx context.Context) error {
	_, s := me(ctx)
	return flows.RequireRecentVerification(s, r.Clock.Now())
}

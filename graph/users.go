package graph

import (
	"cmp"
	"context"
	"crypto/rand"
	"errors"
	"strings"

	"github.com/google/uuid"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/graph/model"
	"github.com/sesame-id/sesame/internal/audit"
	"github.com/sesame-id/sesame/tenants"
)

// Limits on the management API's inputs; text lengths are in characters.
const (
	// MaxPage is the most users one page may hold.
	MaxPage = 100
	// SearchMaxLen bounds a users search: the longest identifier.
	SearchMaxLen = 254
	// DisplayNameMaxLen bounds a user's display name.
	DisplayNameMaxLen = 100
)

func (r *Resolver) users(ctx context.Context, first int, after, search *string) (*model.UserConnection, error) {
	c := callerFrom(ctx)
	if first < 1 || first > MaxPage {
		return nil, &tenants.InputError{Field: "first", Problem: "ask for 1 to 100 users per page"}
	}
	p := db.UserPage{Limit: first}
	if after != nil && *after != "" {
		id, err := uuid.Parse(*after)
		if err != nil {
			return nil, &tenants.InputError{Field: "after", Problem: "is not a cursor from pageInfo.endCursor; start again without it"}
		}
		p.After = &id
	}
	if search != nil {
		s, err := flows.CleanText("search", *search, SearchMaxLen)
		if err != nil {
			return nil, err
		}
		p.Search = normalizeSearch(s)
	}
	users, more, err := c.scope.Users().List(ctx, p)
	if err != nil {
		return nil, err
	}
	ids := make([]uuid.UUID, len(users))
	for i, u := range users {
		ids[i] = u.ID
	}
	c.loaders.identifiers.prime(ids...)
	c.loaders.passkeys.prime(ids...)
	out := &model.UserConnection{Nodes: users, PageInfo: &model.PageInfo{HasNextPage: more}}
	if len(users) > 0 {
		end := users[len(users)-1].ID.String()
		out.PageInfo.EndCursor = &end
	}
	return out, nil
}

// normalizeSearch turns a search into the stored identifiers' form:
// emails and usernames are stored in lower case, phone numbers as E.164.
func normalizeSearch(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if strings.HasPrefix(s, "+") {
		s = "+" + strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, s)
	}
	return s
}

func (r *Resolver) createUser(ctx context.Context, in model.CreateUserInput) (*db.User, error) {
	var ids []*db.Identifier
	add := func(field, want string, v *string) error {
		if v == nil || strings.TrimSpace(*v) == "" {
			return nil
		}
		kind, value, ok := flows.ParseIdentifier(*v)
		if !ok || kind != want {
			return &tenants.InputError{Field: field, Problem: map[string]string{
				db.IdentifierEmail:    "is not an email address",
				db.IdentifierPhone:    "is not a phone number in international form, such as +14155550123",
				db.IdentifierUsername: "is not a username: use 3 to 64 letters, digits, dots, dashes or underscores",
			}[want]}
		}
		// The tenant's administrator vouches for what they type: it counts
		// as verified, so the user can sign in by a code to it (a code to
		// an identifier never proved signs in to nothing; see signin).
		vouched := r.Clock.Now().UTC()
		ids = append(ids, &db.Identifier{Kind: kind, Value: value, VerifiedAt: &vouched})
		return nil
	}
	if err := errors.Join(
		add("email", db.IdentifierEmail, in.Email),
		add("phone", db.IdentifierPhone, in.Phone),
		add("username", db.IdentifierUsername, in.Username),
	); err != nil {
		var ie *tenants.InputError
		errors.As(err, &ie)
		return nil, ie
	}
	if len(ids) == 0 {
		return nil, &tenants.InputError{Field: "email", Problem: "give at least one of email, phone or username"}
	}
	name := ids[0].Value
	if in.DisplayName != nil {
		given, err := flows.CleanText("displayName", *in.DisplayName, DisplayNameMaxLen)
		if err != nil {
			return nil, err
		}
		name = cmp.Or(given, name)
	}
	handle := make([]byte, 32)
	_, _ = rand.Read(handle)
	u := &db.User{WebAuthnHandle: handle, DisplayName: name}
	err := r.change(ctx, func(ctx context.Context, scope db.Scope) (audit.Event, error) {
		err := scope.Users().Create(ctx, u, ids...)
		return audit.Event{Type: audit.UserCreated, User: &u.ID}, err
	})
	if errors.Is(err, db.ErrDuplicate) {
		return nil, &tenants.InputError{Field: ids[0].Kind, Problem: "another user already has this identifier"}
	}
	if err != nil {
		return nil, err
	}
	return u, nil
}

// splitList reads a comma-separated column.
func splitList(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, ",")
}

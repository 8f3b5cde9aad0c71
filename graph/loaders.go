package graph

import (
	"context"
	"slices"
	"sync"

	"github.com/google/uuid"

	"github.com/sesame-id/sesame/db"
)

// batch loads per-user lists (identifiers, passkeys) for many users in
// one statement. A page of users primes it with the page's ids; the first
// field that asks for one user's list loads the lists of every primed user
// not loaded yet, so a page costs one statement per kind of list, however
// many users it holds. A user never primed is loaded alone.
type batch[V any] struct {
	mu      sync.Mutex
	load    func(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID][]V, error)
	pending []uuid.UUID
	done    map[uuid.UUID][]V
}

func newBatch[V any](load func(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID][]V, error)) *batch[V] {
	return &batch[V]{load: load, done: map[uuid.UUID][]V{}}
}

// prime announces ids that will be asked for.
func (b *batch[V]) prime(ids ...uuid.UUID) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, id := range ids {
		if _, ok := b.done[id]; !ok && !slices.Contains(b.pending, id) {
			b.pending = append(b.pending, id)
		}
	}
}

// get returns id's list, loading it with every pending id.
func (b *batch[V]) get(ctx context.Context, id uuid.UUID) ([]V, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if v, ok := b.done[id]; ok {
		return v, nil
	}
	ids := b.pending
	if !slices.Contains(ids, id) {
		ids = append(ids, id)
	}
	got, err := b.load(ctx, ids)
	if err != nil {
		return nil, err
	}
	for _, k := range ids {
		b.done[k] = got[k]
	}
	b.pending = nil
	return b.done[id], nil
}

// loaders are one request's batches.
type loaders struct {
	identifiers *batch[*db.Identifier]
	passkeys    *batch[*db.Credential]
}

func newLoaders(scope db.Scope, rpID string) *loaders {
	return &loaders{
		identifiers: newBatch(func(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID][]*db.Identifier, error) {
			return scope.Users().IdentifiersOf(ctx, ids)
		}),
		passkeys: newBatch(func(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID][]*db.Credential, error) {
			return scope.Credentials().OfUsers(ctx, ids, rpID)
		}),
	}
}

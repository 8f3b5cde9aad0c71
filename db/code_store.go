package db

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"math/big"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// Code channels.
const (
	ChannelEmail = "email"
	ChannelSMS   = "sms"
)

// Code is a one-time verification code sent by email or SMS. Only a hash
// of the code is stored, and the code itself is made by the job that sends
// it (see Issue), so it never rests in the database or in a job's
// arguments: a row starts with an empty hash and cannot be checked until
// it was issued.
type Code struct {
	bun.BaseModel `bun:"table:verification_codes,alias:vc"`

	ID       uuid.UUID  `bun:"id,pk,type:uuid"`
	TenantID uuid.UUID  `bun:"tenant_id,notnull,type:uuid"`
	FlowID   *uuid.UUID `bun:"flow_id,type:uuid"`
	// Purpose says what the code proves (sign_in, sign_up, mfa, verify).
	Purpose   string `bun:"purpose,notnull"`
	Channel   string `bun:"channel,notnull"`
	Recipient string `bun:"recipient,notnull"`
	CodeHash  []byte `bun:"code_hash,notnull"`
	// Attempts counts checks of this code; at MaxAttempts it is locked.
	Attempts          int        `bun:"attempts,notnull"`
	MaxAttempts       int        `bun:"max_attempts,notnull"`
	CreatedAt         time.Time  `bun:"created_at,notnull"`
	ExpiresAt         time.Time  `bun:"expires_at,notnull"`
	SentAt            *time.Time `bun:"sent_at"`
	ProviderMessageID string     `bun:"provider_message_id,notnull"`
	SendFailedAt      *time.Time `bun:"send_failed_at"`
	SendError         string     `bun:"send_error,notnull"`
	UsedAt            *time.Time `bun:"used_at"`
}

// HashCode returns what is stored for code on the row id: SHA-256 over
// the id and the code, so equal codes on two rows hash differently.
func HashCode(id uuid.UUID, code string) []byte {
	h := sha256.New()
	h.Write(id[:])
	h.Write([]byte(code))
	return h.Sum(nil)
}

// Check outcomes.
var (
	// ErrCodeLocked: the code was checked MaxAttempts times already.
	ErrCodeLocked = errors.New("too many wrong codes; ask for a new one")
	// ErrCodeExpired: the code expired, was used, or does not exist.
	ErrCodeExpired = errors.New("the code expired or was already used; ask for a new one")
	// ErrCodeWrong: the code does not match (the attempt was counted).
	ErrCodeWrong = errors.New("the code is not right")
	// ErrRateLimited: a send limit was reached.
	ErrRateLimited = errors.New("too many codes were sent; wait before asking again")
)

// CodeStore keeps one tenant's verification codes.
type CodeStore struct{ s Scope }

// Codes returns the scope's code store.
func (s Scope) Codes() CodeStore { return CodeStore{s: s} }

// SendLimit is a most-codes-per-window limit for one recipient.
type SendLimit struct {
	Max    int
	Window time.Duration
}

// Create stores a new, not yet issued code for c.Recipient, unless a limit
// in limits is already reached for that recipient on that channel
// (ErrRateLimited). Counting and inserting are serialized per
// recipient (an advisory lock on PostgreSQL, the write lock on SQLite), so
// concurrent requests cannot slip past a limit. Run it in the transaction
// that also enqueues the job that sends the code.
func (cs CodeStore) Create(ctx context.Context, c *Code, now time.Time, limits ...SendLimit) error {
	if err := cs.s.check(); err != nil {
		return err
	}
	if c.ExpiresAt.IsZero() || c.MaxAttempts <= 0 {
		return fmt.Errorf("create code: expiry and attempt limit are required")
	}
	if err := cs.lockRecipient(ctx, c.Channel, c.Recipient); err != nil {
		return err
	}
	for _, l := range limits {
		n, err := cs.s.idb.NewSelect().Model((*Code)(nil)).
			Where("vc.tenant_id = ?", cs.s.tenant).
			Where("vc.channel = ?", c.Channel).
			Where("vc.recipient = ?", c.Recipient).
			Where("vc.created_at > ?", now.Add(-l.Window).UTC()).
			Count(ctx)
		if err != nil {
			return fmt.Errorf("count codes sent: %w", err)
		}
		if int(n) >= l.Max {
			return ErrRateLimited
		}
	}
	if c.ID == uuid.Nil {
		c.ID = uuid.Must(uuid.NewV7())
	}
	c.TenantID = cs.s.tenant
	c.CodeHash = []byte{}
	c.CreatedAt = now.UTC()
	if _, err := cs.s.idb.NewInsert().Model(c).Exec(ctx); err != nil {
		return fmt.Errorf("create code: %w", err)
	}
	return nil
}

// lockRecipient serializes code creation per recipient until the end of
// the transaction on PostgreSQL; SQLite's one writer already does.
func (cs CodeStore) lockRecipient(ctx context.Context, channel, recipient string) error {
	if cs.s.dialect != Postgres {
		return nil
	}
	if _, ok := cs.s.idb.(bun.Tx); !ok {
		return errors.New("create code: run it in a transaction (the per-recipient lock lasts until commit)")
	}
	h := fnv.New64a()
	h.Write(cs.s.tenant[:])
	h.Write([]byte(channel + "\x00" + recipient))
	if _, err := cs.s.idb.ExecContext(ctx, "SELECT pg_advisory_xact_lock(?)", int64(h.Sum64())); err != nil {
		return fmt.Errorf("lock recipient: %w", err)
	}
	return nil
}

// Check counts one attempt at the code id and, if code matches, marks it
// used. The attempt is counted atomically before comparing, so parallel
// wrong guesses are all counted and none slips past MaxAttempts; the
// comparison is constant-time; a code works once.
func (cs CodeStore) Check(ctx context.Context, id uuid.UUID, code string, now time.Time) (*Code, error) {
	if err := cs.s.check(); err != nil {
		return nil, err
	}
	c := new(Code)
	err := cs.s.idb.NewUpdate().Model(c).
		Set("attempts = attempts + 1").
		Where("tenant_id = ?", cs.s.tenant).
		Where("id = ?", id).
		Where("used_at IS NULL").
		Where("expires_at > ?", now.UTC()).
		Where("attempts < max_attempts").
		Where("length(code_hash) > 0").
		Returning("*").
		Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		cur, gerr := cs.Get(ctx, id)
		if gerr == nil && cur.UsedAt == nil && now.Before(cur.ExpiresAt) && cur.Attempts >= cur.MaxAttempts {
			return nil, ErrCodeLocked
		}
		return nil, ErrCodeExpired
	}
	if err != nil {
		return nil, fmt.Errorf("check code: %w", err)
	}
	if subtle.ConstantTimeCompare(c.CodeHash, HashCode(c.ID, code)) != 1 {
		return nil, ErrCodeWrong
	}
	res, err := cs.s.idb.NewUpdate().Model((*Code)(nil)).
		Set("used_at = ?", now.UTC()).
		Where("tenant_id = ?", cs.s.tenant).
		Where("id = ?", id).
		Where("used_at IS NULL").
		Exec(ctx)
	if err != nil {
		return nil, fmt.Errorf("use code: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, ErrCodeExpired
	}
	used := now.UTC()
	c.UsedAt = &used
	return c, nil
}

// Get returns the tenant's code id, or ErrNotFound.
func (cs CodeStore) Get(ctx context.Context, id uuid.UUID) (*Code, error) {
	if err := cs.s.check(); err != nil {
		return nil, err
	}
	c := new(Code)
	err := cs.s.idb.NewSelect().Model(c).
		Where("vc.tenant_id = ?", cs.s.tenant).
		Where("vc.id = ?", id).
		Scan(ctx)
	if err != nil {
		return nil, notFound(err, "code %s", id)
	}
	return c, nil
}

// Issue makes the code's value, stores its hash and returns both, provided
// the code still needs sending: not sent, not failed, not used and not
// expired at now. The send job calls it in its transaction and sends the
// value after commit; a job run again (River runs a job at least once)
// issues a fresh value, so only the latest message's code works. Otherwise
// it returns ErrNotFound.
func (cs CodeStore) Issue(ctx context.Context, id uuid.UUID, now time.Time) (*Code, string, error) {
	if err := cs.s.check(); err != nil {
		return nil, "", err
	}
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return nil, "", fmt.Errorf("make code: %w", err)
	}
	value := fmt.Sprintf("%06d", n.Int64())
	c := new(Code)
	err = cs.s.idb.NewUpdate().Model(c).
		Set("code_hash = ?", HashCode(id, value)).
		Where("tenant_id = ?", cs.s.tenant).
		Where("id = ?", id).
		Where("sent_at IS NULL").
		Where("send_failed_at IS NULL").
		Where("used_at IS NULL").
		Where("expires_at > ?", now.UTC()).
		Returning("*").
		Scan(ctx)
	if err != nil {
		return nil, "", notFound(err, "code %s to send", id)
	}
	return c, value, nil
}

// MarkSent records that the provider accepted the code's message.
func (cs CodeStore) MarkSent(ctx context.Context, id uuid.UUID, messageID string, now time.Time) error {
	return cs.mark(ctx, id, "sent_at = ?", now.UTC(), "provider_message_id = ?", messageID)
}

// MarkSendFailed records that the code can never be delivered (a
// permanent provider error such as an invalid number).
func (cs CodeStore) MarkSendFailed(ctx context.Context, id uuid.UUID, reason string, now time.Time) error {
	return cs.mark(ctx, id, "send_failed_at = ?", now.UTC(), "send_error = ?", reason)
}

func (cs CodeStore) mark(ctx context.Context, id uuid.UUID, set1 string, arg1 any, set2 string, arg2 any) error {
	if err := cs.s.check(); err != nil {
		return err
	}
	res, err := cs.s.idb.NewUpdate().Model((*Code)(nil)).
		Set(set1, arg1).
		Set(set2, arg2).
		Where("tenant_id = ?", cs.s.tenant).
		Where("id = ?", id).
		Where("sent_at IS NULL").
		Where("send_failed_at IS NULL").
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("update code %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("code %s: %w", id, ErrNotFound)
	}
	return nil
}

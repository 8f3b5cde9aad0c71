package jobs

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/clock"
	"github.com/sesame-id/sesame/internal/delivery"
)

// InvitationTTL is how long an invitation's link works: long enough for
// a person who reads their email once a week.
const InvitationTTL = 7 * 24 * time.Hour

// InvitationArgs is the job that emails an invitation. The link's token is
// made by the job, stored hashed as a setup link (db.SetupLink) of the
// invitee's tenant and put only in the email, so it never rests in the
// job's arguments. It is inserted in the transaction that creates the
// invitee.
type InvitationArgs struct {
	// TenantID is the tenant the invitee is a user of (the admin tenant
	// for an administrator); its email provider sends the invitation.
	TenantID uuid.UUID `json:"tenant_id"`
	UserID   uuid.UUID `json:"user_id"`
	To       string    `json:"to"`
	// TenantName is the tenant the invitation is to, named in the email.
	TenantName string `json:"tenant_name"`
	// Link is the page the invitation opens; with WithToken the token is
	// added as the URL's fragment (never sent to a server).
	Link      string `json:"link"`
	WithToken bool   `json:"with_token"`
	// Administrator words the email for an administrator (role set).
	Administrator bool   `json:"administrator,omitempty"`
	Role          string `json:"role,omitempty"`
	// Lang is the language of an invitee who has none of their own (a
	// new user; db.User.Locale ""): the inviting tenant's default. An
	// existing administrator's preferred language comes first, since the
	// invitation comes from the console, never from the invitee's page.
	Lang string `json:"lang,omitempty"`
}

// Kind identifies the job in River's tables.
func (InvitationArgs) Kind() string { return "invitation" }

// InsertOpts puts the job on the default queue with codeMaxAttempts.
func (InvitationArgs) InsertOpts() river.InsertOpts { return codeInsertOpts() }

// InvitationWorker works InvitationArgs.
type InvitationWorker struct {
	river.WorkerDefaults[InvitationArgs]

	DB      *db.DB
	Senders Senders
	Clock   clock.Clock
	Logger  *slog.Logger
}

// Work makes the link (when the invitation carries one) and sends the
// email. River runs a job at least once: a second run makes a second link,
// and each works once until it expires. An invitee who is gone (deleted
// meanwhile) is nothing to send.
func (w *InvitationWorker) Work(ctx context.Context, job *river.Job[InvitationArgs]) error {
	a := job.Args
	link := a.Link
	if a.WithToken {
		token, hash := newLinkToken()
		now := w.Clock.Now()
		err := w.DB.ForTenant(a.TenantID).SetupLinks().Create(ctx, &db.SetupLink{UserID: a.UserID, TokenHash: hash, CreatedAt: now.UTC(), ExpiresAt: now.Add(InvitationTTL).UTC()})
		if errors.Is(err, db.ErrNotFound) {
			w.Logger.InfoContext(ctx, "invitee no longer exists; nothing sent", "job_id", job.ID, "tenant_id", a.TenantID)
			return nil
		}
		if err != nil {
			return fmt.Errorf("invitation link: %w", err)
		}
		link += "#" + token
	}
	lang, err := messageLang(ctx, w.DB.ForTenant(a.TenantID), a.UserID, "", a.Lang)
	if err != nil {
		return fmt.Errorf("invitation: %w", err)
	}
	msg, err := invitationMessage(a, lang, link)
	if err != nil {
		return err
	}
	sender, err := w.Senders.Email(ctx, a.TenantID)
	if err != nil {
		return err
	}
	if _, err := sender.SendEmail(ctx, delivery.Email{To: a.To, Subject: msg.subject, Text: msg.text}); err != nil {
		if delivery.IsPermanent(err) {
			return river.JobCancel(fmt.Errorf("send invitation: %w", err))
		}
		return fmt.Errorf("send invitation: %w", err)
	}
	w.Logger.InfoContext(ctx, "invitation sent", "job_id", job.ID, "tenant_id", a.TenantID)
	return nil
}

// newLinkToken returns a link token and its stored hash, the SHA-256 of
// the token as flows.HashToken computes it (jobs cannot import flows).
func newLinkToken() (string, []byte) {
	var b [32]byte
	_, _ = rand.Read(b[:])
	token := base64.RawURLEncoding.EncodeToString(b[:])
	h := sha256.Sum256([]byte(token))
	return token, h[:]
}

// invitationMessage words the invitation in lang.
func invitationMessage(a InvitationArgs, lang, link string) (codeMessage, error) {
	catalog, err := messages()
	if err != nil {
		return codeMessage{}, fmt.Errorf("%w: load the messages: %w", delivery.ErrPermanent, err)
	}
	l := catalog.Locale(lang, "")
	name := displayName(&db.Tenant{Name: a.TenantName, Slug: a.TenantName})
	days := int(InvitationTTL / (24 * time.Hour))
	switch {
	case a.Administrator && a.WithToken:
		role := l.T("team.roles." + a.Role)
		return codeMessage{
			subject: l.T("team.email.admin_subject", "tenant", name),
			text:    l.T("team.email.admin_text", "tenant", name, "role", role, "link", link, "days", days),
		}, nil
	case a.Administrator:
		role := l.T("team.roles." + a.Role)
		return codeMessage{
			subject: l.T("team.email.admin_subject", "tenant", name),
			text:    l.T("team.email.admin_added_text", "tenant", name, "role", role, "link", link),
		}, nil
	default:
		return codeMessage{
			subject: l.T("team.email.user_subject", "tenant", name),
			text:    l.T("team.email.user_text", "tenant", name, "link", link, "days", days),
		}, nil
	}
}

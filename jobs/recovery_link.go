package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/clock"
	"github.com/sesame-id/sesame/internal/delivery"
	"github.com/sesame-id/sesame/tenants"
)

// RecoveryLinkTTL is how long an administrator's recovery link works
// (flows/recovery.LinkTTL is this).
const RecoveryLinkTTL = 24 * time.Hour

// RecoveryLinkArgs is the job that emails an administrator's one-time
// recovery link to the user's verified email addresses. As with an
// invitation, the job makes the token, stores only its hash (a
// db.RecoveryLink) and puts the token only in the email, so it never rests
// in the job's arguments. It is inserted in the transaction of the
// administrator's request.
type RecoveryLinkArgs struct {
	TenantID uuid.UUID `json:"tenant_id"`
	UserID   uuid.UUID `json:"user_id"`
	// CreatedBy is the console administrator who asked, nil for an API key.
	CreatedBy *uuid.UUID `json:"created_by,omitempty"`
	// Link is the recovery page; the token follows as "#link=TOKEN".
	Link string `json:"link"`
	// Lang is the language the administrator chose for the email, ""
	// for the user's own, else the tenant's default.
	Lang string `json:"lang,omitempty"`
}

// Kind identifies the job in River's tables.
func (RecoveryLinkArgs) Kind() string { return "recovery_link_email" }

// InsertOpts puts the job on the default queue with codeMaxAttempts.
func (RecoveryLinkArgs) InsertOpts() river.InsertOpts { return codeInsertOpts() }

// RecoveryLinkWorker works RecoveryLinkArgs. A user who is gone, or has no
// verified email address any more, is sent nothing and no link is made.
// River runs a job at least once: a second run makes a second link, each
// working once until it expires.
type RecoveryLinkWorker struct {
	river.WorkerDefaults[RecoveryLinkArgs]

	DB      *db.DB
	Senders Senders
	Clock   clock.Clock
	Logger  *slog.Logger
}

// Work makes the link and emails it.
func (w *RecoveryLinkWorker) Work(ctx context.Context, job *river.Job[RecoveryLinkArgs]) error {
	a := job.Args
	scope := w.DB.ForTenant(a.TenantID)
	tenant, err := w.DB.Tenants().ByID(ctx, a.TenantID)
	if errors.Is(err, db.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("recovery link: tenant: %w", err)
	}
	ids, err := scope.Users().Identifiers(ctx, a.UserID)
	if err != nil {
		return fmt.Errorf("recovery link: identifiers: %w", err)
	}
	emails := verified(ids, db.IdentifierEmail)
	if len(emails) == 0 {
		w.Logger.InfoContext(ctx, "recovery link: no verified email; nothing sent", "job_id", job.ID, "tenant_id", a.TenantID)
		return nil
	}
	sender, err := w.Senders.Email(ctx, a.TenantID)
	if err != nil {
		return river.JobCancel(fmt.Errorf("recovery link: %w", err))
	}
	token, hash := newLinkToken()
	now := w.Clock.Now()
	err = scope.RecoveryLinks().Create(ctx, &db.RecoveryLink{UserID: a.UserID, TokenHash: hash, CreatedBy: a.CreatedBy, CreatedAt: now.UTC(), ExpiresAt: now.Add(RecoveryLinkTTL).UTC()})
	if errors.Is(err, db.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("recovery link: %w", err)
	}
	lang, err := messageLang(ctx, scope, a.UserID, a.Lang, tenantLang(tenant, ""))
	if err != nil {
		return fmt.Errorf("recovery link: %w", err)
	}
	msg, err := recoveryLinkMessage(tenant, lang, a.Link+"#link="+token)
	if err != nil {
		return err
	}
	for _, to := range emails {
		if _, err := sender.SendEmail(ctx, delivery.Email{To: to, Subject: msg.subject, Text: msg.text}); err != nil {
			if delivery.IsPermanent(err) {
				return river.JobCancel(fmt.Errorf("send recovery link: %w", err))
			}
			return fmt.Errorf("send recovery link: %w", err)
		}
	}
	w.Logger.InfoContext(ctx, "recovery link sent", "job_id", job.ID, "tenant_id", a.TenantID)
	return nil
}

// recoveryLinkMessage words the email in lang: the job's language, else
// the user's, else the tenant's default (messageLang; locale keys
// recovery.email.*).
func recoveryLinkMessage(tenant *db.Tenant, lang, link string) (codeMessage, error) {
	catalog, err := messages()
	if err != nil {
		return codeMessage{}, fmt.Errorf("%w: load the messages: %w", delivery.ErrPermanent, err)
	}
	l := catalog.Locale(lang, "")
	name := displayName(tenant)
	hours := int(RecoveryLinkTTL / time.Hour)
	return codeMessage{
		subject: l.T("recovery.email.subject", "tenant", name),
		text:    l.T("recovery.email.text", "tenant", name, "link", link, "hours", hours),
	}, nil
}

// tenantLang is lang, else the tenant's default language.
func tenantLang(tenant *db.Tenant, lang string) string {
	if lang != "" {
		return lang
	}
	if s, err := tenants.ParseSettings(tenant.Settings); err == nil {
		return s.DefaultLocale
	}
	return ""
}

package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/riverqueue/river"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/audit"
	"github.com/sesame-id/sesame/internal/clock"
	"github.com/sesame-id/sesame/internal/delivery"
	"github.com/sesame-id/sesame/tenants"
)

// SecurityNoticeWorker works audit.NoticeArgs: it tells the user of a
// change to how they sign in, by email to each of their verified email
// addresses, or by SMS to their verified phones when they have no verified
// email, in the page's language, else the user's, else the tenant's
// (messageLang). The message names the event and the
// tenant, never a secret. A user without a verified address, or gone
// meanwhile, is nothing to send.
type SecurityNoticeWorker struct {
	river.WorkerDefaults[audit.NoticeArgs]

	DB      *db.DB
	Senders Senders
	Clock   clock.Clock
	Logger  *slog.Logger
}

// Work sends the notice. River runs a job at least once: a retry after a
// partial send may repeat a message, never a secret.
func (w *SecurityNoticeWorker) Work(ctx context.Context, job *river.Job[audit.NoticeArgs]) error {
	a := job.Args
	scope := w.DB.ForTenant(a.TenantID)
	tenant, err := w.DB.Tenants().ByID(ctx, a.TenantID)
	if errors.Is(err, db.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("security notice: tenant: %w", err)
	}
	ids, err := scope.Users().Identifiers(ctx, a.UserID)
	if err != nil {
		return fmt.Errorf("security notice: identifiers: %w", err)
	}
	emails, phones := verified(ids, db.IdentifierEmail), verified(ids, db.IdentifierPhone)
	if len(emails) == 0 && len(phones) == 0 {
		w.Logger.InfoContext(ctx, "security notice: no verified address; nothing sent", "job_id", job.ID, "tenant_id", a.TenantID)
		return nil
	}
	lang, err := messageLang(ctx, scope, a.UserID, a.Lang, tenantLang(tenant, ""))
	if err != nil {
		return fmt.Errorf("security notice: %w", err)
	}
	msg, err := noticeMessage(tenant, a, lang)
	if err != nil {
		return err
	}
	if err := w.send(ctx, a, emails, phones, msg); err != nil {
		if delivery.IsPermanent(err) {
			return river.JobCancel(fmt.Errorf("send security notice: %w", err))
		}
		return fmt.Errorf("send security notice: %w", err)
	}
	w.Logger.InfoContext(ctx, "security notice sent", "job_id", job.ID, "tenant_id", a.TenantID, "event", a.Event)
	return nil
}

// send sends msg by email to emails, or by SMS to phones when there is no
// email.
func (w *SecurityNoticeWorker) send(ctx context.Context, a audit.NoticeArgs, emails, phones []string, msg codeMessage) error {
	if len(emails) > 0 {
		sender, err := w.Senders.Email(ctx, a.TenantID)
		if err != nil {
			return err
		}
		for _, to := range emails {
			if _, err := sender.SendEmail(ctx, delivery.Email{To: to, Subject: msg.subject, Text: msg.text}); err != nil {
				return err
			}
		}
		return nil
	}
	sender, err := w.Senders.SMS(ctx, a.TenantID)
	if err != nil {
		return err
	}
	for _, to := range phones {
		if _, err := sender.SendSMS(ctx, delivery.SMS{To: to, Body: msg.text}); err != nil {
			return err
		}
	}
	return nil
}

// verified returns the verified values of ids of kind.
func verified(ids []*db.Identifier, kind string) []string {
	var out []string
	for _, id := range ids {
		if id.Kind == kind && id.VerifiedAt != nil {
			out = append(out, id.Value)
		}
	}
	return out
}

// noticeMessage words the notice in lang (the words of locale namespace
// "notice").
func noticeMessage(tenant *db.Tenant, a audit.NoticeArgs, lang string) (codeMessage, error) {
	catalog, err := messages()
	if err != nil {
		return codeMessage{}, fmt.Errorf("%w: load the messages: %w", delivery.ErrPermanent, err)
	}
	l := catalog.Locale(lang, "")
	name := displayName(tenant)
	if a.Event == audit.NoticeNewSignIn {
		return newSignInMessage(l, name, a), nil
	}
	what := l.T(noticeKey(a))
	return codeMessage{
		subject: l.T("notice.subject", "tenant", name),
		text:    l.T("notice.text", "tenant", name, "what", what),
	}, nil
}

// noticeKey is the locale key of what happened.
func noticeKey(a audit.NoticeArgs) string {
	switch audit.Type(a.Event) {
	case audit.PasskeyAdded:
		return "notice.event.passkey_added"
	case audit.PasskeyRemoved:
		return "notice.event.passkey_removed"
	case audit.FactorAdded, audit.FactorRemoved:
		factor := a.Target
		switch factor {
		case tenants.FactorTOTP, tenants.FactorSMS, tenants.FactorBackupCodes:
		default:
			factor = "other"
		}
		verb := "added"
		if audit.Type(a.Event) == audit.FactorRemoved {
			verb = "removed"
		}
		return "notice.event.factor_" + verb + "_" + factor
	case audit.RecoveryUsed:
		return "notice.event.recovery_used"
	}
	return "notice.event.other"
}

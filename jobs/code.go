package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/rivertype"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/clock"
	"github.com/sesame-id/sesame/internal/delivery"
	"github.com/sesame-id/sesame/internal/locale"
)

// codeMaxAttempts is how often a code's job runs before River gives up.
// With River's default backoff (attempt⁴ seconds) the eighth attempt comes
// long after any code expired, and a run after expiry sends nothing.
const codeMaxAttempts = 8

// SMSCodeArgs is the job that makes a verification code's value and sends
// it by SMS. It is inserted with InsertTx in the transaction that creates
// the code row (db.CodeStore.Create); it carries ids only, so the value
// never rests in the job's arguments.
type SMSCodeArgs struct {
	TenantID uuid.UUID `json:"tenant_id"`
	CodeID   uuid.UUID `json:"code_id"`
	// Lang is the language of the message (en, es, zh-CN): the page's that
	// asked for the code. Empty (jobs enqueued before it existed) is English.
	Lang string `json:"lang,omitempty"`
}

// Kind identifies the job in River's tables.
func (SMSCodeArgs) Kind() string { return "sms_code" }

// InsertOpts puts the job on the default queue with codeMaxAttempts.
func (SMSCodeArgs) InsertOpts() river.InsertOpts { return codeInsertOpts() }

// EmailCodeArgs is SMSCodeArgs for a code sent by email.
type EmailCodeArgs struct {
	TenantID uuid.UUID `json:"tenant_id"`
	CodeID   uuid.UUID `json:"code_id"`
	// Lang is the language of the message, as in SMSCodeArgs.
	Lang string `json:"lang,omitempty"`
}

// Kind identifies the job in River's tables.
func (EmailCodeArgs) Kind() string { return "email_code" }

// InsertOpts puts the job on the default queue with codeMaxAttempts.
func (EmailCodeArgs) InsertOpts() river.InsertOpts { return codeInsertOpts() }

func codeInsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueDefault, MaxAttempts: codeMaxAttempts}
}

// SMSCodeWorker works SMSCodeArgs; see sendCode for what a run does.
type SMSCodeWorker struct {
	river.WorkerDefaults[SMSCodeArgs]

	DB      *db.DB
	Senders Senders
	Clock   clock.Clock
	Logger  *slog.Logger
}

// Work issues the code and sends it by SMS.
func (w *SMSCodeWorker) Work(ctx context.Context, job *river.Job[SMSCodeArgs]) error {
	deps := codeDeps{db: w.DB, senders: w.Senders, clock: w.Clock, logger: w.Logger}
	return sendCode(ctx, deps, job, job.Args.TenantID, job.Args.CodeID, job.Args.Lang, smsChannel)
}

// EmailCodeWorker works EmailCodeArgs; see sendCode for what a run does.
type EmailCodeWorker struct {
	river.WorkerDefaults[EmailCodeArgs]

	DB      *db.DB
	Senders Senders
	Clock   clock.Clock
	Logger  *slog.Logger
}

// Work issues the code and sends it by email.
func (w *EmailCodeWorker) Work(ctx context.Context, job *river.Job[EmailCodeArgs]) error {
	deps := codeDeps{db: w.DB, senders: w.Senders, clock: w.Clock, logger: w.Logger}
	return sendCode(ctx, deps, job, job.Args.TenantID, job.Args.CodeID, job.Args.Lang, emailChannel)
}

// codeDeps are the two workers' dependencies.
type codeDeps struct {
	db      *db.DB
	senders Senders
	clock   clock.Clock
	logger  *slog.Logger
}

// codeMessage is what a message says; text carries the code.
type codeMessage struct {
	subject string
	text    string
}

// codeChannel is what differs between SMS and email.
type codeChannel struct {
	// name is the db.Code Channel the job may send.
	name string
	// send sends m to to through the tenant's sender for the channel and
	// returns the provider's message id.
	send func(ctx context.Context, s Senders, tenantID uuid.UUID, to string, m codeMessage) (string, error)
}

var smsChannel = codeChannel{
	name: db.ChannelSMS,
	send: func(ctx context.Context, s Senders, tenantID uuid.UUID, to string, m codeMessage) (string, error) {
		sender, err := s.SMS(ctx, tenantID)
		if err != nil {
			return "", err
		}
		return sender.SendSMS(ctx, delivery.SMS{To: to, Body: m.text})
	},
}

var emailChannel = codeChannel{
	name: db.ChannelEmail,
	send: func(ctx context.Context, s Senders, tenantID uuid.UUID, to string, m codeMessage) (string, error) {
		sender, err := s.Email(ctx, tenantID)
		if err != nil {
			return "", err
		}
		return sender.SendEmail(ctx, delivery.Email{To: to, Subject: m.subject, Text: m.text})
	},
}

// recordTimeout bounds the transaction that records a send's outcome.
const recordTimeout = 10 * time.Second

// errWrongChannel: the job's kind does not match the code's channel.
var errWrongChannel = errors.New("the code's channel does not match the job")

// sendCode is one run of a code job. River runs a job at least once, so
// every run first checks, in the transaction that makes the code's value
// (Issue), that the code still needs sending: not sent, not failed, not
// used, not expired. Otherwise it completes without sending, which is also
// how a retry after the code expired ends. The message goes out after that
// transaction commits; then the provider's message id is recorded in the
// transaction that completes the job. A permanent delivery error marks the
// code failed and cancels the job; any other error is returned so that
// River retries with backoff.
//
// The code's value is never logged nor put in an error: the sender's error
// is redacted before it is returned, logged or stored.
func sendCode[T river.JobArgs](ctx context.Context, w codeDeps, job *river.Job[T], tenantID, codeID uuid.UUID, lang string, ch codeChannel) error {
	log := w.logger.With("job_id", job.ID, "attempt", job.Attempt, "tenant_id", tenantID, "code_id", codeID, "channel", ch.name)

	issuedAt := w.clock.Now()
	code, value, tenant, err := w.issue(ctx, tenantID, codeID, ch, issuedAt)
	switch {
	case errors.Is(err, db.ErrNotFound):
		log.InfoContext(ctx, "code no longer needs sending (sent, failed, used or expired); nothing sent")
		return nil
	case errors.Is(err, errWrongChannel):
		// The transaction rolled back, so the code is untouched.
		return river.JobCancel(fmt.Errorf("send code %s: %w", codeID, err))
	case err != nil:
		return fmt.Errorf("issue code %s: %w", codeID, err)
	}

	messageID, err := w.deliver(ctx, ch, tenant, code, value, lang, issuedAt)

	// The message is out (or definitely not): record the outcome even if
	// the job's context was cancelled meanwhile, for a shutdown must not
	// turn a delivered code into a duplicate.
	recordCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
	defer cancel()
	if err == nil {
		return recordSent(recordCtx, w, log, job, tenantID, codeID, messageID)
	}
	return w.recordNotSent(recordCtx, log, job.JobRow, tenantID, codeID, err)
}

// issue makes the code's value, in one transaction, if the code still
// needs sending (db.ErrNotFound otherwise), and loads its tenant for the
// message. A code of another channel is errWrongChannel, rolled back.
func (w codeDeps) issue(ctx context.Context, tenantID, codeID uuid.UUID, ch codeChannel, issuedAt time.Time) (*db.Code, string, *db.Tenant, error) {
	var (
		code   *db.Code
		value  string
		tenant *db.Tenant
	)
	err := w.db.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		s := tx.ForTenant(tenantID)
		var err error
		if code, value, err = s.Codes().Issue(ctx, codeID, issuedAt); err != nil {
			return err
		}
		if code.Channel != ch.name {
			return fmt.Errorf("%w: the code's channel is %s", errWrongChannel, code.Channel)
		}
		tenant, err = s.Tenant(ctx)
		return err
	})
	return code, value, tenant, err
}

// deliver words the message in lang and sends it through the tenant's
// provider for the channel, returning the provider's message id. Its
// error never quotes the code's value (sendError).
func (w codeDeps) deliver(ctx context.Context, ch codeChannel, tenant *db.Tenant, code *db.Code, value, lang string, issuedAt time.Time) (string, error) {
	left := code.ExpiresAt.Sub(issuedAt)
	msg, err := newCodeMessage(tenant, value, left, lang)
	if err != nil {
		return "", err
	}
	msg = tenantCodeMessage(tenant, ch.name, value, left, lang, msg)
	messageID, err := ch.send(ctx, w.senders, tenant.ID, code.Recipient, msg)
	if err != nil {
		return "", &sendError{err: err, value: value}
	}
	return messageID, nil
}

// recordSent records a sent code with the provider's message id and
// completes the job, in one transaction.
func recordSent[T river.JobArgs](ctx context.Context, w codeDeps, log *slog.Logger, job *river.Job[T], tenantID, codeID uuid.UUID, messageID string) error {
	err := w.db.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		err := tx.ForTenant(tenantID).Codes().MarkSent(ctx, codeID, messageID, w.clock.Now())
		if errors.Is(err, db.ErrNotFound) {
			// Another run of this job (rescued while still running)
			// recorded the code first: this message is a duplicate,
			// and Issue made its code stop working.
			log.WarnContext(ctx, "code was already recorded by another run; this message is a duplicate", "message_id", messageID)
		} else if err != nil {
			return err
		}
		_, err = river.JobCompleteTx[riverdriver.Driver[*sql.Tx]](ctx, tx.SQL(), job)
		return err
	})
	if err != nil {
		log.WarnContext(ctx, "code sent but not recorded; a retry sends a new code", "message_id", messageID, "error", err)
		return fmt.Errorf("record code %s as sent: %w", codeID, err)
	}
	log.InfoContext(ctx, "code sent", "message_id", messageID)
	return nil
}

// recordNotSent handles a failed send: a permanent error marks the code
// failed and cancels the job; any other is returned for River to retry,
// and on the last attempt also marks the code failed, saying why.
func (w codeDeps) recordNotSent(ctx context.Context, log *slog.Logger, job *rivertype.JobRow, tenantID, codeID uuid.UUID, err error) error {
	if delivery.IsPermanent(err) {
		if ferr := w.markFailed(ctx, tenantID, codeID, err.Error()); ferr != nil {
			return ferr
		}
		log.WarnContext(ctx, "code cannot be delivered; job cancelled", "error", err)
		return river.JobCancel(fmt.Errorf("send code %s: %w", codeID, err))
	}
	if job.Attempt >= job.MaxAttempts {
		// River discards the job after this run: say why on the code.
		if ferr := w.markFailed(ctx, tenantID, codeID, fmt.Sprintf("gave up after %d attempts: %s", job.Attempt, err)); ferr != nil {
			return ferr
		}
	}
	log.WarnContext(ctx, "code not sent; River retries", "error", err)
	return fmt.Errorf("send code %s: %w", codeID, err)
}

// maxSendErrorLen bounds the reason stored on a failed code.
const maxSendErrorLen = 200

// markFailed records on the code that it cannot be delivered. reason is
// the (redacted) delivery error: a status and a provider code, never the
// message.
func (w codeDeps) markFailed(ctx context.Context, tenantID, codeID uuid.UUID, reason string) error {
	if len(reason) > maxSendErrorLen {
		reason = strings.ToValidUTF8(reason[:maxSendErrorLen], "")
	}
	err := w.db.ForTenant(tenantID).Codes().MarkSendFailed(ctx, codeID, reason, w.clock.Now())
	if err != nil && !errors.Is(err, db.ErrNotFound) {
		return fmt.Errorf("mark code %s as failed: %w", codeID, err)
	}
	return nil
}

// messages are the code messages' words in every language, from the
// same locale files as the hosted pages (namespace "messages"), loaded
// once. They are embedded and checked by the tests, and the server refuses
// to start without them (console.New loads the same files), so an error
// here is a broken build.
var messages = sync.OnceValues(locale.LoadCatalog)

// newCodeMessage returns the message carrying value for tenant, which
// expires after left, in lang: "Your Acme code is 123456. It expires in
// 10 minutes." Without the locale files it fails for good
// (delivery.ErrPermanent): no retry would find them.
func newCodeMessage(tenant *db.Tenant, value string, left time.Duration, lang string) (codeMessage, error) {
	catalog, err := messages()
	if err != nil {
		return codeMessage{}, fmt.Errorf("%w: load the code messages: %w", delivery.ErrPermanent, err)
	}
	l := catalog.Locale(lang, "")
	name := displayName(tenant)
	minutes := minutesLeft(left)
	expires := l.T("messages.code.expires_other", "minutes", minutes)
	if minutes <= 1 {
		expires = l.T("messages.code.expires_one")
	}
	return codeMessage{
		subject: l.T("messages.code.subject", "tenant", name),
		text:    l.T("messages.code.text", "tenant", name, "code", value, "expires", expires),
	}, nil
}

// displayName is the tenant's name made safe for a subject line: control
// characters (a line break would make the email refused as header
// injection) become spaces. An empty name falls back to the slug.
func displayName(t *db.Tenant) string {
	if name := displaySafe(t.Name); name != "" {
		return name
	}
	return t.Slug
}

// displaySafe is s for a subject line: control characters become spaces.
func displaySafe(s string) string {
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s))
}

// sendError is a sender's error with the code's value blanked out of its
// message: senders promise never to quote a message, and this keeps the
// promise for every sender a tenant may configure. Unwrap keeps
// delivery.IsPermanent working.
type sendError struct {
	err   error
	value string
}

func (e *sendError) Error() string {
	return strings.ReplaceAll(e.err.Error(), e.value, "[code]")
}

func (e *sendError) Unwrap() error { return e.err }

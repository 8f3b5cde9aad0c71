package flows

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/jobs"
	"github.com/sesame-id/sesame/tenants"
)

// Verification codes sent by email or SMS, for every purpose (sign-in,
// sign-up, a second factor, binding a phone): one way to send them, so
// every purpose has the same limits.
const (
	// CodeTTL is how long a sent code works.
	CodeTTL = 10 * time.Minute
	// CodeMaxAttempts is how many checks a code allows, right or wrong.
	CodeMaxAttempts = 5
	// CodeSendWindow is the short window of the send limits.
	CodeSendWindow = 10 * time.Minute
	// CodeSendsPerRecipient is how many codes one recipient gets per
	// CodeSendWindow, and CodeSendsPerRecipientPerDay per day.
	CodeSendsPerRecipient       = 3
	CodeSendsPerRecipientPerDay = 10
	// CodeSendsPerIP is how many codes one client IP may ask for per
	// CodeSendWindow in one tenant, against SMS pumping.
	CodeSendsPerIP = 20
	// CodeResendWait is how long the hosted pages wait before they offer
	// "Send a new code" again after a code was sent: with
	// CodeSendsPerRecipient codes per CodeSendWindow, a person who presses
	// it at once would run out of codes within a minute while the first one
	// is still on its way. The server's limits above are the rule; this is
	// the pace the pages keep within them.
	CodeResendWait = 30 * time.Second
)

// CodeToSend is one code SendCode creates.
type CodeToSend struct {
	// FlowID binds the code to its flow: a code checks only in the flow
	// that asked for it.
	FlowID uuid.UUID
	// Purpose says what the code proves: sign_in, sign_up, mfa, bind.
	Purpose string
	// Channel is db.ChannelEmail or db.ChannelSMS; Recipient the address
	// or E.164 number.
	Channel   string
	Recipient string
}

// SendCode creates a verification code and, in the same transaction,
// enqueues the River job that makes its value and sends it: the value
// never appears in a response, the flow or a job's arguments.
//
// Limits, all counted before the code exists and all refusing with
// ErrCodeRateLimited (already marked with Fail, so the counts commit):
// CodeSendsPerIP per client IP, the tenant's Limits.CodeSendsPerHour for
// the whole tenant, and CodeSendsPerRecipient / CodeSendsPerRecipientPerDay
// per recipient. An SMS to a number outside the tenant's allowed calling
// codes is refused with ErrPhoneNotAllowed before anything is counted.
func (d Deps) SendCode(ctx context.Context, tx *db.Tx, t *tenants.Tenant, req RequestInfo, now time.Time, c CodeToSend) (*db.Code, error) {
	if c.Channel == db.ChannelSMS && !t.Settings.SMS.Allows(c.Recipient) {
		return nil, ErrPhoneNotAllowed
	}
	if d.Jobs == nil {
		return nil, errors.New("send code: no job inserter configured")
	}
	hits := []struct {
		key    string
		max    int
		window time.Duration
	}{
		{"ip:" + req.IP + ":code_send", CodeSendsPerIP, CodeSendWindow},
		{"code_send", t.Settings.Limits.CodeSendsPerHour, time.Hour},
	}
	over := false
	for _, h := range hits {
		n, err := tx.ForTenant(t.ID).Hit(ctx, h.key, h.window, now)
		if err != nil {
			return nil, err
		}
		over = over || n > h.max
	}
	if over {
		return nil, Fail(ErrCodeRateLimited)
	}
	flowID := c.FlowID
	code := &db.Code{
		FlowID:      &flowID,
		Purpose:     c.Purpose,
		Channel:     c.Channel,
		Recipient:   c.Recipient,
		MaxAttempts: CodeMaxAttempts,
		ExpiresAt:   now.Add(CodeTTL).UTC(),
	}
	err := tx.ForTenant(t.ID).Codes().Create(ctx, code, now,
		db.SendLimit{Max: CodeSendsPerRecipient, Window: CodeSendWindow},
		db.SendLimit{Max: CodeSendsPerRecipientPerDay, Window: 24 * time.Hour})
	if errors.Is(err, db.ErrRateLimited) {
		return nil, Fail(ErrCodeRateLimited)
	}
	if err != nil {
		return nil, err
	}
	lang := req.Lang
	if lang == "" {
		lang = t.Settings.DefaultLocale
	}
	var args river.JobArgs = jobs.EmailCodeArgs{TenantID: t.ID, CodeID: code.ID, Lang: lang}
	if c.Channel == db.ChannelSMS {
		args = jobs.SMSCodeArgs{TenantID: t.ID, CodeID: code.ID, Lang: lang}
	}
	if _, err := d.Jobs.InsertTx(ctx, tx.SQL(), args, nil); err != nil {
		return nil, err
	}
	return code, nil
}

// CheckCode checks a code SendCode made for this flow and purpose. Check
// counts the attempt atomically (at most CodeMaxAttempts per code); each
// refusal is marked with Fail so the count commits: ErrInvalidCode,
// ErrCodeLocked, ErrCodeExpired. A code of another flow, purpose, channel
// or recipient is a wrong code.
func CheckCode(ctx context.Context, scope db.Scope, id uuid.UUID, input string, now time.Time, want CodeToSend) (*db.Code, error) {
	if input == "" {
		return nil, ErrInvalidInput.WithField("code", "Enter the code we sent you.")
	}
	code, err := scope.Codes().Check(ctx, id, input, now)
	switch {
	case errors.Is(err, db.ErrCodeWrong):
		return nil, Fail(ErrInvalidCode)
	case errors.Is(err, db.ErrCodeLocked):
		return nil, Fail(ErrCodeLocked)
	case errors.Is(err, db.ErrCodeExpired):
		return nil, Fail(ErrCodeExpired)
	case err != nil:
		return nil, err
	}
	if code.FlowID == nil || *code.FlowID != want.FlowID || code.Purpose != want.Purpose ||
		code.Channel != want.Channel || code.Recipient != want.Recipient {
		return nil, Fail(ErrInvalidCode)
	}
	return code, nil
}

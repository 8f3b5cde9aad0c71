package signin

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/riverqueue/river"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/jobs"
	"github.com/sesame-id/sesame/tenants"
)

// Sign-in by a code sent by email (method email_code, for an email
// identifier) or SMS (sms_code, for a phone number).
//
// code.send creates a db.Code (purpose sign_in, bound to the flow) for the
// identifier typed and, in the same transaction, enqueues the River job
// that makes the code's value and sends it; the value never appears in a
// response, the flow or a job's arguments. The flow keeps the code's id,
// so code.verify checks that code only: a code sent for another flow is a
// wrong code here.
//
// Unknown identifiers: code.send does exactly what it does for a known
// account — the same limits, a code row, a job, the same response — so
// neither the response nor its timing tells whether the account exists.
// The message does go out; whoever reads it controls the address, and
// code.verify then fails for every code, the right one included, exactly
// as a wrong code fails (invalid_code). A disabled account is treated the
// same way.
//
// amr (RFC 8176): an email code is "otp" (a one-time password), an SMS
// code "sms".
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
)

// Output of code.send.
type codeSent struct {
	// Channel is email or sms; SentTo is the identifier typed.
	Channel string `json:"channel"`
	SentTo  string `json:"sent_to"`
}

// codeMethod returns the method and channel for an identifier kind.
func codeMethod(kind string) (method, channel string, ok bool) {
	switch kind {
	case tenants.IdentifierEmail:
		return MethodEmailCode, db.ChannelEmail, true
	case tenants.IdentifierPhone:
		return MethodSMSCode, db.ChannelSMS, true
	}
	return "", "", false
}

func (a *actions) codeSend(ctx context.Context, step *flows.Step[Context]) error {
	if err := flows.DecodeInput(step.Input, &struct{}{}); err != nil {
		return err
	}
	c := step.Context
	method, channel, ok := codeMethod(c.IdentifierKind)
	if !ok || !slices.Contains(fallbackMethods(step.Tenant, c.IdentifierKind), method) {
		return flows.ErrMethodNotAvailable.WithField("", "Sign-in with a code is not available for this kind of account name. Choose another way to sign in.")
	}
	if channel == db.ChannelSMS && !step.Tenant.Settings.SMS.Allows(c.Identifier) {
		return flows.ErrPhoneNotAllowed
	}
	if a.Jobs == nil {
		return errors.New("sign-in code: no job inserter configured")
	}

	// Counted first, and committed even when refused (flows.Fail).
	over, err := a.overLimit(ctx, step, []limit{{key: "ip:" + step.Request.IP + ":code_send", max: CodeSendsPerIP}}, CodeSendWindow)
	if err != nil {
		return err
	}
	if over {
		a.audit(ctx, step, method, c.UserID, flows.ErrCodeRateLimited.Code)
		return flows.Fail(flows.ErrCodeRateLimited)
	}
	flowID := step.Flow.ID
	code := &db.Code{
		FlowID:      &flowID,
		Purpose:     "sign_in",
		Channel:     channel,
		Recipient:   c.Identifier,
		MaxAttempts: CodeMaxAttempts,
		ExpiresAt:   step.Now.Add(CodeTTL).UTC(),
	}
	err = step.Scope.Codes().Create(ctx, code, step.Now,
		db.SendLimit{Max: CodeSendsPerRecipient, Window: CodeSendWindow},
		db.SendLimit{Max: CodeSendsPerRecipientPerDay, Window: 24 * time.Hour})
	if errors.Is(err, db.ErrRateLimited) {
		a.audit(ctx, step, method, c.UserID, flows.ErrCodeRateLimited.Code)
		return flows.Fail(flows.ErrCodeRateLimited)
	}
	if err != nil {
		return err
	}
	var args river.JobArgs = jobs.EmailCodeArgs{TenantID: step.Tenant.ID, CodeID: code.ID}
	if channel == db.ChannelSMS {
		args = jobs.SMSCodeArgs{TenantID: step.Tenant.ID, CodeID: code.ID}
	}
	if _, err := a.Jobs.InsertTx(ctx, step.Tx.SQL(), args, nil); err != nil {
		return err
	}
	step.TakeCeremony()
	id := code.ID
	c.CodeID = &id
	step.Next = Code
	step.Output = codeSent{Channel: channel, SentTo: c.Identifier}
	a.audit(ctx, step, method, c.UserID, "code_sent")
	return nil
}

func (a *actions) codeVerify(ctx context.Context, step *flows.Step[Context]) error {
	var in struct {
		Code string `json:"code"`
	}
	if err := flows.DecodeInput(step.Input, &in); err != nil {
		return err
	}
	if in.Code == "" {
		return flows.ErrInvalidInput.WithField("code", "Enter the code we sent you.")
	}
	c := step.Context
	method, channel, ok := codeMethod(c.IdentifierKind)
	if !ok || c.CodeID == nil {
		return flows.ErrActionNotAllowed
	}
	if !slices.Contains(fallbackMethods(step.Tenant, c.IdentifierKind), method) {
		return flows.ErrMethodNotAvailable
	}
	wrong := func() error {
		a.audit(ctx, step, method, c.UserID, flows.ErrInvalidCode.Code)
		return flows.Fail(flows.ErrInvalidCode)
	}
	// Check counts the attempt atomically (at most CodeMaxAttempts per
	// code); every failure below is a flows.Fail so the count commits.
	code, err := step.Scope.Codes().Check(ctx, *c.CodeID, in.Code, step.Now)
	switch {
	case errors.Is(err, db.ErrCodeWrong):
		return wrong()
	case errors.Is(err, db.ErrCodeLocked):
		a.audit(ctx, step, method, c.UserID, flows.ErrCodeLocked.Code)
		return flows.Fail(flows.ErrCodeLocked)
	case errors.Is(err, db.ErrCodeExpired):
		a.audit(ctx, step, method, c.UserID, flows.ErrCodeExpired.Code)
		return flows.Fail(flows.ErrCodeExpired)
	case err != nil:
		return err
	}
	// The flow holds the code's id; this checks the row agrees.
	if code.FlowID == nil || *code.FlowID != step.Flow.ID || code.Purpose != "sign_in" ||
		code.Channel != channel || code.Recipient != c.Identifier {
		return wrong()
	}
	if c.UserID == nil {
		return wrong()
	}
	user, err := step.Scope.Users().ByID(ctx, *c.UserID)
	if errors.Is(err, db.ErrNotFound) {
		return wrong()
	}
	if err != nil {
		return err
	}
	if user.DisabledAt != nil {
		return wrong()
	}
	if user.SSO {
		a.audit(ctx, step, method, &user.ID, flows.ErrSSORequired.Code)
		return flows.Fail(flows.ErrSSORequired)
	}
	c.CodeID = nil
	amr := flows.AMROTP
	if channel == db.ChannelSMS {
		amr = flows.AMRSMS
	}
	return a.firstFactorPassed(ctx, step, user, method, amr)
}

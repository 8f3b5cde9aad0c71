package flows

import (
	"context"
	"errors"

	"github.com/sesame-id/sesame/internal/captcha"
	"github.com/sesame-id/sesame/tenants"
)

// CaptchaVerifier checks a CAPTCHA token with the tenant's provider;
// *captcha.Verifier implements it. Its errors wrap captcha.ErrMissingToken,
// captcha.ErrFailed or captcha.ErrUnavailable.
type CaptchaVerifier interface {
	Verify(ctx context.Context, cfg tenants.Captcha, token, remoteIP string) error
}

var _ CaptchaVerifier = (*captcha.Verifier)(nil)

// checkCaptcha runs before a guarded action: with the tenant's CAPTCHA on,
// the request's token must pass, or the request is refused before the flow
// is loaded, so a refusal consumes nothing. It runs outside the request's
// transaction, so a slow provider holds no database connection.
//
// It fails closed: when the provider cannot be reached, the request is
// refused (ErrCaptchaUnavailable) and the outage logged, because a CAPTCHA
// that an outage switches off is switched off by anyone able to cause one.
func (e *Engine[C]) checkCaptcha(ctx context.Context, t *tenants.Tenant, action string, req RequestInfo) error {
	if !e.captchaActions[action] || t.Settings.Captcha.Provider == tenants.CaptchaOff {
		return nil
	}
	err := e.captcha.Verify(ctx, t.Settings.Captcha, req.Captcha, req.IP)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, captcha.ErrMissingToken):
		e.logger.InfoContext(ctx, "captcha refused", "tenant", t.ID, "kind", e.m.Kind, "action", action, "ip", req.IP, "reason", "no token")
		return ErrCaptchaRequired
	case errors.Is(err, captcha.ErrFailed):
		// The error names the provider's error codes, never the secret.
		e.logger.InfoContext(ctx, "captcha refused", "tenant", t.ID, "kind", e.m.Kind, "action", action, "ip", req.IP, "reason", err.Error())
		return ErrCaptchaFailed
	default:
		e.logger.ErrorContext(ctx, "captcha check unavailable; request refused", "tenant", t.ID, "kind", e.m.Kind, "action", action, "provider", t.Settings.Captcha.Provider, "err", err)
		return ErrCaptchaUnavailable
	}
}

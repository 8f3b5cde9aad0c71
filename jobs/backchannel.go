package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/clock"
)

const (
	// backchannelMaxAttempts bounds how often a logout token is posted.
	// With River's default backoff (attempt⁴ seconds) the last attempt
	// comes about a quarter of an hour after the first.
	backchannelMaxAttempts = 6
	// LogoutTokenTTL is how long a logout token is valid: each attempt
	// signs a new one, so it need only outlive one delivery.
	LogoutTokenTTL = 2 * time.Minute
	// BackchannelLogoutEvent is the event a logout token carries.
	BackchannelLogoutEvent = "http://schemas.openid.net/event/backchannel-logout"
	// backchannelTimeout bounds one delivery by the default HTTP client.
	backchannelTimeout = 10 * time.Second
)

// LogoutSigner signs a tenant's logout tokens with its key for alg (the
// application's ID token algorithm), as a JWT of type logout+jwt.
// flows/provider's KeyRing implements it.
type LogoutSigner interface {
	SignLogoutToken(ctx context.Context, tenantID uuid.UUID, alg string, claims []byte) (string, error)
}

// BackchannelLogoutArgs is the job that tells an application that a
// session it took part in has ended (OpenID Connect Back-Channel Logout
// 1.0). flows.EndSession inserts one per application with a back-channel
// logout URI, in the transaction that ends the session.
type BackchannelLogoutArgs struct {
	TenantID uuid.UUID `json:"tenant_id"`
	ClientID string    `json:"client_id"`
	// Issuer is the origin the application's tokens came from.
	Issuer    string    `json:"issuer"`
	Subject   string    `json:"sub"`
	SessionID uuid.UUID `json:"sid"`
}

// Kind identifies the job in River's tables.
func (BackchannelLogoutArgs) Kind() string { return "backchannel_logout" }

// InsertOpts puts the job on the default queue with backchannelMaxAttempts.
func (BackchannelLogoutArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueDefault, MaxAttempts: backchannelMaxAttempts}
}

// BackchannelLogoutWorker works BackchannelLogoutArgs: it signs a logout
// token and POSTs it to the application's back-channel logout URI. A
// network error or an answer other than 2xx fails the attempt, and River
// retries it with backoff.
type BackchannelLogoutWorker struct {
	river.WorkerDefaults[BackchannelLogoutArgs]

	DB     *db.DB
	Signer LogoutSigner
	// HTTP posts the tokens: it must have a timeout and not follow
	// redirects (see NewBackchannelHTTPClient).
	HTTP   *http.Client
	Clock  clock.Clock
	Logger *slog.Logger
}

// Work delivers one logout token. An application that is gone or no
// longer has a URI is not told.
func (w *BackchannelLogoutWorker) Work(ctx context.Context, job *river.Job[BackchannelLogoutArgs]) error {
	a := job.Args
	if w.Signer == nil {
		return river.JobCancel(errors.New("back-channel logout: no logout signer configured"))
	}
	app, err := w.DB.ForTenant(a.TenantID).OIDCApps().ByClientID(ctx, a.ClientID)
	if errors.Is(err, db.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if app.BackchannelLogoutURI == "" {
		return nil
	}
	claims, err := logoutClaims(a, w.Clock.Now())
	if err != nil {
		return err
	}
	token, err := w.Signer.SignLogoutToken(ctx, a.TenantID, app.IDTokenAlg, claims)
	if err != nil {
		return fmt.Errorf("sign logout token for %q: %w", a.ClientID, err)
	}
	if err := w.post(ctx, app.BackchannelLogoutURI, token); err != nil {
		w.Logger.WarnContext(ctx, "back-channel logout not delivered", "tenant", a.TenantID, "client_id", a.ClientID,
			"attempt", job.Attempt, "err", err)
		return err
	}
	return nil
}

// logoutClaims are a logout token's claims (Back-Channel Logout 1.0 §2.4):
// iss, aud, iat, exp, a fresh jti, sub, sid and the logout event; never a
// nonce.
func logoutClaims(a BackchannelLogoutArgs, now time.Time) ([]byte, error) {
	return json.Marshal(map[string]any{
		"iss":    a.Issuer,
		"aud":    []string{a.ClientID},
		"iat":    now.Unix(),
		"exp":    now.Add(LogoutTokenTTL).Unix(),
		"jti":    uuid.NewString(),
		"sub":    a.Subject,
		"sid":    a.SessionID.String(),
		"events": map[string]any{BackchannelLogoutEvent: map[string]any{}},
	})
}

// post sends the token; only a 2xx answer is a delivery.
func (w *BackchannelLogoutWorker) post(ctx context.Context, uri, token string) error {
	body := url.Values{"logout_token": {token}}.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, uri, strings.NewReader(body))
	if err != nil {
		return fmt.Errorf("back-channel logout request: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := w.HTTP.Do(req)
	if err != nil {
		return fmt.Errorf("back-channel logout: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("back-channel logout: the application answered %d", resp.StatusCode)
	}
	return nil
}

package flows

import (
	"context"
	"database/sql"
	"log/slog"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows/passkey"
	"github.com/sesame-id/sesame/internal/captcha"
	"github.com/sesame-id/sesame/internal/clock"
)

// Deps are what every flow kind's actions need. Clock and Logger default
// to the wall clock and a discarding logger.
type Deps struct {
	DB       *db.DB
	Passkeys *passkey.Service
	Clock    clock.Clock
	Logger   *slog.Logger
	// Jobs enqueues background jobs (codes to send) in the request's
	// transaction; the River client (jobs.Client) satisfies it.
	Jobs JobInserter
	// Captcha checks CAPTCHA tokens for the actions a machine guards
	// (Transition.Captcha). Default: a captcha.Verifier calling the
	// providers' real siteverify APIs.
	Captcha CaptchaVerifier
	// Observer, when set, sees every step of the engines built from these
	// Deps (metrics and traces, internal/telemetry). Default nil: none.
	Observer StepObserver

	// AuthRequests completes an application's authorization request in
	// the transaction of the step that signs in for it (the OpenID
	// Provider's flows/provider.SignIns). Nil: a sign-in answers none,
	// and the page returns to the provider's /oidc/login instead.
	AuthRequests AuthRequestCompleter

	// Devices tells a sign-in from a browser its user signed in from
	// before (the device cookie, RequestInfo.Device). Nil: every device is
	// known, and no sign-in is reported as new.
	Devices *Devices
}

// JobInserter inserts a job in a transaction, so that the job exists if
// and only if the transaction commits.
type JobInserter interface {
	InsertTx(ctx context.Context, tx *sql.Tx, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
}

// WithDefaults returns d with Clock, Logger and Captcha set.
func (d Deps) WithDefaults() Deps {
	if d.Clock == nil {
		d.Clock = clock.Real{}
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.Captcha == nil {
		d.Captcha = captcha.NewVerifier(captcha.VerifierConfig{})
	}
	return d
}

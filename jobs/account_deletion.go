package jobs

import (
	"context"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"

	"github.com/sesame-id/sesame/internal/clock"
)

// AccountDeletionArgs removes one account pending deletion once its grace
// period is over. The account service (flows/account) schedules it, in the
// transaction that marks the account, at the end of the tenant's grace
// period.
type AccountDeletionArgs struct {
	TenantID uuid.UUID `json:"tenant_id"`
	UserID   uuid.UUID `json:"user_id"`
}

// Kind identifies the job in River's tables.
func (AccountDeletionArgs) Kind() string { return "account_deletion" }

// InsertOpts puts the job on the maintenance queue.
func (AccountDeletionArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueMaintenance, MaxAttempts: 10}
}

// AccountRemover removes an account pending deletion whose grace period is
// over: its sessions ended as a sign-out ends them (back-channel logout),
// then the user and everything of theirs. It returns when the account is
// due, if it is not yet, and the zero time when there is nothing left to
// do (removed, never marked, or the deletion was cancelled).
// flows/account's Service implements it.
type AccountRemover interface {
	RemoveAccount(ctx context.Context, tenantID, userID uuid.UUID) (due time.Time, err error)
}

// AccountDeletionWorker works AccountDeletionArgs.
type AccountDeletionWorker struct {
	river.WorkerDefaults[AccountDeletionArgs]

	Remover AccountRemover
	Clock   clock.Clock
	Logger  *slog.Logger
}

// Work removes the account, or waits until it is due: a grace period made
// longer after the job was scheduled snoozes it. Running it twice is safe:
// a removed account is nothing left to do.
func (w *AccountDeletionWorker) Work(ctx context.Context, job *river.Job[AccountDeletionArgs]) error {
	if w.Remover == nil {
		w.Logger.ErrorContext(ctx, "account deletion: no remover configured", "tenant", job.Args.TenantID)
		return river.JobCancel(errNoRemover)
	}
	due, err := w.Remover.RemoveAccount(ctx, job.Args.TenantID, job.Args.UserID)
	if err != nil {
		return err
	}
	if !due.IsZero() {
		return river.JobSnooze(max(due.Sub(w.Clock.Now()), time.Second))
	}
	return nil
}

type noRemover struct{}

func (noRemover) Error() string { return "no account remover configured" }

var errNoRemover error = noRemover{}

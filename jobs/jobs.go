// Package jobs runs Sesame's background work on River: one client per
// process, on *sql.Tx for both PostgreSQL and SQLite, so a job is enqueued
// with InsertTx in the same transaction as the row that needs it. On
// PostgreSQL the workers wake when that transaction commits (River's insert
// notification, see db.RiverDriver); on SQLite they poll.
//
// Every job follows one pattern: an args type (its Kind and InsertOpts in
// the same file), a worker type named after it holding its dependencies as
// fields, and a line in NewClient that registers it. Periodic jobs are
// declared in periodicJobs.
package jobs

import (
	"database/sql"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/clock"
	"github.com/sesame-id/sesame/internal/delivery"
)

// Queue names. Maintenance work never delays code delivery.
const (
	QueueDefault     = river.QueueDefault
	QueueMaintenance = "maintenance"
)

// Config configures the job client. The zero value of every field means
// its default.
type Config struct {
	// MaxWorkers is how many jobs of the default queue run at once on this
	// process. Default 10.
	MaxWorkers int

	// FetchPollInterval is how often idle workers look for new jobs. On
	// PostgreSQL workers wake when a job's transaction commits (see
	// db.RiverDriver), so polling only catches what a lost notification
	// missed: default PollIntervalListening. SQLite has no notifications,
	// so there it bounds how long a new job waits: default
	// PollIntervalPolling.
	FetchPollInterval time.Duration

	// FetchCooldown is the least time between two fetches of one queue
	// while jobs keep arriving: a job committed sooner after the last
	// fetch waits for the cooldown to end. It must not exceed
	// FetchPollInterval. Default 5ms (River's own default of 100ms adds up
	// to 100ms to a code sent soon after another).
	FetchCooldown time.Duration

	// CleanupInterval is how often expired rows are deleted. Default 5m.
	CleanupInterval time.Duration

	// CleanupBatch is the most rows deleted per table per statement.
	// Default 1000.
	CleanupBatch int

	// Clock tells workers the time. Default: the wall clock.
	Clock clock.Clock

	// Logger receives River's and the workers' logs. Default: discard.
	Logger *slog.Logger

	// Senders gives the code-sending workers each tenant's SMS and email
	// senders. Default: one development delivery.Outbox for both channels,
	// which keeps messages in memory and logs to Logger that one was kept
	// (never its text); NewClient warns when it is used.
	Senders Senders

	// RetryPolicy decides when a failed job runs again. Default: River's
	// DefaultClientRetryPolicy, attempt⁴ seconds plus jitter (1s, 16s,
	// 81s, ...). Tests set a short one so that retries do not take
	// seconds.
	RetryPolicy river.ClientRetryPolicy

	// LogoutSigner signs the back-channel logout tokens with each tenant's
	// key (flows/provider's KeyRing). Default nil: logout jobs are
	// cancelled, logged as unconfigured.
	LogoutSigner LogoutSigner

	// LogoutHTTPClient posts the logout tokens. Default:
	// NewBackchannelHTTPClient (a 10s timeout, no redirects, public
	// addresses only unless LogoutPrivateAddresses).
	LogoutHTTPClient *http.Client
	// LogoutPrivateAddresses lets the default LogoutHTTPClient post to
	// loopback and private addresses: development and tests, whose
	// applications run on 127.0.0.1. Default false.
	LogoutPrivateAddresses bool

	// WebhookHTTPClient posts the webhook deliveries. Default:
	// NewBackchannelHTTPClient's rules (a 10s timeout, no redirects, public
	// addresses only unless WebhookPrivateAddresses).
	WebhookHTTPClient *http.Client
	// WebhookPrivateAddresses lets the default WebhookHTTPClient post to
	// loopback and private addresses (the server setting
	// --webhook-private-addresses; development and tests). Default false.
	WebhookPrivateAddresses bool
	// WebhookBackoff is the delay before a failed delivery's first retry;
	// each next one doubles it, up to an hour. Default 10s.
	WebhookBackoff time.Duration

	// Middleware wraps every job River works (internal/telemetry's
	// metrics and spans). Default none.
	Middleware []rivertype.Middleware

	// AccountRemover removes accounts whose deletion grace period is over
	// (flows/account's Service). Default nil: account-deletion jobs are
	// cancelled, logged as unconfigured.
	AccountRemover AccountRemover
}

// The default FetchPollInterval where workers are woken by notifications,
// and where they are not. Where they are, a poll only catches a job whose
// notification was lost (the listener reconnecting), and each costs a
// statement per queue: at 5s an idle server measured 4-6ms of CPU a second
// on a busy shared 2-core machine, most of it waking up for River's fixed
// timers, where a 100ms poll cost 36ms (README, Performance).
const (
	PollIntervalListening = 5 * time.Second
	PollIntervalPolling   = 100 * time.Millisecond
)

// WithDefaults returns c with every zero field set to its default, for a
// database whose workers poll (see WithDefaultsFor).
func (c Config) WithDefaults() Config { return c.WithDefaultsFor(false) }

// WithDefaultsFor returns c with every zero field set to its default;
// listens says whether the workers are woken by notifications
// (db.DB.RiverListens), which sets the default poll interval.
func (c Config) WithDefaultsFor(listens bool) Config {
	if c.MaxWorkers == 0 {
		c.MaxWorkers = 10
	}
	if c.FetchPollInterval == 0 {
		c.FetchPollInterval = PollIntervalPolling
		if listens {
			c.FetchPollInterval = PollIntervalListening
		}
	}
	if c.FetchCooldown == 0 {
		c.FetchCooldown = 5 * time.Millisecond
	}
	if c.CleanupInterval == 0 {
		c.CleanupInterval = 5 * time.Minute
	}
	if c.CleanupBatch == 0 {
		c.CleanupBatch = 1000
	}
	if c.Clock == nil {
		c.Clock = clock.Real{}
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.LogoutHTTPClient == nil {
		c.LogoutHTTPClient = NewBackchannelHTTPClient(c.LogoutPrivateAddresses)
	}
	if c.WebhookHTTPClient == nil {
		c.WebhookHTTPClient = NewBackchannelHTTPClient(c.WebhookPrivateAddresses)
	}
	if c.WebhookBackoff == 0 {
		c.WebhookBackoff = 10 * time.Second
	}
	if c.Senders == nil {
		outbox := delivery.NewOutbox(delivery.OutboxConfig{Logger: c.Logger, Clock: c.Clock})
		c.Senders = StaticSenders{SMSSender: outbox, EmailSender: outbox}
	}
	return c
}

func (c Config) validate() error {
	switch {
	case c.MaxWorkers < 1:
		return fmt.Errorf("jobs: MaxWorkers must be at least 1, got %d", c.MaxWorkers)
	case c.FetchCooldown < time.Millisecond:
		return fmt.Errorf("jobs: FetchCooldown must be at least 1ms, got %s", c.FetchCooldown)
	case c.FetchPollInterval < c.FetchCooldown:
		return fmt.Errorf("jobs: FetchPollInterval (%s) must not be less than FetchCooldown (%s)", c.FetchPollInterval, c.FetchCooldown)
	case c.CleanupInterval < time.Second:
		return fmt.Errorf("jobs: CleanupInterval must be at least 1s, got %s", c.CleanupInterval)
	case c.CleanupBatch < 1:
		return fmt.Errorf("jobs: CleanupBatch must be at least 1, got %d", c.CleanupBatch)
	}
	return nil
}

// Client is River's client as Sesame uses it: transactions are *sql.Tx.
type Client = river.Client[*sql.Tx]

// NewClient returns a River client over d with every Sesame worker and
// periodic job registered. Start it to work jobs; a client that is never
// started can still insert them.
func NewClient(d *db.DB, cfg Config) (*Client, error) {
	outbox := cfg.Senders == nil
	cfg = cfg.WithDefaultsFor(d.RiverListens())
	if err := cfg.validate(); err != nil {
		return nil, err
	}

	workers := river.NewWorkers()
	river.AddWorker(workers, &CleanupWorker{DB: d, Clock: cfg.Clock, Batch: cfg.CleanupBatch, Logger: cfg.Logger})
	river.AddWorker(workers, &SMSCodeWorker{DB: d, Senders: cfg.Senders, Clock: cfg.Clock, Logger: cfg.Logger})
	river.AddWorker(workers, &EmailCodeWorker{DB: d, Senders: cfg.Senders, Clock: cfg.Clock, Logger: cfg.Logger})
	river.AddWorker(workers, &InvitationWorker{DB: d, Senders: cfg.Senders, Clock: cfg.Clock, Logger: cfg.Logger})
	river.AddWorker(workers, &RecoveryLinkWorker{DB: d, Senders: cfg.Senders, Clock: cfg.Clock, Logger: cfg.Logger})
	river.AddWorker(workers, &SecurityNoticeWorker{DB: d, Senders: cfg.Senders, Clock: cfg.Clock, Logger: cfg.Logger})
	river.AddWorker(workers, &BackchannelLogoutWorker{DB: d, Signer: cfg.LogoutSigner, HTTP: cfg.LogoutHTTPClient, Clock: cfg.Clock, Logger: cfg.Logger})
	river.AddWorker(workers, &WebhookDeliveryWorker{DB: d, HTTP: cfg.WebhookHTTPClient, Clock: cfg.Clock, Backoff: cfg.WebhookBackoff, Logger: cfg.Logger})
	river.AddWorker(workers, &AccountDeletionWorker{Remover: cfg.AccountRemover, Clock: cfg.Clock, Logger: cfg.Logger})
	if outbox {
		cfg.Logger.Warn("jobs: no senders configured; codes go to the development outbox and are never delivered")
	}

	client, err := river.NewClient(d.RiverDriver(), &river.Config{
		// River spaces the insert notifications one client sends for a
		// queue by the client's FetchCooldown. At River's minimum nearly
		// every transaction that enqueues a job notifies, so none waits for
		// a poll because another notified a moment before it and committed
		// first. Each queue's FetchCooldown still spaces its fetches.
		FetchCooldown:     river.FetchCooldownMin,
		FetchPollInterval: cfg.FetchPollInterval,
		Logger:            cfg.Logger,
		PeriodicJobs:      periodicJobs(cfg),
		Queues: map[string]river.QueueConfig{
			QueueDefault:     {MaxWorkers: cfg.MaxWorkers, FetchCooldown: cfg.FetchCooldown},
			QueueMaintenance: {MaxWorkers: 1, FetchCooldown: cfg.FetchCooldown},
		},
		Middleware:  cfg.Middleware,
		RetryPolicy: cfg.RetryPolicy,
		Workers:     workers,
	})
	if err != nil {
		return nil, fmt.Errorf("create job client: %w", err)
	}
	return client, nil
}

func periodicJobs(cfg Config) []*river.PeriodicJob {
	return []*river.PeriodicJob{
		river.NewPeriodicJob(
			river.PeriodicInterval(cfg.CleanupInterval),
			func() (river.JobArgs, *river.InsertOpts) { return CleanupArgs{}, nil },
			&river.PeriodicJobOpts{ID: "cleanup", RunOnStart: true},
		),
	}
}

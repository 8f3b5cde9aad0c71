package server

import (
	"log/slog"
	"net/http"
	"strconv"
	"sync"

	"github.com/google/uuid"

	"github.com/sesame-id/sesame/internal/errcode"
	"github.com/sesame-id/sesame/tenants"
)

// Defaults of AdmissionConfig.
const (
	DefaultTenantInFlight = 64
	DefaultTotalInFlight  = 256
)

// AdmissionConfig bounds the requests served at once. Zero fields take
// the defaults; a negative field turns that bound off.
type AdmissionConfig struct {
	// TenantInFlight is the most requests of one tenant served at once.
	TenantInFlight int
	// TotalInFlight is the most requests of all tenants served at once.
	// Kept above TenantInFlight, it leaves TotalInFlight - TenantInFlight
	// places to the other tenants while one tenant holds all of its own:
	// a tenant's flood never takes the whole server.
	TotalInFlight int
	// RetryAfter is the Retry-After a refusal carries, in seconds.
	// Default 1.
	RetryAfter int
}

// Admission is the one admission limiter of the tenant hosts: a request
// is served when its tenant has fewer than TenantInFlight in flight and
// the server fewer than TotalInFlight; otherwise it is refused at once,
// before any statement, with 429 tenant_busy (its tenant's share is full)
// or 503 server_busy (the server's is), each with Retry-After. A request
// never waits for a place: under a load above what the machine serves,
// what is admitted keeps its latency and the rest is told to come back.
type Admission struct {
	cfg    AdmissionConfig
	logger *slog.Logger

	mu     sync.Mutex
	tenant map[uuid.UUID]int
	total  int
}

// NewAdmission returns the limiter of cfg.
func NewAdmission(cfg AdmissionConfig, logger *slog.Logger) *Admission {
	if cfg.TenantInFlight == 0 {
		cfg.TenantInFlight = DefaultTenantInFlight
	}
	if cfg.TotalInFlight == 0 {
		cfg.TotalInFlight = DefaultTotalInFlight
	}
	if cfg.RetryAfter <= 0 {
		cfg.RetryAfter = 1
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Admission{cfg: cfg, logger: logger, tenant: make(map[uuid.UUID]int)}
}

// Handler admits next's requests by the tenant tenants.Router put in
// their context; a request without one passes (the router answers those).
func (a *Admission) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t, ok := tenants.FromContext(r.Context())
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		if err := a.acquire(t.ID); err != nil {
			w.Header().Set("Retry-After", strconv.Itoa(a.cfg.RetryAfter))
			Fail(a.logger, w, r, err)
			return
		}
		defer a.release(t.ID)
		next.ServeHTTP(w, r)
	})
}

// acquire takes a place for a request of tenant id, or says which bound
// refuses it.
func (a *Admission) acquire(id uuid.UUID) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if n := a.cfg.TenantInFlight; n > 0 && a.tenant[id] >= n {
		return errcode.ErrTenantBusy
	}
	if n := a.cfg.TotalInFlight; n > 0 && a.total >= n {
		return errcode.ErrServerBusy
	}
	a.tenant[id]++
	a.total++
	return nil
}

func (a *Admission) release(id uuid.UUID) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.total--
	if a.tenant[id]--; a.tenant[id] <= 0 {
		delete(a.tenant, id)
	}
}

// InFlight returns the requests of tenant id in flight and of all tenants.
func (a *Admission) InFlight(id uuid.UUID) (tenant, total int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.tenant[id], a.total
}

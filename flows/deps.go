package flows

import (
	"log/slog"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows/passkey"
	"github.com/sesame-id/sesame/internal/clock"
)

// Deps are what every flow kind's actions need. Clock and Logger default
// to the wall clock and a discarding logger.
type Deps struct {
	DB       *db.DB
	Passkeys *passkey.Service
	Clock    clock.Clock
	Logger   *slog.Logger
}

// WithDefaults returns d with Clock and Logger set.
func (d Deps) WithDefaults() Deps {
	if d.Clock == nil {
		d.Clock = clock.Real{}
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	return d
}

package samlsp

import (
	"time"

	"github.com/jonboulle/clockwork"
)

// funcClock is the clock the library reads (through goxmldsig's Clock):
// the real clock for timers, the SP's now for the time of day, so that
// every time check of an SP follows the clock New was given.
type funcClock struct {
	clockwork.Clock
	now func() time.Time
}

func (c funcClock) Now() time.Time { return c.now() }

// The clockwork methods that read the time of day follow now too.
func (c funcClock) Since(t time.Time) time.Duration { return c.now().Sub(t) }
func (c funcClock) Until(t time.Time) time.Duration { return t.Sub(c.now()) }

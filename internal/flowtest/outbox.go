package flowtest

import (
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/internal/delivery"
)

// codeWait bounds how long [CodeTo] waits for the job client to deliver a
// message: it polls every few milliseconds, so a message arrives within
// well under a second on an idle machine.
const codeWait = 15 * time.Second

// sixDigits finds a code in a message.
var sixDigits = regexp.MustCompile(`\b\d{6}\b`)

// Sent returns how many messages o holds for to.
func Sent(o *delivery.Outbox, to string) int {
	n := 0
	for _, m := range o.Messages() {
		if m.To == to {
			n++
		}
	}
	return n
}

// CodeTo waits until o holds more than before messages for to and returns
// the six-digit code in the newest one, failing the test when none comes
// or the newest holds no code. Take before with [Sent] ahead of the action
// that sends, so that an older code is never read as the new one.
func CodeTo(t testing.TB, o *delivery.Outbox, to string, before int) string {
	t.Helper()
	var body string
	require.Eventually(t, func() bool {
		if Sent(o, to) <= before {
			return false
		}
		for _, m := range o.Messages() { // newest first
			if m.To == to {
				body = m.Body
				return true
			}
		}
		return false
	}, codeWait, 10*time.Millisecond, "no code delivered to %s", to)
	code := sixDigits.FindString(body)
	require.NotEmpty(t, code, body)
	return code
}

// Sent returns how many messages the environment's outbox holds for to.
func (e *Env) Sent(to string) int { return Sent(e.Outbox, to) }

// CodeTo is [CodeTo] on the environment's outbox.
func (e *Env) CodeTo(t testing.TB, to string, before int) string {
	t.Helper()
	return CodeTo(t, e.Outbox, to, before)
}

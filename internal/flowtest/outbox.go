package flowtest

import (
	"regexp"
	"strings"
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

// CodeTo waits until o holds a message for to with a six-digit code among
// those that came after the first before, and returns the code of the
// newest such, failing the test when none comes. Take before with [Sent]
// ahead of the action that sends, so that an older code is never read as
// the new one; a message without a code (a security notice) that comes
// meanwhile is passed over.
func CodeTo(t testing.TB, o *delivery.Outbox, to string, before int) string {
	t.Helper()
	var code string
	require.Eventually(t, func() bool {
		var mine []string
		for _, m := range o.Messages() { // newest first
			if m.To == to {
				mine = append(mine, m.Body)
			}
		}
		for _, body := range mine[:max(len(mine)-before, 0)] {
			if code = sixDigits.FindString(body); code != "" {
				return true
			}
		}
		return false
	}, codeWait, 10*time.Millisecond, "no code delivered to %s", to)
	return code
}

// Sent returns how many messages the environment's outbox holds for to.
func (e *Env) Sent(to string) int { return Sent(e.Outbox, to) }

// CodeTo is [CodeTo] on the environment's outbox.
func (e *Env) CodeTo(t testing.TB, to string, before int) string {
	t.Helper()
	return CodeTo(t, e.Outbox, to, before)
}

// MessagesTo waits until o holds n messages for to that contain marker (in
// the subject or body), keeps watching a little longer so that an extra
// one shows, and returns them, oldest first.
func MessagesTo(t testing.TB, o *delivery.Outbox, to, marker string, n int) []delivery.OutboxMessage {
	t.Helper()
	match := func() []delivery.OutboxMessage {
		var out []delivery.OutboxMessage
		msgs := o.Messages()
		for i := len(msgs) - 1; i >= 0; i-- {
			m := msgs[i]
			if m.To == to && (strings.Contains(m.Subject, marker) || strings.Contains(m.Body, marker)) {
				out = append(out, m)
			}
		}
		return out
	}
	require.Eventually(t, func() bool { return len(match()) >= n }, codeWait, 10*time.Millisecond,
		"fewer than %d messages with %q to %s", n, marker, to)
	time.Sleep(300 * time.Millisecond)
	got := match()
	require.Len(t, got, n, "messages with %q to %s", marker, to)
	return got
}

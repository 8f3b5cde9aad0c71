package cluster

import (
	"regexp"
	"slices"
	"time"

	"github.com/stretchr/testify/require"
)

// codeWait bounds how long a code may take to reach the relay: the job
// runs on whichever node's worker takes it first.
const codeWait = 30 * time.Second

var sixDigits = regexp.MustCompile(`\b(\d{6})\b`)

// sent counts the code messages the relay accepted for to: those with a
// six-digit code. Other mail to the same person (a security notice of a
// sign-in from a new device, which never carries a code) is not counted.
func (c *cluster) sent(to string) int {
	n := 0
	for _, m := range c.smtp.Messages() {
		if slices.Contains(m.To, to) && sixDigits.Match(m.Body) {
			n++
		}
	}
	return n
}

// codeTo waits until the relay holds more than before code messages for
// to and returns the code in the newest.
func (c *cluster) codeTo(to string, before int) string {
	c.t.Helper()
	var code string
	require.Eventually(c.t, func() bool {
		var last []byte
		n := 0
		for _, m := range c.smtp.Messages() {
			if slices.Contains(m.To, to) && sixDigits.Match(m.Body) {
				n++
				last = m.Body
			}
		}
		if n <= before {
			return false
		}
		if m := sixDigits.FindSubmatch(last); m != nil {
			code = string(m[1])
		}
		return code != ""
	}, codeWait, 20*time.Millisecond, "no code reached %s", to)
	return code
}

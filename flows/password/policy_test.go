package password

import (
	"crypto/rand"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// requireRefused checks that err is a *PolicyError for reason with limit.
func requireRefused(t *testing.T, err error, reason error, limit int) {
	t.Helper()
	require.ErrorIs(t, err, reason)
	var policyErr *PolicyError
	require.True(t, errors.As(err, &policyErr), "want a *PolicyError, got %T", err)
	require.Equal(t, limit, policyErr.Limit)
}

func TestPolicy_RefusesTooShortCountingCharactersNotBytes(t *testing.T) {
	t.Parallel()
	p := Policy{MinLength: 10, MaxLength: 256, RejectCommon: true}
	// Nine characters in eighteen bytes.
	requireRefused(t, p.Check(strings.Repeat("é", 9)), ErrTooShort, 10)
	require.NoError(t, p.Check(strings.Repeat("é", 10)))
	require.NoError(t, p.Check(strings.Repeat("蛙", 10)))
}

func TestPolicy_CountsCharactersAfterNormalization(t *testing.T) {
	t.Parallel()
	p := Policy{MinLength: 8, MaxLength: 64}
	// Seven "é" typed as e plus a combining accent: 14 code points as
	// typed, 7 characters as hashed.
	requireRefused(t, p.Check(strings.Repeat("e\u0301", 7)), ErrTooShort, 8)
	// Three "ffi" ligatures: 3 code points as typed, 9 characters as hashed.
	require.NoError(t, p.Check(strings.Repeat("\ufb03", 3)))
}

func TestPolicy_RefusesTooLong(t *testing.T) {
	t.Parallel()
	p := Policy{MinLength: 8, MaxLength: 100}
	require.NoError(t, p.Check(strings.Repeat("x", 100)))
	requireRefused(t, p.Check(strings.Repeat("x", 101)), ErrTooLong, 100)
}

func TestPolicy_AllowsAtLeast64CharactersWhateverMaxLength(t *testing.T) {
	t.Parallel()
	for _, maxLength := range []int{0, 20, 63} {
		p := Policy{MinLength: 8, MaxLength: maxLength}
		require.NoError(t, p.Check(strings.Repeat("z", 64)), "MaxLength %d", maxLength)
		requireRefused(t, p.Check(strings.Repeat("z", 65)), ErrTooLong, LowestMaxLength)
	}
}

func TestPolicy_RefusesCommonPasswordsIgnoringCase(t *testing.T) {
	t.Parallel()
	p := Policy{MinLength: 4, MaxLength: 64, RejectCommon: true}
	for _, common := range []string{"password", "123456", "qwerty123", "PASSWORD", "Qwerty123", "ｐａｓｓｗｏｒｄ"} {
		requireRefused(t, p.Check(common), ErrCommon, 0)
	}
	p.RejectCommon = false
	require.NoError(t, p.Check("password"), "the list applies only when RejectCommon is set")
}

func TestPolicy_AcceptsRandomPassphrase(t *testing.T) {
	t.Parallel()
	p := Policy{MinLength: 10, MaxLength: 256, RejectCommon: true}
	require.NoError(t, p.Check(rand.Text()))
	require.NoError(t, p.Check(strings.Join([]string{rand.Text()[:6], rand.Text()[:6], rand.Text()[:6]}, " ")))
}

func TestPolicy_ChecksLengthBeforeTheList(t *testing.T) {
	t.Parallel()
	p := Policy{MinLength: 10, MaxLength: 64, RejectCommon: true}
	requireRefused(t, p.Check("password"), ErrTooShort, 10)
}

func TestPolicyError_MessagesTellTheUserWhatToDoWithoutThePassword(t *testing.T) {
	t.Parallel()
	p := Policy{MinLength: 12, MaxLength: 80, RejectCommon: true}
	short := p.Check("hunter2hunt")
	require.Contains(t, short.Error(), "at least 12 characters")
	long := p.Check(strings.Repeat("k", 81))
	require.Contains(t, long.Error(), "at most 80 characters")
	common := p.Check("qwerty123456")
	requireRefused(t, common, ErrCommon, 0)
	for _, err := range []error{short, long, common, ErrTooShort, ErrTooLong, ErrCommon} {
		require.Error(t, err)
		msg := err.Error()
		require.Regexp(t, `\b(Use|Choose)\b`, msg, "the message says what to do")
		require.NotContains(t, msg, "hunter2")
		require.NotContains(t, msg, "kkkk")
	}
}

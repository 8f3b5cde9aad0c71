package flows_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/flows"
)

func TestMaskPhone_ShowsTheCallingCodeAndTheLastFourDigits(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"+14155550123":   "+1 ••• ••• 0123",
		"+447700900123":  "+44 ••• ••• 0123",
		"+34612345678":   "+34 ••• ••• 5678",
		"+353861234567":  "+353 ••• ••• 4567",
		"+79161234567":   "+7 ••• ••• 4567",
		"+8613812345678": "+86 ••• ••• 5678",
		"+3728123456":    "+372 ••• ••• 3456",
		"":               "••• ••• ••••",
		"+1234":          "••• ••• ••••",
		"+1415555O123":   "••• ••• ••••",
	} {
		require.Equal(t, want, flows.MaskPhone(in), in)
	}
}

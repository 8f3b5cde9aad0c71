package reverify_test

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/flows/reverify"
)

func TestMachine_IsValidAndOnlyVerifyEndsIt(t *testing.T) {
	t.Parallel()
	m := reverify.Machine(nil)
	_, err := flows.NewEngine(nil, m, nil, nil)
	require.NoError(t, err)
	for _, tr := range m.Transitions {
		require.Equal(t, tr.Action == reverify.ActionVerify, slices.Contains(tr.To, flows.Done), tr.Action)
		require.False(t, tr.Action == reverify.ActionVerify && slices.Contains(tr.From, reverify.Start),
			"verify must follow a begin that chose the factor")
	}
}

package softkey

import (
	"testing"

	"github.com/go-webauthn/webauthn/protocol/webauthncbor"
	"github.com/stretchr/testify/require"
)

func TestNewEC2_CoordinatesAreAlways32Bytes(t *testing.T) {
	t.Parallel()
	for range 500 {
		c := NewEC2()
		var k map[int64]any
		require.NoError(t, webauthncbor.Unmarshal(c.Key.AttestationData(), &k))
		require.Len(t, k[-2], 32)
		require.Len(t, k[-3], 32)
	}
}

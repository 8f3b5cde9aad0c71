package signin_test

import (
	"testing"

	"github.com/sesame-id/sesame/flows/signin"
	"github.com/sesame-id/sesame/internal/flowdoc"
)

// TestSignIn_TheDiagramDrawsTheDeclaredMachine keeps the package comment's
// diagram to the transitions the engine enforces.
func TestSignIn_TheDiagramDrawsTheDeclaredMachine(t *testing.T) {
	t.Parallel()
	flowdoc.Check(t, ".", signin.Machine(nil).Transitions)
}

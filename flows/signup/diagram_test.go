package signup_test

import (
	"testing"

	"github.com/sesame-id/sesame/flows/signup"
	"github.com/sesame-id/sesame/internal/flowdoc"
)

// TestSignUp_TheDiagramDrawsTheDeclaredMachine keeps the package comment's
// diagram to the transitions the engine enforces.
func TestSignUp_TheDiagramDrawsTheDeclaredMachine(t *testing.T) {
	t.Parallel()
	flowdoc.Check(t, ".", signup.Machine(nil).Transitions)
}

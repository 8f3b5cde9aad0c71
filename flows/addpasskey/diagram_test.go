package addpasskey_test

import (
	"testing"

	"github.com/sesame-id/sesame/flows/addpasskey"
	"github.com/sesame-id/sesame/internal/flowdoc"
)

// TestAddPasskey_TheDiagramDrawsTheDeclaredMachine keeps the package comment's
// diagram to the transitions the engine enforces.
func TestAddPasskey_TheDiagramDrawsTheDeclaredMachine(t *testing.T) {
	t.Parallel()
	flowdoc.Check(t, ".", addpasskey.Machine(nil).Transitions)
}

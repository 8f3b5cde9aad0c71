package reverify_test

import (
	"testing"

	"github.com/sesame-id/sesame/flows/reverify"
	"github.com/sesame-id/sesame/internal/flowdoc"
)

// TestReverify_TheDiagramDrawsTheDeclaredMachine keeps the package comment's
// diagram to the transitions the engine enforces.
func TestReverify_TheDiagramDrawsTheDeclaredMachine(t *testing.T) {
	t.Parallel()
	flowdoc.Check(t, ".", reverify.Machine(nil).Transitions)
}

package signup

import (
	"crypto/rand"

	"github.com/google/uuid"

	"github.com/sesame-id/sesame/flows"
)

// user checks that the request comes from the flow's new user and returns
// the user's id. While Enrolling no session exists, so the flow token that
// addressed the step is the credential: the engine only runs this flow's
// own actions with it, and a session cookie of whoever else may be signed
// in on the device does not count.
func user(step *flows.Step[Context]) (uuid.UUID, error) {
	c := step.Context
	if c.UserID == nil {
		return uuid.Nil, flows.ErrActionNotAllowed
	}
	if c.Enrolling {
		return *c.UserID, nil
	}
	if step.Request.UserID == nil || *step.Request.UserID != *c.UserID {
		return uuid.Nil, flows.ErrUnauthenticated
	}
	return *c.UserID, nil
}

// newHandle makes the flow's WebAuthn user handle once.
func newHandle(c *Context) {
	if len(c.Handle) == 0 {
		h := make([]byte, 32)
		_, _ = rand.Read(h)
		c.Handle = h
	}
}

package federation

import "context"

// CheckIDToken exposes the ID token's checks to the tests, which hand it
// a real token of the upstream issued to another client.
func (u *Upstream) CheckIDToken(ctx context.Context, c *Connector, e *Endpoints, raw, nonce string) error {
	_, _, err := u.checkIDToken(ctx, c, e, raw, &Pending{Nonce: nonce})
	return err
}

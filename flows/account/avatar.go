package account

import (
	"context"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/tenants"
)

// AvatarPath is where a tenant host serves its users' avatars
// (flows/web), followed by the user's ID.
const AvatarPath = "/avatars/"

// AvatarURL is the path of a's picture on its tenant's host: the user's ID
// and, in the query string, the picture's version, both of which the host
// requires.
func AvatarURL(a *db.Avatar) string { return AvatarPath + a.UserID.String() + "?v=" + a.Version }

// AvatarMaxBytes is the largest avatar accepted: it is shown small, on the
// account center and the console's user page (the logo's limit, which the
// account API's body cap fits base64-encoded).
const AvatarMaxBytes = tenants.LogoMaxBytes

// SetAvatar makes data the caller's avatar, once tenants.CheckPicture (the
// rule the tenant's logo follows) accepts it: PNG, JPEG, WebP or GIF by
// content, never SVG, at most AvatarMaxBytes. A refusal names the field
// "avatar". It changes no way to sign in and needs no re-verification, as
// the name does not.
func (s *Service) SetAvatar(ctx context.Context, c Caller, data []byte) (*db.Avatar, error) {
	p, err := tenants.CheckPicture(data, AvatarMaxBytes, "avatar")
	if err != nil {
		return nil, err
	}
	a := &db.Avatar{Picture: p}
	if err := s.scope(c).Avatars().Put(ctx, c.userID(), a); err != nil {
		return nil, err
	}
	return a, nil
}

// RemoveAvatar removes the caller's avatar; removing none is no error.
func (s *Service) RemoveAvatar(ctx context.Context, c Caller) error {
	_, err := s.scope(c).Avatars().Delete(ctx, c.userID())
	return err
}

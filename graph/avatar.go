package graph

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"

	"github.com/google/uuid"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows/account"
	"github.com/sesame-id/sesame/graph/model"
	"github.com/sesame-id/sesame/internal/errcode"
)

// decodePicture reads an uploaded picture (a logo, an avatar) from the
// API's base64 argument imageBase64; what the picture is, the service
// decides (tenants.CheckPicture).
func decodePicture(image string) ([]byte, error) {
	data, err := base64.StdEncoding.DecodeString(strings.TrimSpace(image))
	if err != nil {
		return nil, errcode.ErrInvalidInput.WithField("imageBase64", "imageBase64: is not base64 (standard alphabet, with padding)")
	}
	return data, nil
}

// avatar is the user's avatar as the API shows it, nil without one; with
// the picture as a data: URL when withData (the management API's user,
// which the console shows on the admin host).
func (r *Resolver) avatar(ctx context.Context, userID uuid.UUID, withData bool) (*model.Avatar, error) {
	avatars := callerFrom(ctx).scope.Avatars()
	var a *db.Avatar
	var err error
	if withData {
		a, err = avatars.Get(ctx, userID)
	} else {
		a, err = avatars.Meta(ctx, userID)
	}
	if errors.Is(err, db.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	out := &model.Avatar{URL: account.AvatarURL(a), ContentType: a.ContentType, Width: a.Width, Height: a.Height}
	if withData {
		u := "data:" + a.ContentType + ";base64," + base64.StdEncoding.EncodeToString(a.Data)
		out.DataURL = &u
	}
	return out, nil
}

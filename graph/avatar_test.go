package graph_test

import (
	"bytes"
	"encoding/base64"
	"image"
	"image/color"
	"image/gif"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/internal/testdb"
)

const (
	setAvatar = `mutation($d: String!) { setAvatar(imageBase64: $d) { avatar { url contentType width height dataURL } } }`
	qAvatar   = `{ me { avatar { url contentType } } }`
)

func avatarGIF(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	img := image.NewPaletted(image.Rect(0, 0, 12, 12), color.Palette{color.Black, color.White})
	require.NoError(t, gif.Encode(&b, img, nil))
	return b.Bytes()
}

// The account API sets and removes the signed-in user's avatar; the tenant
// host serves it at its URL only, with the type found in its content and
// nosniff; a hostile or oversized picture is refused naming the field; the
// management API shows it on the user, as a data: URL for the console.
func TestAccountAPI_AvatarUploadedCheckedServedAndRemoved(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			e := newAPIEnv(t, b, false)
			p := e.acme
			require.Nil(t, path(e.ok(t, p, user, qAvatar, nil), "me", "avatar"))

			pic := logoPNG(t, 64, 48)
			d := e.ok(t, p, user, setAvatar, map[string]any{"d": base64.StdEncoding.EncodeToString(pic)})
			url := path(d, "setAvatar", "avatar", "url").(string)
			require.True(t, strings.HasPrefix(url, "/avatars/"+p.user.ID.String()+"?v="), url)
			require.Equal(t, "image/png", path(d, "setAvatar", "avatar", "contentType"))
			require.Equal(t, float64(64), path(d, "setAvatar", "avatar", "width"))
			require.Nil(t, path(d, "setAvatar", "avatar", "dataURL"), "the account API links the picture")

			rec := e.get(t, p.host, url)
			require.Equal(t, http.StatusOK, rec.Code)
			require.Equal(t, "image/png", rec.Header().Get("Content-Type"))
			require.Equal(t, "nosniff", rec.Header().Get("X-Content-Type-Options"))
			require.Contains(t, rec.Header().Get("Content-Security-Policy"), "sandbox")
			require.Equal(t, pic, rec.Body.Bytes())
			require.Equal(t, http.StatusNotFound, e.get(t, p.host, "/avatars/"+p.user.ID.String()).Code, "no picture without its version")
			require.Equal(t, http.StatusNotFound, e.get(t, p.host, "/avatars/"+p.user.ID.String()+"?v=old").Code)
			require.Equal(t, http.StatusNotFound, e.get(t, e.bravo.host, url).Code, "another tenant's host has no such avatar")

			// The management API's user carries it, with the picture itself.
			d = e.ok(t, p, admin, `query($id: ID!) { user(id: $id) { avatar { url dataURL } } }`, map[string]any{"id": p.user.ID.String()})
			require.Equal(t, url, path(d, "user", "avatar", "url"))
			require.Equal(t, "data:image/png;base64,"+base64.StdEncoding.EncodeToString(pic), path(d, "user", "avatar", "dataURL"))

			// A GIF replaces it, under its own type.
			g := avatarGIF(t)
			d = e.ok(t, p, user, setAvatar, map[string]any{"d": base64.StdEncoding.EncodeToString(g)})
			gifURL := path(d, "setAvatar", "avatar", "url").(string)
			require.NotEqual(t, url, gifURL)
			require.Equal(t, http.StatusNotFound, e.get(t, p.host, url).Code, "the old picture's URL serves nothing")
			rec = e.get(t, p.host, gifURL)
			require.Equal(t, "image/gif", rec.Header().Get("Content-Type"))
			require.Equal(t, g, rec.Body.Bytes())

			// Hostile and oversized pictures are refused, naming the field.
			svg := `<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.domain)</script></svg>`
			a := e.refused(t, p, user, "image_unsupported", setAvatar, map[string]any{"d": base64.StdEncoding.EncodeToString([]byte(svg))})
			require.Equal(t, "avatar", a.errors[0].Extensions["field"])
			big := append(logoPNG(t, 8, 8), make([]byte, 260<<10)...)
			a = e.refused(t, p, user, "image_too_large", setAvatar, map[string]any{"d": base64.StdEncoding.EncodeToString(big)})
			require.Equal(t, "avatar", a.errors[0].Extensions["field"])
			e.refused(t, p, user, "invalid_input", setAvatar, map[string]any{"d": "not base64!"})
			e.refused(t, p, admin, "forbidden", setAvatar, map[string]any{"d": base64.StdEncoding.EncodeToString(pic)})
			require.Equal(t, gifURL, path(e.ok(t, p, user, qAvatar, nil), "me", "avatar", "url"), "a refused upload leaves the avatar as it was")

			d = e.ok(t, p, user, `mutation { removeAvatar { avatar { url } } }`, nil)
			require.Nil(t, path(d, "removeAvatar", "avatar"))
			require.Equal(t, http.StatusNotFound, e.get(t, p.host, gifURL).Code)
		})
	}
}

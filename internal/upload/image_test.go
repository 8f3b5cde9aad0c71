package upload_test

import (
	"bytes"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/internal/errcode"
	"github.com/sesame-id/sesame/internal/upload"
)

func pngOf(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	img.Set(0, 0, color.RGBA{R: 255, A: 255})
	var b bytes.Buffer
	require.NoError(t, png.Encode(&b, img))
	return b.Bytes()
}

func jpegOf(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, jpeg.Encode(&b, image.NewRGBA(image.Rect(0, 0, 8, 8)), nil))
	return b.Bytes()
}

// webpLossless is a 1×1 lossless WebP.
var webpLossless = []byte("RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00\x2f\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00")

func TestCheckImage_AcceptsRasterByContent(t *testing.T) {
	ct, err := upload.CheckImage(pngOf(t, 16, 16), 1<<20)
	require.NoError(t, err)
	require.Equal(t, "image/png", ct)
	ct, err = upload.CheckImage(jpegOf(t), 1<<20)
	require.NoError(t, err)
	require.Equal(t, "image/jpeg", ct)
	ct, err = upload.CheckImage(webpLossless, 1<<20)
	require.NoError(t, err)
	require.Equal(t, "image/webp", ct)
	var g bytes.Buffer
	require.NoError(t, gif.Encode(&g, image.NewPaletted(image.Rect(0, 0, 4, 4), color.Palette{color.Black, color.White}), nil))
	ct, err = upload.CheckImage(g.Bytes(), 1<<20)
	require.NoError(t, err)
	require.Equal(t, "image/gif", ct)
	// A GIF header over something else is no GIF.
	_, err = upload.CheckImage(append([]byte("GIF89a"), pngOf(t, 4, 4)...), 1<<20)
	require.True(t, upload.IsRefused(err), "%v", err)
}

func TestCheckImage_RefusesSVGPolyglotsAndOversized(t *testing.T) {
	svg := []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`)
	_, err := upload.CheckImage(svg, 1<<20)
	require.ErrorIs(t, err, errcode.ErrImageUnsupported)

	// PNG magic bytes followed by something that does not decode as PNG.
	_, err = upload.CheckImage(append([]byte("\x89PNG\r\n\x1a\n"), svg...), 1<<20)
	require.ErrorIs(t, err, errcode.ErrImageUnsupported)

	// A PNG renamed as JPEG: JPEG magic bytes, PNG content after them.
	_, err = upload.CheckImage(append([]byte{0xFF, 0xD8, 0xFF}, pngOf(t, 4, 4)...), 1<<20)
	require.ErrorIs(t, err, errcode.ErrImageUnsupported)

	_, err = upload.CheckImage(pngOf(t, 64, 64), 10)
	require.ErrorIs(t, err, errcode.ErrImageTooLarge)

	_, err = upload.CheckImage(pngOf(t, upload.MaxDimension+1, 1), 1<<20)
	require.ErrorIs(t, err, errcode.ErrImageTooLarge)

	_, err = upload.CheckImage(nil, 1<<20)
	require.ErrorIs(t, err, errcode.ErrImageUnsupported)
	require.True(t, upload.IsRefused(err))
}

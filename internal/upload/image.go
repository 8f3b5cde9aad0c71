// Package upload checks files people upload before Sesame stores or serves
// them. CheckImage is the one check for a picture (a tenant's logo, later a
// person's avatar): only raster PNG, JPEG, WebP and GIF, recognised by their
// content, never by a name or a declared type. SVG is refused whatever it
// claims: it is a document that can carry scripts.
package upload

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	_ "image/gif"  // registers the GIF decoder for image.DecodeConfig
	_ "image/jpeg" // registers the JPEG decoder for image.DecodeConfig
	_ "image/png"  // registers the PNG decoder for image.DecodeConfig

	_ "golang.org/x/image/webp" // registers the WebP decoder for image.DecodeConfig

	"github.com/sesame-id/sesame/internal/errcode"
)

// MaxDimension is the widest or tallest picture accepted, in pixels: a
// small file may still declare a huge canvas that costs memory to draw.
const MaxDimension = 4096

// The content types CheckImage returns.
const (
	PNG  = "image/png"
	JPEG = "image/jpeg"
	WebP = "image/webp"
	GIF  = "image/gif"
)

// signatures are the magic bytes of each accepted format. WebP is RIFF
// with "WEBP" at offset 8, checked apart.
var signatures = []struct {
	magic       []byte
	contentType string
	format      string
}{
	{[]byte("\x89PNG\r\n\x1a\n"), PNG, "png"},
	{[]byte("GIF87a"), GIF, "gif"},
	{[]byte("GIF89a"), GIF, "gif"},
	{[]byte{0xFF, 0xD8, 0xFF}, JPEG, "jpeg"},
}

// CheckImage returns the content type of data, a PNG, JPEG, WebP or GIF image
// of at most maxBytes bytes whose header decodes (image.DecodeConfig) as
// the format its magic bytes announce, with both sides between 1 and
// MaxDimension pixels. Anything else is an *errcode.Error:
// errcode.ErrImageTooLarge or errcode.ErrImageUnsupported.
func CheckImage(data []byte, maxBytes int) (contentType string, err error) {
	if len(data) > maxBytes {
		return "", errcode.ErrImageTooLarge
	}
	if len(data) == 0 {
		return "", errcode.ErrImageUnsupported
	}
	contentType, format := sniff(data)
	if contentType == "" {
		return "", errcode.ErrImageUnsupported
	}
	cfg, decoded, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || decoded != format {
		// A header that does not decode, or decodes as another format than
		// its magic bytes say: a polyglot or a broken file.
		return "", errcode.ErrImageUnsupported
	}
	if cfg.Width < 1 || cfg.Height < 1 || cfg.Width > MaxDimension || cfg.Height > MaxDimension {
		return "", errcode.ErrImageTooLarge
	}
	return contentType, nil
}

// Dimensions returns the width and height of an image CheckImage accepted.
func Dimensions(data []byte) (width, height int, err error) {
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return 0, 0, fmt.Errorf("image dimensions: %w", err)
	}
	return cfg.Width, cfg.Height, nil
}

// sniff names data's format by its first bytes alone.
func sniff(data []byte) (contentType, format string) {
	for _, s := range signatures {
		if bytes.HasPrefix(data, s.magic) {
			return s.contentType, s.format
		}
	}
	if len(data) >= 12 && bytes.Equal(data[:4], []byte("RIFF")) && bytes.Equal(data[8:12], []byte("WEBP")) {
		return WebP, "webp"
	}
	return "", ""
}

// IsRefused reports whether err is one of CheckImage's refusals.
func IsRefused(err error) bool {
	return errors.Is(err, errcode.ErrImageTooLarge) || errors.Is(err, errcode.ErrImageUnsupported)
}

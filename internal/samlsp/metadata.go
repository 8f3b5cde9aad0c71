package samlsp

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	crewjamsp "github.com/crewjam/saml/samlsp"

	"github.com/sesame-id/sesame/internal/errcode"
)

const (
	// fetchTimeout bounds New's fetch of an IdP's metadata.
	fetchTimeout = 10 * time.Second
	// maxMetadata is the largest IdP metadata read: one IdP's document is
	// a few kilobytes, a federation's aggregate is not what a connector
	// names.
	maxMetadata = 1 << 20
)

var defaultClient = &http.Client{Timeout: fetchTimeout}

// FetchIdPMetadata reads an IdP's metadata from rawURL (http or https)
// with client (nil: a client with a 10 s timeout) and checks that it
// describes an IdP. Any failure is saml_metadata_invalid. The caller may
// store the XML it returns as the connector's IdPMetadataXML.
func FetchIdPMetadata(ctx context.Context, client *http.Client, rawURL string) ([]byte, error) {
	u, err := absoluteURL("metadata_url", rawURL)
	if err != nil {
		return nil, err
	}
	if client == nil {
		client = defaultClient
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errcode.ErrSAMLMetadataInvalid, err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%w: fetch %s: %v", errcode.ErrSAMLMetadataInvalid, u.Redacted(), err)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%w: fetch %s: status %d", errcode.ErrSAMLMetadataInvalid, u.Redacted(), resp.StatusCode)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxMetadata+1))
	if err != nil || len(data) > maxMetadata {
		return nil, fmt.Errorf("%w: fetch %s: unreadable or over %d bytes", errcode.ErrSAMLMetadataInvalid, u.Redacted(), maxMetadata)
	}
	if err := CheckIdPMetadata(data); err != nil {
		return nil, err
	}
	return data, nil
}

// CheckIdPMetadata reports, as saml_metadata_invalid, XML that is not the
// metadata of one IdP with an entity ID; the management API can call it
// when a connector's metadata is pasted.
func CheckIdPMetadata(data []byte) error {
	ed, err := crewjamsp.ParseMetadata(data)
	if err != nil {
		return fmt.Errorf("%w: %v", errcode.ErrSAMLMetadataInvalid, err)
	}
	if ed.EntityID == "" || len(ed.IDPSSODescriptors) == 0 {
		return fmt.Errorf("%w: no IdP entity", errcode.ErrSAMLMetadataInvalid)
	}
	return nil
}

package flows

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"strings"

	"github.com/google/uuid"
)

// DeviceCookieMaxAge is how long a browser keeps the device cookie after
// its last sign-in: 400 days, the most browsers allow.
const DeviceCookieMaxAge = 400 * 24 * 60 * 60

// deviceUsers is how many users one browser's device cookie remembers
// (the most recent first), so people who share a browser are not told of
// a new device each time they take turns.
const deviceUsers = 8

// macLen is the length of one user's MAC in the cookie (128 bits).
const macLen = 16

// Devices tells the browsers a user signed in from before, without a
// statement: the device cookie a door sets after each session it issues
// holds a random device id and, for each user who signed in there, an
// HMAC under the server's key over (tenant, user, device id). A sign-in
// whose request carries no valid MAC for its user comes from a new
// device. Nothing is stored on the server; a cookie cannot be forged for
// another user or moved to another tenant.
type Devices struct {
	key []byte
}

// NewDevices returns the device checks keyed by a key derived from the
// server's key-encryption key (so the one secret serves both, under
// separate labels).
func NewDevices(kek []byte) *Devices {
	m := hmac.New(sha256.New, kek)
	m.Write([]byte("sesame device cookie v1"))
	return &Devices{key: m.Sum(nil)}
}

// Known reports whether cookie (the request's device cookie, "" when
// none) holds a valid MAC for user of tenant. A nil Devices knows every
// device: no sign-in is new.
func (d *Devices) Known(tenant, user uuid.UUID, cookie string) bool {
	if d == nil {
		return true
	}
	id, macs, ok := parseDeviceCookie(cookie)
	if !ok {
		return false
	}
	want := d.mac(tenant, user, id)
	for _, m := range macs {
		if hmac.Equal(m, want) {
			return true
		}
	}
	return false
}

// Remember returns the device cookie's new value after user of tenant
// signed in with cookie: the same device id (a new one when cookie is
// missing or malformed), user's MAC first, the other users' after it up
// to deviceUsers.
func (d *Devices) Remember(tenant, user uuid.UUID, cookie string) string {
	id, macs, ok := parseDeviceCookie(cookie)
	if !ok {
		id = make([]byte, 16)
		_, _ = rand.Read(id)
		macs = nil
	}
	mine := d.mac(tenant, user, id)
	parts := []string{enc(id), enc(mine)}
	for _, m := range macs {
		if len(parts) > deviceUsers || hmac.Equal(m, mine) {
			continue
		}
		parts = append(parts, enc(m))
	}
	return strings.Join(parts, ".")
}

func (d *Devices) mac(tenant, user uuid.UUID, id []byte) []byte {
	m := hmac.New(sha256.New, d.key)
	m.Write(tenant[:])
	m.Write(user[:])
	m.Write(id)
	return m.Sum(nil)[:macLen]
}

func enc(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// parseDeviceCookie splits a device cookie into its device id and MACs.
func parseDeviceCookie(cookie string) (id []byte, macs [][]byte, ok bool) {
	if cookie == "" || len(cookie) > 64*(deviceUsers+1) {
		return nil, nil, false
	}
	parts := strings.Split(cookie, ".")
	id, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil || len(id) != 16 {
		return nil, nil, false
	}
	for _, p := range parts[1:] {
		m, err := base64.RawURLEncoding.DecodeString(p)
		if err != nil || len(m) != macLen {
			return nil, nil, false
		}
		macs = append(macs, m)
	}
	return id, macs, true
}

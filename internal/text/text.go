// Package text decides whether a string someone sent is text Sesame may
// store and show. It is the one rule behind every text input: names,
// display names, identifiers, searches, codes and settings, whichever door
// (flow API, WebAuthn routes, GraphQL, console) they come through.
//
// encoding/json replaces invalid UTF-8 and lone surrogate escapes with
// U+FFFD without saying so; refusing U+FFFD here refuses them, so a request
// whose bytes were not text is refused instead of stored altered.
package text

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Error says what is wrong with a string, as the end of a sentence whose
// subject is the input ("contains a control character; remove it").
type Error struct {
	Problem string
}

func (e *Error) Error() string { return e.Problem }

// The problems Check and Line find.
var (
	errInvalidUTF8 = &Error{Problem: "is not valid UTF-8 text; send it encoded as UTF-8"}
	errNUL         = &Error{Problem: "contains a NUL character; remove it"}
	errControl     = &Error{Problem: "contains a control character; remove it"}
	errReplacement = &Error{Problem: "contains bytes that are not text (U+FFFD); send it encoded as UTF-8"}
	errLineBreak   = &Error{Problem: "contains a line break or tab; write it on one line"}
	errFormat      = &Error{Problem: "contains an invisible direction-changing character; remove it"}
)

// Check reports whether s is text: valid UTF-8 without NUL, without U+FFFD
// (what a JSON decoder leaves of bytes that were not UTF-8) and without C0
// or C1 control characters other than tab, line feed and carriage return.
// It is the check for every string, including passwords and WebAuthn JSON,
// which may keep white space; one-line text uses Line.
func Check(s string) error {
	if !utf8.ValidString(s) {
		return errInvalidUTF8
	}
	for _, r := range s {
		switch {
		case r == 0:
			return errNUL
		case r == utf8.RuneError:
			return errReplacement
		case r == '\t' || r == '\n' || r == '\r':
		case unicode.IsControl(r):
			return errControl
		}
	}
	return nil
}

// Line checks s as one line of text a person reads back (a name, a display
// name, an identifier, a search): Check, and no tab, line break (including
// U+2028 and U+2029) or bidirectional override or isolate, which would make
// the text display as something else. It returns s without surrounding
// white space, refused when longer than max characters (runes). An empty
// result is not an error: whether the input is required is the caller's
// rule.
func Line(s string, max int) (string, error) {
	if err := Check(s); err != nil {
		return "", err
	}
	s = strings.TrimSpace(s)
	for _, r := range s {
		switch {
		case r == '\t' || r == '\n' || r == '\r' || r == '\u2028' || r == '\u2029':
			return "", errLineBreak
		case bidiControl(r):
			return "", errFormat
		}
	}
	if n := utf8.RuneCountInString(s); n > max {
		return "", &Error{Problem: fmt.Sprintf("is longer than %d characters; shorten it", max)}
	}
	return s, nil
}

// bidiControl reports whether r is an explicit bidirectional embedding,
// override or isolate (U+202A–U+202E, U+2066–U+2069): in a name they can
// show the text reversed.
func bidiControl(r rune) bool {
	return (r >= '\u202A' && r <= '\u202E') || (r >= '\u2066' && r <= '\u2069')
}

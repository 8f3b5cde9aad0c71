package flows

import (
	"slices"
	"strings"
)

// MaskPhone shows an E.164 number as its country calling code and its last
// four digits, "+1 ••• ••• 0123" for +14155550123: enough for a person to
// recognise their phone, not enough to learn someone else's number. The
// middle is always the same, so the mask does not tell the number's
// length either.
func MaskPhone(e164 string) string {
	digits := strings.TrimPrefix(e164, "+")
	if len(digits) < 8 || strings.Trim(digits, "0123456789") != "" {
		return "••• ••• ••••"
	}
	cc := digits[:callingCodeLen(digits)]
	return "+" + cc + " ••• ••• " + digits[len(digits)-4:]
}

// twoDigitCallingCodes are the ITU-T E.164 country calling codes of two
// digits; 1 and 7 are the codes of one digit, and every other code has
// three.
var twoDigitCallingCodes = []string{
	"20", "27", "30", "31", "32", "33", "34", "36", "39", "40", "41", "43", "44", "45", "46", "47", "48", "49",
	"51", "52", "53", "54", "55", "56", "57", "58", "60", "61", "62", "63", "64", "65", "66",
	"81", "82", "84", "86", "90", "91", "92", "93", "94", "95", "98",
}

// callingCodeLen returns the length of the country calling code at the
// start of the digits of an E.164 number.
func callingCodeLen(digits string) int {
	switch {
	case digits[0] == '1' || digits[0] == '7':
		return 1
	case slices.Contains(twoDigitCallingCodes, digits[:2]):
		return 2
	}
	return 3
}

package flows_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
)

var (
	e164     = regexp.MustCompile(`^\+[1-9][0-9]{7,14}$`)
	username = regexp.MustCompile(`^[a-z0-9._-]{3,64}$`)
)

// FuzzParseIdentifier checks that ParseIdentifier's output is a fixed
// point: a stored identifier, typed again exactly as stored, names the same
// account. Emails come out lowercase, phones in E.164, usernames lowercase
// ASCII. One seed lengthens when lowercased (U+023A takes 2 bytes, its
// lowercase 3), which once let a value past the length limit that was then
// refused when typed back.
func FuzzParseIdentifier(f *testing.F) {
	for _, s := range []string{
		"", " ", "@", "a@b", "a@b.c", "Ana@Example.COM", "  ana@example.com ", "ana+tag@sub.example.org",
		`"quoted local"@example.com`, "Ana <ana@example.com>", "ana@@example.com", "ana@[127.0.0.1]",
		"ÅSA@EXAMPLE.COM", "jöRG@bücher.de", "KELVIN\u212a@example.com", "\u0130stanbul@example.com",
		strings.Repeat("a", 250) + "@b.co", strings.Repeat("\u023a", 120) + "@example.com",
		"+1 (415) 555-0100", "+34.600.000.000", "+44 20 7946 0958", "+0123456789", "+12345",
		"+1234567890123456", "+123456789012345", "+1-2-3-4-5-6-7-8", "+ 1 2 3", "++14155550100", "+١٢٣٤٥٦٧٨٩",
		"Ana_B", "ana.b-c", "ab", "abc", "anä", "a/b", "ana b", strings.Repeat("x", 64), strings.Repeat("x", 65),
		"\x00ana", "ana\xff", "\t+14155550100\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		kind, value, ok := flows.ParseIdentifier(in)
		if !ok {
			if kind != "" || value != "" {
				t.Fatalf("ParseIdentifier(%q) refused it but returned (%q, %q)", in, kind, value)
			}
			return
		}
		switch kind {
		case db.IdentifierEmail:
			if value != strings.ToLower(value) || strings.Count(value, "@") != 1 {
				t.Fatalf("ParseIdentifier(%q) = email %q, not lowercase with one @", in, value)
			}
		case db.IdentifierPhone:
			if !e164.MatchString(value) {
				t.Fatalf("ParseIdentifier(%q) = phone %q, not E.164", in, value)
			}
		case db.IdentifierUsername:
			if !username.MatchString(value) {
				t.Fatalf("ParseIdentifier(%q) = username %q, not 3-64 lowercase letters, digits, '.', '_' or '-'", in, value)
			}
		default:
			t.Fatalf("ParseIdentifier(%q) returned kind %q", in, kind)
		}
		kind2, value2, ok2 := flows.ParseIdentifier(value)
		if !ok2 || kind2 != kind || value2 != value {
			t.Fatalf("ParseIdentifier(%q) = (%q, %q), which parses again as (%q, %q, %v)", in, kind, value, kind2, value2, ok2)
		}
	})
}

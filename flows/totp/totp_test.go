package totp

import (
	"bytes"
	"encoding/base32"
	"encoding/base64"
	"fmt"
	"image/color"
	"image/png"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/hotp"
	"github.com/stretchr/testify/require"
)

// rfcSecret is the SHA-1 seed of RFC 6238's test vectors, "12345678901234567890",
// in base32.
const rfcSecret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"

// clock is the fixed "now" of the tests, 10 seconds into its time step.
var clock = time.Date(2026, 11, 23, 7, 0, 10, 0, time.UTC)

// currentStep is the time step of clock.
var currentStep = clock.Unix() / Period

// codeAt returns the code of step for secret.
func codeAt(t *testing.T, secret string, step int64) string {
	t.Helper()
	code, err := hotp.GenerateCode(secret, uint64(step))
	require.NoError(t, err)
	return code
}

func TestGenerate_ReturnsBase32SecretAndOtpauthURL(t *testing.T) {
	t.Parallel()
	key, err := Generate("Sesame Demo", "ada@example.com")
	require.NoError(t, err)

	secret, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(key.Secret)
	require.NoError(t, err)
	require.Len(t, secret, SecretSize)

	u, err := url.Parse(key.URL)
	require.NoError(t, err)
	require.Equal(t, "otpauth", u.Scheme)
	require.Equal(t, "totp", u.Host)
	require.Equal(t, "/Sesame Demo:ada@example.com", u.Path)
	q := u.Query()
	require.Equal(t, key.Secret, q.Get("secret"))
	require.Equal(t, "Sesame Demo", q.Get("issuer"))
	require.Equal(t, "SHA1", q.Get("algorithm"))
	require.Equal(t, "6", q.Get("digits"))
	require.Equal(t, "30", q.Get("period"))

	// The new secret works with Validate.
	step, err := Validate(key.Secret, codeAt(t, key.Secret, currentStep), clock, 0)
	require.NoError(t, err)
	require.Equal(t, currentStep, step)
}

func TestGenerate_GivesEachKeyANewSecret(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 20 {
		key, err := Generate("Sesame", "ada")
		require.NoError(t, err)
		require.False(t, seen[key.Secret], "secret repeated")
		seen[key.Secret] = true
	}
}

func TestGenerate_RefusesMissingNamesAndColonInIssuer(t *testing.T) {
	t.Parallel()
	for _, names := range [][2]string{{"", "ada"}, {"Sesame", ""}, {"Sesame:Demo", "ada"}} {
		key, err := Generate(names[0], names[1])
		require.Error(t, err, "%q", names)
		require.Nil(t, key)
	}
}

func TestKey_PNGIsASquareBlackAndWhiteImageOfTheRequestedSize(t *testing.T) {
	t.Parallel()
	key, err := Generate("Sesame Demo", "ada@example.com")
	require.NoError(t, err)
	data, err := key.PNG(256)
	require.NoError(t, err)
	img, err := png.Decode(bytes.NewReader(data))
	require.NoError(t, err)
	require.Equal(t, 256, img.Bounds().Dx())
	require.Equal(t, 256, img.Bounds().Dy())
	var black, white int
	for y := 0; y < 256; y++ {
		for x := 0; x < 256; x++ {
			switch color.GrayModel.Convert(img.At(x, y)).(color.Gray).Y {
			case 0:
				black++
			case 255:
				white++
			}
		}
	}
	require.Equal(t, 256*256, black+white, "only black and white pixels")
	require.Greater(t, black, 256*256/5)
	require.Greater(t, white, 256*256/5)
}

func TestKey_PNGRefusesSizesTooSmallForTheCode(t *testing.T) {
	t.Parallel()
	key, err := Generate("Sesame Demo", "ada@example.com")
	require.NoError(t, err)
	for _, size := range []int{-1, 0, 10} {
		data, err := key.PNG(size)
		require.Error(t, err, "size %d", size)
		require.Nil(t, data)
	}
}

func TestValidate_AcceptsRFC6238TestVectors(t *testing.T) {
	t.Parallel()
	// RFC 6238 appendix B, SHA-1, last six of the eight digits.
	vectors := map[int64]string{
		59:          "287082",
		1111111109:  "081804",
		1111111111:  "050471",
		1234567890:  "005924",
		2000000000:  "279037",
		20000000000: "353130",
	}
	for unix, code := range vectors {
		step, err := Validate(rfcSecret, code, time.Unix(unix, 0), 0)
		require.NoError(t, err, "t=%d", unix)
		require.Equal(t, unix/30, step, "t=%d", unix)
	}
}

func TestValidate_AcceptsCurrentPreviousAndNextStep(t *testing.T) {
	t.Parallel()
	for _, offset := range []int64{-1, 0, 1} {
		want := currentStep + offset
		step, err := Validate(rfcSecret, codeAt(t, rfcSecret, want), clock, 0)
		require.NoError(t, err, "offset %d", offset)
		require.Equal(t, want, step, "the accepted step is returned")
	}
}

func TestValidate_UsesTheStepOfTheServerClockAtItsEdges(t *testing.T) {
	t.Parallel()
	start := time.Unix(currentStep*Period, 0)
	end := start.Add(Period*time.Second - time.Nanosecond)
	for _, now := range []time.Time{start, end} {
		step, err := Validate(rfcSecret, codeAt(t, rfcSecret, currentStep), now, 0)
		require.NoError(t, err)
		require.Equal(t, currentStep, step)
	}
	_, err := Validate(rfcSecret, codeAt(t, rfcSecret, currentStep+2), end, 0)
	require.ErrorIs(t, err, ErrInvalid, "the end of a step is not the next step")
}

func TestValidate_RefusesCodesTwoStepsAway(t *testing.T) {
	t.Parallel()
	for _, offset := range []int64{-2, 2, -10, 10} {
		step, err := Validate(rfcSecret, codeAt(t, rfcSecret, currentStep+offset), clock, 0)
		require.ErrorIs(t, err, ErrInvalid, "offset %d", offset)
		require.Zero(t, step)
	}
}

func TestValidate_RefusesAWrongCode(t *testing.T) {
	t.Parallel()
	window := map[string]bool{}
	for offset := int64(-1); offset <= 1; offset++ {
		window[codeAt(t, rfcSecret, currentStep+offset)] = true
	}
	wrong := ""
	for n := 0; wrong == "" || window[wrong]; n++ {
		wrong = fmt.Sprintf("%06d", n)
	}
	step, err := Validate(rfcSecret, wrong, clock, 0)
	require.ErrorIs(t, err, ErrInvalid)
	require.Zero(t, step)
}

func TestValidate_RefusesTheSameCodeTwice(t *testing.T) {
	t.Parallel()
	code := codeAt(t, rfcSecret, currentStep)
	step, err := Validate(rfcSecret, code, clock, 0)
	require.NoError(t, err)

	// Also a few seconds later, still within the code's window.
	for _, now := range []time.Time{clock, clock.Add(5 * time.Second), clock.Add(Period * time.Second)} {
		again, err := Validate(rfcSecret, code, now, step)
		require.ErrorIs(t, err, ErrReplayed)
		require.Zero(t, again)
	}
}

func TestValidate_AcceptsALaterCodeAfterAnEarlierOne(t *testing.T) {
	t.Parallel()
	first, err := Validate(rfcSecret, codeAt(t, rfcSecret, currentStep-1), clock, 0)
	require.NoError(t, err)
	require.Equal(t, currentStep-1, first)

	second, err := Validate(rfcSecret, codeAt(t, rfcSecret, currentStep), clock, first)
	require.NoError(t, err)
	require.Equal(t, currentStep, second)

	third, err := Validate(rfcSecret, codeAt(t, rfcSecret, currentStep+1), clock.Add(Period*time.Second), second)
	require.NoError(t, err)
	require.Equal(t, currentStep+1, third)
}

func TestValidate_RefusesAnOlderStepAfterANewerOneWasUsed(t *testing.T) {
	t.Parallel()
	last, err := Validate(rfcSecret, codeAt(t, rfcSecret, currentStep), clock, 0)
	require.NoError(t, err)

	// The previous step's code is still within the window, but older than
	// the one used.
	step, err := Validate(rfcSecret, codeAt(t, rfcSecret, currentStep-1), clock, last)
	require.ErrorIs(t, err, ErrReplayed)
	require.Zero(t, step)
}

func TestValidate_AcceptsACodeTypedWithASpace(t *testing.T) {
	t.Parallel()
	step, err := Validate(rfcSecret, "287 082", time.Unix(59, 0), 0)
	require.NoError(t, err)
	require.Equal(t, int64(1), step)
}

func TestValidate_RefusesMalformedCodesWithoutCallingTheLibrary(t *testing.T) {
	t.Parallel()
	// With a secret that is not base32, any call into the library fails
	// with a different error, so ErrInvalid shows that none was made.
	const badSecret = "not base32 at all!"
	for _, code := range []string{"", "12345", "1234567", "12345a", "abcdef", "+12345", "-12345", "12.345", "123456\n", "\t123456", "١٢٣٤٥٦", "１２３４５６"} {
		step, err := Validate(badSecret, code, clock, 0)
		require.ErrorIs(t, err, ErrInvalid, "%q", code)
		require.Zero(t, step)
	}
	_, err := Validate(badSecret, "123456", clock, 0)
	require.Error(t, err)
	require.NotErrorIs(t, err, ErrInvalid, "a well-formed code reaches the secret")
	require.NotErrorIs(t, err, ErrReplayed)
}

func TestEnroll_IssuerFromTheTenantAndAQRCodeThatDecodes(t *testing.T) {
	t.Parallel()
	require.Equal(t, "Acme Corp", Issuer(" Acme:Corp ", "acme"), "':' separates issuer and account in the label")
	require.Equal(t, "acme", Issuer(" : ", "acme"))

	e, err := Enroll(Issuer("Acme", "acme"), "ada@example.com", 200)
	require.NoError(t, err)
	require.Contains(t, e.URL, "otpauth://totp/Acme:ada@example.com?")
	require.Contains(t, e.URL, "secret="+e.Secret)
	raw, ok := strings.CutPrefix(e.QRCode, "data:image/png;base64,")
	require.True(t, ok)
	b, err := base64.StdEncoding.DecodeString(raw)
	require.NoError(t, err)
	img, err := png.Decode(bytes.NewReader(b))
	require.NoError(t, err)
	require.Equal(t, 200, img.Bounds().Dx())
}

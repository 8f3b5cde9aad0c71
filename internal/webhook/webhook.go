// Package webhook is how a tenant's audit events reach its webhook
// endpoints: Enqueue, called by internal/audit in the transaction that
// records the events, makes one delivery row per event and endpoint that
// wants it and a River job per delivery (DeliveryArgs; jobs' worker posts
// it); Sign and Verify are the signature a receiver checks.
//
// The signature is HMAC-SHA256, under the endpoint's secret, of
// "<timestamp>.<body>", sent as
//
//	Sesame-Signature: t=<unix seconds>,v1=<hex>
//
// so a receiver that checks the timestamp against its clock (Tolerance)
// refuses a replayed request.
package webhook

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// Header names of a delivery.
const (
	SignatureHeader = "Sesame-Signature"
	EventHeader     = "Sesame-Event-Id"
	DeliveryHeader  = "Sesame-Delivery-Id"
)

// Tolerance is how far a signature's timestamp may be from the receiver's
// clock before Verify refuses it.
const Tolerance = 5 * time.Minute

// MaxAttempts is how many times a delivery is tried before it is marked
// failed.
const MaxAttempts = 8

// Inserter inserts River jobs in a transaction (the River client).
type Inserter interface {
	InsertManyTx(ctx context.Context, tx *sql.Tx, params []river.InsertManyParams) ([]*rivertype.JobInsertResult, error)
}

// DeliveryArgs is the job that posts one delivery.
type DeliveryArgs struct {
	TenantID   string `json:"tenant_id"`
	DeliveryID string `json:"delivery_id"`
}

// Kind identifies the job in River's tables.
func (DeliveryArgs) Kind() string { return "webhook_delivery" }

// InsertOpts gives a delivery MaxAttempts tries.
func (DeliveryArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: MaxAttempts} }

// NewSecret returns a new signing secret: "whsec_" and 32 random bytes.
func NewSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return "whsec_" + base64.RawURLEncoding.EncodeToString(b)
}

// Sign returns the Sesame-Signature header value of body sent at ts.
func Sign(secret string, ts time.Time, body []byte) string {
	t := strconv.FormatInt(ts.Unix(), 10)
	return "t=" + t + ",v1=" + mac(secret, t, body)
}

func mac(secret, t string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(t + "."))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// ErrSignature is Verify's answer to a header that does not sign body.
var ErrSignature = errors.New("webhook: bad or expired signature")

// Verify checks header against body and secret, and that its timestamp is
// within Tolerance of now: what a receiver does (the README shows it).
func Verify(secret, header string, body []byte, now time.Time) error {
	var t, v1 string
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(part, "=")
		switch k {
		case "t":
			t = v
		case "v1":
			v1 = v
		}
	}
	sec, err := strconv.ParseInt(t, 10, 64)
	if err != nil || v1 == "" {
		return fmt.Errorf("%w: malformed header", ErrSignature)
	}
	if d := now.Sub(time.Unix(sec, 0)); d > Tolerance || d < -Tolerance {
		return fmt.Errorf("%w: timestamp outside the tolerance", ErrSignature)
	}
	if !hmac.Equal([]byte(mac(secret, t, body)), []byte(v1)) {
		return ErrSignature
	}
	return nil
}

package flows

import (
	"bytes"
	"encoding/json"
)

// DecodeInput reads an action's JSON input into v, refusing unknown fields
// so a misspelt field is an error rather than silently ignored. Empty input
// reads as {}.
func DecodeInput(raw json.RawMessage, v any) error {
	if len(raw) == 0 {
		raw = []byte("{}")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return ErrInvalidInput.WithField("", "The request body is not valid for this step: "+err.Error())
	}
	return nil
}

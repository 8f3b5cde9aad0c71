package flows

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"

	"github.com/sesame-id/sesame/flows/passkey"
	"github.com/sesame-id/sesame/internal/text"
)

// DecodeInput reads an action's JSON input into v, refusing unknown fields
// so a misspelt field is an error rather than silently ignored, and
// refusing any string field that is not text (CheckStrings), so that bytes
// the decoder would silently replace, NUL and control characters answer
// invalid_input naming the field instead of reaching the database. Empty
// input reads as {}.
func DecodeInput(raw json.RawMessage, v any) error {
	if len(raw) == 0 {
		raw = []byte("{}")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return ErrInvalidInput.WithField("", "The request body is not valid for this step: "+err.Error())
	}
	return CheckStrings(v)
}

// CleanText checks value as one line of text for field (text.Line): valid
// UTF-8, no NUL, control characters, line breaks or direction overrides, at
// most max characters. It returns value without surrounding white space,
// or invalid_input naming field and saying what to change. An empty result
// is not an error: the caller decides whether field is required.
func CleanText(field, value string, max int) (string, error) {
	s, err := text.Line(value, max)
	if err != nil {
		return "", textError(field, err)
	}
	return s, nil
}

// PasskeyName checks the name a person gives a passkey, at every door
// (flow API, WebAuthn routes, account API): one line of at most
// passkey.NameMaxLen characters. Empty means the authenticator's name.
func PasskeyName(name string) (string, error) {
	return CleanText("name", name, passkey.NameMaxLen)
}

// CheckStrings applies text.Check to every string in v: struct fields
// (named by their JSON names), pointers, slices and string-keyed maps,
// recursively. The first string that is not text answers invalid_input
// naming its dotted path ("smtp.password"). Byte slices such as
// json.RawMessage are not strings and are left to their own parsers.
func CheckStrings(v any) error {
	path, err := checkValue(reflect.ValueOf(v), "")
	if err != nil {
		return textError(path, err)
	}
	return nil
}

func checkValue(v reflect.Value, path string) (string, error) {
	switch v.Kind() {
	case reflect.String:
		return path, text.Check(v.String())
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return "", nil
		}
		return checkValue(v.Elem(), path)
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return "", nil
		}
		for i := range v.Len() {
			if p, err := checkValue(v.Index(i), path); err != nil {
				return p, err
			}
		}
	case reflect.Map:
		if v.Type().Key().Kind() != reflect.String {
			return "", nil
		}
		iter := v.MapRange()
		for iter.Next() {
			key := iter.Key().String()
			if err := text.Check(key); err != nil {
				return join(path, "key"), err
			}
			if p, err := checkValue(iter.Value(), join(path, key)); err != nil {
				return p, err
			}
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			if name == "" {
				name = f.Name
			}
			if f.Anonymous {
				name = ""
			}
			if p, err := checkValue(v.Field(i), join(path, name)); err != nil {
				return p, err
			}
		}
	}
	return "", nil
}

func join(path, name string) string {
	switch {
	case path == "":
		return name
	case name == "":
		return path
	}
	return path + "." + name
}

// textError turns a text problem into invalid_input naming field.
func textError(field string, err error) *Error {
	var te *text.Error
	if !errors.As(err, &te) {
		return ErrInvalidInput.WithField(field, "")
	}
	subject := "This value"
	if field != "" {
		subject = "The " + field
	}
	return ErrInvalidInput.WithField(field, subject+" "+te.Problem+".")
}

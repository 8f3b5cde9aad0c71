package main

import (
	"bytes"
	"embed"
	"encoding/json"
	"html/template"
	"net/http"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
)

//go:embed templates/page.html
var templates embed.FS

var page = template.Must(template.ParseFS(templates, "templates/page.html"))

// view is what the page shows: who signed in, or the "Sign in" button,
// with a notice or a problem.
type view struct {
	User    *signedIn
	Notice  string
	Problem string
}

// signedIn is who signed in and how, from the ID token.
type signedIn struct {
	rawIDToken string
	Subject    string
	Email      string
	Name       string
	// Methods are the amr values (RFC 8176) in words.
	Methods []method
	ACR     string
	// AuthTime is when the person last proved who they are, in UTC.
	AuthTime string
	// Claims are the ID token's claims as indented JSON.
	Claims string
}

// method is one amr value and what it means.
type method struct{ Value, Words string }

// amrWords say what the amr values Sesame sends mean (RFC 8176).
var amrWords = map[string]string{
	"swk":  "a passkey",
	"hwk":  "a security key",
	"user": "confirmed by you (fingerprint, face or screen lock)",
	"pwd":  "a password",
	"otp":  "a one-time code",
	"sms":  "a code by text message",
	"mfa":  "two steps",
}

// acrWords say what the acr values Sesame sends mean.
var acrWords = map[string]string{
	"phr": "phr: phishing-resistant (a passkey was used)",
}

func newSignedIn(raw string, idt *oidc.IDToken) (*signedIn, error) {
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		return nil, err
	}
	var std struct {
		Email    string   `json:"email"`
		Name     string   `json:"name"`
		AMR      []string `json:"amr"`
		ACR      string   `json:"acr"`
		AuthTime int64    `json:"auth_time"`
	}
	if err := idt.Claims(&std); err != nil {
		return nil, err
	}
	pretty, err := json.MarshalIndent(claims, "", "  ")
	if err != nil {
		return nil, err
	}
	u := &signedIn{rawIDToken: raw, Subject: idt.Subject, Email: std.Email, Name: std.Name, Claims: string(pretty), ACR: std.ACR}
	if w, ok := acrWords[std.ACR]; ok {
		u.ACR = w
	}
	for _, v := range std.AMR {
		u.Methods = append(u.Methods, method{Value: v, Words: amrWords[v]})
	}
	if std.AuthTime > 0 {
		u.AuthTime = time.Unix(std.AuthTime, 0).UTC().Format("2006-01-02 15:04:05 UTC")
	}
	return u, nil
}

// render writes the page; it is rendered whole before a byte is sent, so
// a template error is a clean 500.
func (a *App) render(w http.ResponseWriter, status int, v view) {
	var b bytes.Buffer
	if err := page.Execute(&b, v); err != nil {
		a.logger.Error("demo app: render", "err", err)
		http.Error(w, "Something went wrong.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}

package samlsp

import (
	"strings"

	"github.com/crewjam/saml"
)

// Assertion is what an accepted answer says of the person.
type Assertion struct {
	// Subject is the NameID's value (ask the IdP for a persistent one: a
	// transient NameID changes at each sign-in).
	Subject string
	// SubjectFormat is the NameID's format.
	SubjectFormat string
	// Email is the first value of a well-known email attribute, else the
	// NameID when its format is emailAddress.
	Email string
	// EmailVerified is true only when an email_verified (or emailVerified)
	// attribute says "true": SAML has no standard claim for it, so whether
	// an IdP's email is trusted is the connector's setting.
	EmailVerified bool
	// Name is a display name, else the given name and surname.
	Name string
	// SessionIndex and AuthnContext come from the first AuthnStatement.
	SessionIndex string
	AuthnContext string
	// Attributes holds every attribute's values under its Name and, when
	// it has one, its FriendlyName too.
	Attributes map[string][]string
	// ID and Issuer identify the assertion and the IdP, for the log.
	ID     string
	Issuer string
}

// Attribute names, compared without regard to case.
var (
	emailAttributes = []string{
		"urn:oid:0.9.2342.19200300.100.1.3",
		"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
		"mail", "email", "emailaddress", "email_address",
	}
	nameAttributes = []string{
		"urn:oid:2.16.840.1.113730.3.1.241",
		"http://schemas.microsoft.com/identity/claims/displayname",
		"displayname", "display_name", "name",
		"urn:oid:2.5.4.3", "cn",
	}
	givenNameAttributes = []string{"urn:oid:2.5.4.42", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname", "givenname", "given_name"}
	surnameAttributes   = []string{"urn:oid:2.5.4.4", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname", "sn", "surname", "family_name"}
	verifiedAttributes  = []string{"email_verified", "emailverified"}
)

func toAssertion(a *saml.Assertion) Assertion {
	out := Assertion{ID: a.ID, Issuer: a.Issuer.Value, Attributes: map[string][]string{}}
	if a.Subject != nil && a.Subject.NameID != nil {
		out.Subject = strings.TrimSpace(a.Subject.NameID.Value)
		out.SubjectFormat = a.Subject.NameID.Format
	}
	if len(a.AuthnStatements) > 0 {
		s := a.AuthnStatements[0]
		out.SessionIndex = s.SessionIndex
		if s.AuthnContext.AuthnContextClassRef != nil {
			out.AuthnContext = s.AuthnContext.AuthnContextClassRef.Value
		}
	}
	for _, st := range a.AttributeStatements {
		for _, attr := range st.Attributes {
			for _, v := range attr.Values {
				if v.Nil {
					continue
				}
				out.Attributes[attr.Name] = append(out.Attributes[attr.Name], strings.TrimSpace(v.Value))
				if attr.FriendlyName != "" && attr.FriendlyName != attr.Name {
					out.Attributes[attr.FriendlyName] = append(out.Attributes[attr.FriendlyName], strings.TrimSpace(v.Value))
				}
			}
		}
	}
	out.Email = out.first(emailAttributes)
	if out.Email == "" && out.SubjectFormat == string(saml.EmailAddressNameIDFormat) {
		out.Email = out.Subject
	}
	out.EmailVerified = out.Email != "" && strings.EqualFold(out.first(verifiedAttributes), "true")
	out.Name = out.first(nameAttributes)
	if out.Name == "" {
		out.Name = strings.TrimSpace(out.first(givenNameAttributes) + " " + out.first(surnameAttributes))
	}
	return out
}

// first returns the first non-empty value of the first of names the
// assertion carries.
func (a Assertion) first(names []string) string {
	for _, n := range names {
		for k, vs := range a.Attributes {
			if !strings.EqualFold(k, n) {
				continue
			}
			for _, v := range vs {
				if v != "" {
					return v
				}
			}
		}
	}
	return ""
}

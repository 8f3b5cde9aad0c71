package apps

import (
	"fmt"
	"net/url"
	"strings"
)

// checkBackchannel checks the back-channel logout URI, when there is one:
// an m2m application has no sessions to be told about.
func (s *Spec) checkBackchannel() error {
	s.BackchannelLogoutURI = strings.TrimSpace(s.BackchannelLogoutURI)
	if s.BackchannelLogoutURI == "" {
		if s.BackchannelLogoutSessionRequired {
			return invalid("backchannel_logout_session_required", "Give a back-channel logout URI, or do not require sid.")
		}
		return nil
	}
	if s.Type == TypeM2M {
		return invalid("backchannel_logout_uri", "A machine-to-machine application has no sessions to sign out of.")
	}
	if err := CheckBackchannelLogoutURI(s.BackchannelLogoutURI); err != nil {
		return invalid("backchannel_logout_uri", err.Error())
	}
	return nil
}

// CheckBackchannelLogoutURI says why uri cannot receive logout tokens: it
// must be absolute and exact (no fragment, user information or wildcard;
// a query is allowed, Back-Channel Logout 1.0 §2.2), https, or http on a
// loopback host.
func CheckBackchannelLogoutURI(uri string) error {
	if len(uri) > 2000 || strings.ContainsAny(uri, "* \t\r\n") {
		return fmt.Errorf("%q is not an exact URI (no wildcards or spaces)", uri)
	}
	u, err := url.Parse(uri)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return fmt.Errorf("%q is not an absolute URI", uri)
	}
	if u.Fragment != "" || strings.Contains(uri, "#") {
		return fmt.Errorf("%q has a fragment, which a back-channel logout URI may not have", uri)
	}
	if u.User != nil {
		return fmt.Errorf("%q has user information, which a back-channel logout URI may not have", uri)
	}
	switch {
	case u.Scheme == "https":
		return nil
	case u.Scheme == "http" && Loopback(u.Hostname()):
		return nil
	case u.Scheme == "http":
		return fmt.Errorf("%q uses http; use https (http is allowed only on a loopback host)", uri)
	}
	return fmt.Errorf("%q must use https", uri)
}

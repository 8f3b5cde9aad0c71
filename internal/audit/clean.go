package audit

import "strings"

// secretWords are parts of a detail's key that name a secret. The callers
// pass redacted values already; this is the second guard, so that a field
// added to a settings section later cannot leak into the log by mistake.
var secretWords = []string{"secret", "password", "token", "code", "hash", "private", "otp", "credential_key", "auth_token", "smtp_pass"}

// Clean returns m without the entries whose key names a secret, recursively
// through nested objects; nil for an empty result.
func Clean(m map[string]any) map[string]any {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		if secretKey(k) {
			continue
		}
		if inner, ok := v.(map[string]any); ok {
			v = Clean(inner)
			if v == nil {
				continue
			}
		}
		out[k] = v
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func secretKey(k string) bool {
	k = strings.ToLower(k)
	for _, w := range secretWords {
		if strings.Contains(k, w) {
			return true
		}
	}
	return false
}

package aaguid

import "sync"

// names is the set of the table's authenticator names, built on first use.
var names = sync.OnceValue(func() map[string]bool {
	out := map[string]bool{}
	for _, n := range table() {
		out[n] = true
	}
	return out
})

// Known reports whether name is an authenticator name of the shipped
// table (one name may stand for several AAGUIDs, such as a series of
// security keys). Tenants name authenticators this way in their policy.
func Known(name string) bool { return names()[name] }

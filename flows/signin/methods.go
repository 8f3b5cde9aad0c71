package signin

import (
	"slices"

	"github.com/sesame-id/sesame/tenants"
)

// implementedMethods are the methods other than passkeys that this flow
// can run.
var implementedMethods = []string{tenants.MethodPassword, tenants.MethodEmailCode, tenants.MethodSMSCode}

// fallbackMethods lists the tenant's methods other than passkeys for an
// identifier of kind (what the user typed), in the tenant's order, keeping
// those this flow implements. It depends on nothing about the user, so an
// unknown user gets the same list as a known one.
func fallbackMethods(t *tenants.Tenant, kind string) []string {
	out := []string{}
	for _, m := range t.Settings.SignIn.Methods[kind] {
		if slices.Contains(implementedMethods, m) && !slices.Contains(out, m) {
			out = append(out, m)
		}
	}
	return out
}

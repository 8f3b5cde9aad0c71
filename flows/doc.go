// Package flows is Sesame's interaction engine. A flow (sign-in, sign-up,
// adding a passkey, and the MFA flows that follow) is a persisted state
// machine: a db.Flow row addressed by a random client token, holding a
// typed context and at most one single-use WebAuthn ceremony.
//
// Each flow kind declares its machine in one place (a Machine value in its
// sub-package): the states, and for each action the states it may run in
// and the states it may lead to. Machines are checked when they are built,
// and the engine refuses any action not allowed in the flow's current state
// and any transition an action was not declared to make. That makes the
// engine the gate: no order of requests reaches a later state without the
// steps before it.
//
// One request is one transaction: load the flow (with its version), run the
// action, save the flow and its side effects, commit. A concurrent request
// that moved the flow first makes the save fail with a conflict.
package flows

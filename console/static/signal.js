// The WebAuthn Signal API: the pages tell the browser (and the password
// manager behind it) what the server knows, so it stops offering a passkey
// removed here or on another device, and shows the account's current name.
// Each call is feature-detected and its failure ignored: where a browser
// lacks the API nothing happens, and a signal never stops a page.
//
// The server gives the values (flows.PasskeySignals): "passkeys" in the
// answer of the sign-in step that signed in, me.passkeySignals on the
// account page.

function call(name, options) {
  const PKC = window.PublicKeyCredential;
  if (!PKC || typeof PKC[name] !== "function") return Promise.resolve();
  try {
    return Promise.resolve(PKC[name](options)).catch(() => {});
  } catch {
    return Promise.resolve();
  }
}

// unknownCredential: the server does not know credentialId (a passkey
// removed here): the browser may forget it.
export function unknownCredential(rpId, credentialId) {
  if (!rpId || !credentialId) return Promise.resolve();
  return call("signalUnknownCredential", { rpId, credentialId });
}

// acceptedCredentials: these are all of the user's passkeys here.
export function acceptedCredentials(s) {
  if (!s || !s.rpId || !s.userId) return Promise.resolve();
  return call("signalAllAcceptedCredentials", { rpId: s.rpId, userId: s.userId, allAcceptedCredentialIds: s.credentialIds || [] });
}

// currentUserDetails: the user's name and primary identifier now.
export function currentUserDetails(s) {
  if (!s || !s.rpId || !s.userId || !s.name) return Promise.resolve();
  return call("signalCurrentUserDetails", { rpId: s.rpId, userId: s.userId, name: s.name, displayName: s.displayName || s.name });
}

// fromServer turns the sign-in answer's snake_case signals into the
// account API's names.
export function fromServer(p) {
  if (!p) return null;
  return { rpId: p.rp_id, userId: p.user_id, name: p.name, displayName: p.display_name, credentialIds: p.credential_ids };
}

// settle waits for the signals, at most ms, before a page goes elsewhere.
export function settle(promises, ms = 500) {
  return Promise.race([Promise.all(promises), new Promise((r) => setTimeout(r, ms))]);
}

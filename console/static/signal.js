// The WebAuthn Signal API: the pages tell the browser (and the password
// manager behind it) what the server knows, so it stops offering a passkey
// removed here or on another device, and shows the account's current name.
// Each call is feature-detected and its failure ignored: where a browser
// lacks the API nothing happens, and a signal never stops a page.
//
// The server gives the values (flows.PasskeySignals) in the account API's
// me.passkeySignals: the account page reads them with the rest of the
// account; after a sign-in the page asks for them only where the browser
// has signalAllAcceptedCredentials, so a sign-in costs nothing for them
// elsewhere.

import { gql } from "/static/graphql.js";

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

// acceptedCredentialsOfSession: after a sign-in, where the browser has
// the API, tells it the signed-in account's passkeys.
export async function acceptedCredentialsOfSession() {
  const PKC = window.PublicKeyCredential;
  if (!PKC || typeof PKC.signalAllAcceptedCredentials !== "function") return;
  try {
    const data = await gql("query { me { passkeySignals { rpId userId name displayName credentialIds } } }");
    await acceptedCredentials(data.me.passkeySignals);
  } catch {
    // A signal never stops a page.
  }
}

// settle waits for the signals, at most ms, before a page goes elsewhere.
export function settle(promises, ms = 500) {
  return Promise.race([Promise.all(promises), new Promise((r) => setTimeout(r, ms))]);
}

// Sesame's small wrapper around navigator.credentials and the flow API.
// It speaks the standard WebAuthn JSON forms (the *OptionsJSON the server
// sends and the RegistrationResponseJSON / AuthenticationResponseJSON it
// expects), converting by hand where the browser lacks the JSON helpers.
// Its sentences come from the page's strings (i18n.js, errors.*).

import { t, has, lang } from "/static/i18n.js";
import { authRequest } from "/static/done.js";

export function supported() {
  return typeof window.PublicKeyCredential === "function" && !!navigator.credentials;
}

export async function conditionalSupported() {
  if (!supported() || typeof PublicKeyCredential.isConditionalMediationAvailable !== "function") {
    return false;
  }
  try {
    return await PublicKeyCredential.isConditionalMediationAvailable();
  } catch {
    return false;
  }
}

export function toBase64url(buffer) {
  const bytes = new Uint8Array(buffer);
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function fromBase64url(text) {
  const b64 = text.replace(/-/g, "+").replace(/_/g, "/");
  const padded = b64 + "===".slice((b64.length + 3) % 4);
  const s = atob(padded);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out.buffer;
}

function descriptors(list) {
  return (list || []).map((d) => ({ ...d, id: fromBase64url(d.id) }));
}

export function creationOptions(json) {
  if (typeof PublicKeyCredential.parseCreationOptionsFromJSON === "function") {
    return PublicKeyCredential.parseCreationOptionsFromJSON(json);
  }
  return {
    ...json,
    challenge: fromBase64url(json.challenge),
    user: { ...json.user, id: fromBase64url(json.user.id) },
    excludeCredentials: descriptors(json.excludeCredentials),
  };
}

export function requestOptions(json) {
  if (typeof PublicKeyCredential.parseRequestOptionsFromJSON === "function") {
    return PublicKeyCredential.parseRequestOptionsFromJSON(json);
  }
  return { ...json, challenge: fromBase64url(json.challenge), allowCredentials: descriptors(json.allowCredentials) };
}

export function credentialJSON(cred) {
  if (typeof cred.toJSON === "function") {
    return cred.toJSON();
  }
  const r = cred.response;
  const response = { clientDataJSON: toBase64url(r.clientDataJSON) };
  if (r.attestationObject) {
    response.attestationObject = toBase64url(r.attestationObject);
    response.transports = typeof r.getTransports === "function" ? r.getTransports() : [];
  } else {
    response.authenticatorData = toBase64url(r.authenticatorData);
    response.signature = toBase64url(r.signature);
    if (r.userHandle) response.userHandle = toBase64url(r.userHandle);
  }
  return {
    id: cred.id,
    rawId: toBase64url(cred.rawId),
    type: cred.type,
    authenticatorAttachment: cred.authenticatorAttachment || undefined,
    clientExtensionResults: cred.getClientExtensionResults(),
    response,
  };
}

// create runs a registration ceremony and returns RegistrationResponseJSON.
// mediation "conditional" is the automatic upgrade: the browser or its
// password manager may answer without a prompt, or refuse at once.
export async function create(publicKeyJSON, mediation, signal) {
  const options = { publicKey: creationOptions(publicKeyJSON) };
  if (mediation) options.mediation = mediation;
  if (signal) options.signal = signal;
  const cred = await navigator.credentials.create(options);
  return credentialJSON(cred);
}

// conditionalCreateSupported reports whether the browser says it can make
// a conditional create (getClientCapabilities' conditionalCreate).
export async function conditionalCreateSupported() {
  if (!supported() || typeof PublicKeyCredential.getClientCapabilities !== "function") return false;
  try {
    const caps = await PublicKeyCredential.getClientCapabilities();
    return !!(caps && caps.conditionalCreate);
  } catch {
    return false;
  }
}

// get runs an authentication ceremony and returns AuthenticationResponseJSON.
export async function get(publicKeyJSON, mediation, signal) {
  const options = { publicKey: requestOptions(publicKeyJSON) };
  if (mediation) options.mediation = mediation;
  if (signal) options.signal = signal;
  const cred = await navigator.credentials.get(options);
  return credentialJSON(cred);
}

// FlowError is a public error from the server: code, message and, when
// one input is at fault, its field.
export class FlowError extends Error {
  constructor(code, message, field, params) {
    super(message);
    this.code = code;
    this.field = field || "";
    // params say which of the field's sentences message is (errorText).
    this.params = params || null;
  }
}

// captcha, when the page shows a CAPTCHA widget (captcha.js), gives the
// token for the actions it guards and resets the widget after each of
// them, since a token is good for one check only.
let captcha = null;

// useCaptcha sets the page's CAPTCHA: { guards(action), token(), reset() }.
export function useCaptcha(c) {
  captcha = c;
}

// Flow drives one flow of the flow API.
export class Flow {
  constructor(kind) {
    this.kind = kind;
    this.token = null;
  }

  // begin creates the flow, running its first action.
  async begin(action, input) {
    const res = await post(`/api/flows/${this.kind}`, { action, input: input || {} }, null, action);
    this.token = res.flow.token;
    return res;
  }

  async step(action, input) {
    return post(`/api/flows/${this.kind}/${action}`, input || {}, this.token, action);
  }
}

async function post(path, body, token, action) {
  const headers = { "Content-Type": "application/json" };
  if (token) headers["X-Sesame-Flow"] = token;
  // The application's request the page was opened for: the step that
  // signs in answers it (done.js goOn).
  if (authRequest) headers["X-Sesame-Auth-Request"] = authRequest;
  const guarded = captcha !== null && captcha.guards(action);
  if (guarded) {
    const t = captcha.token();
    if (t) headers["X-Sesame-Captcha"] = t;
  }
  let res;
  try {
    res = await fetch(path, { method: "POST", headers, body: JSON.stringify(body), credentials: "same-origin" });
  } catch {
    throw new FlowError("network", t("errors.network"));
  } finally {
    if (guarded) captcha.reset();
  }
  const data = await res.json().catch(() => ({}));
  if (!res.ok) {
    const e = data.error || {};
    const err = new FlowError(e.code || "unknown", e.message || "", e.field, e.params);
    // sso_required names the organization's sign-in to continue with.
    if (e.connector) err.connector = e.connector;
    throw err;
  }
  return data;
}

// errorText is the sentence for a server error in the page's language.
// English pages show the server's own sentence, the most specific one
// (it may name the field's rule); other languages show the catalogue's
// sentence for the field, else for the code.
export function errorText(code, field, serverMessage, params) {
  if (lang === "en" && serverMessage) return serverMessage;
  // A password the tenant's policy refused: the reason and the limit.
  if (params && params.reason && has(`errors.password_policy.${params.reason}`)) return t(`errors.password_policy.${params.reason}`, params);
  if (code === "invalid_input" && field && has(`errors.field.${field}`)) return t(`errors.field.${field}`);
  if (has(`errors.${code}`)) return t(`errors.${code}`);
  return t("errors.unknown");
}

// explain turns an error into a sentence for the page.
export function explain(err) {
  if (err instanceof FlowError) return errorText(err.code, err.field, err.message, err.params);
  switch (err && err.name) {
    case "NotAllowedError":
      return t("errors.passkey.cancelled");
    case "InvalidStateError":
      return t("errors.passkey.exists_on_device");
    case "SecurityError":
      return t("errors.passkey.insecure");
    case "AbortError":
      return "";
    default:
      return t("errors.passkey.failed");
  }
}

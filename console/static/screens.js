// The hosted pages run screen by screen (sign_in.js, sign_up.js): one
// task per <section class="screen" data-screen=NAME>, focus on its heading
// when it appears, errors next to their field, the identifier shown as text
// with "Change", "Send a new code" with a visible cooldown, and the flow
// kept in the tab (sessionStorage) so a reload resumes where it stood.

import { t, lang } from "/static/i18n.js";
import { limits } from "/static/limits.js";

// screens returns the switch of root's screens: show(name) hides every
// other screen and moves focus to the new one's heading (its
// aria-labelledby element, tabindex=-1). The tenant's CAPTCHA widget
// (#captcha) shows only with a screen marked data-captcha, whose action
// the server guards (a password, a code): never with a passkey.
export function screens(root) {
  const all = [...root.querySelectorAll(".screen")];
  const captcha = document.getElementById("captcha");
  let current = "";
  return {
    show(name, opts = {}) {
      current = name;
      for (const s of all) s.hidden = s.dataset.screen !== name;
      const section = all.find((s) => s.dataset.screen === name);
      if (captcha) captcha.hidden = !(section && section.hasAttribute("data-captcha"));
      if (!section || opts.focus === false) return;
      const heading = document.getElementById(section.getAttribute("aria-labelledby") || "");
      if (heading) heading.focus();
    },
    get current() {
      return current;
    },
  };
}

// fieldError says text next to input (its "<id>-error" element, which the
// input's aria-describedby names and which is aria-live), marks the input
// invalid, focuses it and selects what it holds (typing replaces it).
// Empty text clears it.
export function fieldError(input, text) {
  const el = document.getElementById(`${input.id}-error`);
  if (el) el.textContent = text || "";
  if (text) {
    input.setAttribute("aria-invalid", "true");
    input.focus();
    if (typeof input.select === "function") input.select();
  } else {
    input.removeAttribute("aria-invalid");
  }
  return !!el;
}

// clearErrors empties every field error of scope.
export function clearErrors(scope) {
  for (const el of scope.querySelectorAll(".field-error")) el.textContent = "";
  for (const el of scope.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
}

// identity shows the identifier as text with "Change" (onChange), or
// hides it when value is "".
export function identity(value, onChange) {
  const box = document.getElementById("identity");
  if (!box) return;
  document.getElementById("identity-value").textContent = value || "";
  box.hidden = !value;
  const change = document.getElementById("identity-change");
  change.onclick = onChange || null;
}

// Store keeps one flow of the tab in sessionStorage under key: its token,
// the identifier, the screen and what that screen shows. A tab that
// reloads reads it back; another tab starts afresh.
export class Store {
  constructor(key) {
    this.key = `sesame.${key}`;
  }
  load() {
    try {
      return JSON.parse(sessionStorage.getItem(this.key) || "{}") || {};
    } catch {
      return {};
    }
  }
  save(patch) {
    const next = { ...this.load(), ...patch };
    try {
      sessionStorage.setItem(this.key, JSON.stringify(next));
    } catch {
      // Storage refused (private mode, quota): the page works, a reload
      // starts again.
    }
    return next;
  }
  clear() {
    try {
      sessionStorage.removeItem(this.key);
    } catch {
      // as above
    }
  }
}

// peek reads where the flow of kind with token stands (GET
// /api/flows/{kind}): { state, actions } or null when the flow is gone
// (expired or unknown). A network failure throws.
export async function peek(kind, token) {
  const res = await fetch(`/api/flows/${kind}`, { headers: { "X-Sesame-Flow": token }, credentials: "same-origin", cache: "no-store" });
  if (res.status === 404) return null;
  if (!res.ok) throw new Error(`flow ${kind}: ${res.status}`);
  return (await res.json()).flow;
}

// RESEND_SECONDS is how long "Send a new code" waits after a code was sent
// (the server's limits, console.Limits.ResendSeconds).
const RESEND_SECONDS = Number(limits.resend_seconds) || 30;
const seconds = new Intl.NumberFormat(lang);

// Resend drives a "Send a new code" button: after each send it counts
// the cooldown down on the button (disabled meanwhile), then offers it
// again. The end of the cooldown is kept (readyAt, milliseconds since the
// epoch) so that a reload counts on from where it was.
export class Resend {
  constructor(button, onReady) {
    this.button = button;
    this.readyAt = 0;
    this.timer = null;
    this.onReady = onReady;
    this.render();
  }
  // start begins a cooldown ending at readyAt (default: now + the limit).
  start(readyAt) {
    this.readyAt = readyAt || Date.now() + RESEND_SECONDS * 1000;
    clearInterval(this.timer);
    this.timer = setInterval(() => this.render(), 1000);
    this.render();
    return this.readyAt;
  }
  // cooling reports whether the button must stay disabled.
  get cooling() {
    return this.readyAt > Date.now();
  }
  render() {
    const left = Math.ceil((this.readyAt - Date.now()) / 1000);
    if (left > 0) {
      this.button.textContent = t("screens.resend_wait", { seconds: seconds.format(left) });
      this.button.disabled = true;
      this.button.dataset.cooldown = String(left);
      return;
    }
    clearInterval(this.timer);
    this.timer = null;
    this.button.textContent = t("screens.resend");
    delete this.button.dataset.cooldown;
    if (this.button.disabled && !this.button.closest("[aria-busy=true]")) this.button.disabled = false;
    if (this.onReady) this.onReady();
  }
}

// resuming reports whether this page load continues the tab's flow: a
// reload, back or forward, or a language link of the page (keepOnLanguage
// marks those). Opening the page afresh (a link, the address bar) starts a
// new flow, with the identifier kept in the field.
export function resuming(store) {
  const nav = performance.getEntriesByType("navigation")[0];
  const kept = store.load();
  if (kept.language) {
    store.save({ language: false });
    return true;
  }
  return !!nav && (nav.type === "reload" || nav.type === "back_forward");
}

// keepOnLanguage makes the language links carry the flow over: the page
// they open resumes it.
export function keepOnLanguage(store) {
  for (const a of document.querySelectorAll("nav.languages a[hreflang]")) {
    a.addEventListener("click", () => store.save({ language: true }));
  }
}

// ABOUT_INPUT are the errors about what the person typed on the screen:
// said next to its field. Others (a CAPTCHA, a limit, the network) go to
// the page's message.
const ABOUT_INPUT = new Set(["invalid_input", "invalid_credentials", "invalid_code", "code_expired", "code_locked", "too_many_attempts", "phone_not_allowed"]);

// aboutInput reports whether err is about the input of the screen.
export function aboutInput(err) {
  return !!err && (!!err.field || ABOUT_INPUT.has(err.code));
}

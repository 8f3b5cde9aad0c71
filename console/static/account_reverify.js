// Re-verification on the account center: the panel that explains why a
// change needs a recent verification and offers the user's factors, and
// the ways to prove one (a passkey, or a code) before the kept action runs
// again.

import { supported, get } from "/static/webauthn.js";
import { gql } from "/static/graphql.js";
import { t } from "/static/i18n.js";
import { withBusy } from "/static/busy.js";
import { limits } from "/static/limits.js";
import { h } from "/static/account_html.js";
import { root, state, busy, load, render, explain, sayError, sayStatus, clearMessages, showSignedOut } from "/static/account_page.js";

export function askToReverify(retry) {
  state.retry = retry;
  state.ui.reverifyCode = null;
  render("#reverify-button");
  // Without a passkey to use, the focus goes to the panel's title.
  if (!root.querySelector("#reverify-button")) root.querySelector("#reverify-title").focus();
}

// reverifyByPasskey proves one of the user's passkeys for this session.
async function reverifyByPasskey() {
  const begun = (await gql("mutation { beginReverification(factor: PASSKEY) { ceremony options } }")).beginReverification;
  const credential = await get(JSON.parse(begun.options).publicKey);
  await gql("mutation($c: String!, $r: String!) { finishReverification(ceremony: $c, response: $r) { id } }",
    { c: begun.ceremony, r: JSON.stringify(credential) });
}

// beginCodeReverification starts re-verifying with a code factor (TOTP,
// SMS: a code is sent now, BACKUP_CODE) and opens the field for the code.
async function beginCodeReverification(factor) {
  clearMessages();
  try {
    state.ui.reverifyCode = await withBusy(busy, async () =>
      (await gql("mutation($f: ReverificationFactor!) { beginReverification(factor: $f) { ceremony factor sentTo } }", { f: factor })).beginReverification);
  } catch (err) {
    sayError(explain(err));
    return;
  }
  render("#reverify-code");
}

// reverifyByCode finishes a code re-verification with the code typed.
async function reverifyByCode() {
  const code = root.querySelector("#reverify-code").value.trim();
  await gql("mutation($c: String!, $code: String!) { finishReverification(ceremony: $c, code: $code) { id } }",
    { c: state.ui.reverifyCode.ceremony, code });
}

// reverify runs one way of re-verifying (prove), then the kept action.
async function reverify(prove) {
  clearMessages();
  try {
    await withBusy(busy, async () => {
      await prove();
      await load();
    });
  } catch (err) {
    if (err.code === "unauthenticated") {
      showSignedOut();
      return;
    }
    sayError(explain(err));
    return;
  }
  const retry = state.retry;
  state.retry = null;
  state.ui.reverifyCode = null;
  // The panel goes at once: the kept action may fail for its own reasons.
  render();
  sayStatus(t("account.reverified"));
  if (retry) await retry();
}

// reverifyWays are the code factors the panel offers, with their words.
const reverifyWays = [
  { factor: "TOTP", button: "account.reverifyTOTP", label: "account.reverifyCodeTOTP" },
  { factor: "SMS", button: "account.reverifySMS", label: "account.reverifyCodeSMS" },
  { factor: "BACKUP_CODE", button: "account.reverifyBackupCode", label: "account.reverifyCodeBackupCode" },
];

export function reverifyPanel() {
  const factors = state.me.reverificationFactors || [];
  const passkey = factors.includes("PASSKEY") && supported();
  const ways = reverifyWays.filter((w) => factors.includes(w.factor));
  const open = state.ui.reverifyCode;
  const minutes = { minutes: limits.reverify_minutes };
  let text = t("account.reverifyText", minutes);
  if (!passkey && !ways.length) text = factors.includes("PASSKEY") ? t("account.reverifyNoWebAuthn", minutes) : t("account.reverifyNone", minutes);
  const cancel = () => { state.retry = null; state.ui.reverifyCode = null; clearMessages(); render(); };
  let codeForm = null;
  if (open) {
    const way = reverifyWays.find((w) => w.factor === open.factor);
    codeForm = h("form", { id: "reverify-code-form", onsubmit: (ev) => { ev.preventDefault(); reverify(reverifyByCode); } },
      h("label", { for: "reverify-code" }, t(way.label, { phone: open.sentTo || "" })),
      h("input", { id: "reverify-code", name: "code", type: "text", autocomplete: "one-time-code", maxlength: "20", required: true }),
      h("button", { type: "submit", id: "reverify-code-submit" }, t("account.reverifyCodeSubmit")));
  }
  return h("section", { id: "reverify", class: "panel notice", "aria-labelledby": "reverify-title" },
    h("h2", { id: "reverify-title", tabindex: "-1" }, t("account.reverifyTitle")),
    h("p", { id: "reverify-text" }, text),
    codeForm,
    h("div", { class: "actions" },
      passkey ? h("button", { type: "button", id: "reverify-button", onclick: () => reverify(reverifyByPasskey) }, t("account.reverifyButton")) : null,
      ways.map((w) => h("button", { type: "button", class: "secondary", id: `reverify-${w.factor.toLowerCase().replace("_", "-")}`, onclick: () => beginCodeReverification(w.factor) }, t(w.button))),
      h("button", { type: "button", class: "secondary", id: "reverify-cancel", onclick: cancel }, t("account.cancel"))));
}

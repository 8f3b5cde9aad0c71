// The 2-step verification part of the account center: the on/off switch,
// the authenticator app, the SMS factor and backup codes, with their
// actions.

import { gql } from "/static/graphql.js";
import { t, parts } from "/static/i18n.js";
import { limits } from "/static/limits.js";
import { h, section } from "/static/account_html.js";
import { state, act, render, sayError, sayStatus, clearMessages } from "/static/account_page.js";
import { codesActions, keyCopyButton } from "/static/keep.js";

// kept reports what copy, download or print did, next to its button.
function kept(ok, text) {
  clearMessages();
  if (ok) sayStatus(text);
  else sayError(text);
}

export function twoStepSection(me) {
  const offers = (f) => me.availableFactors.includes(f);
  const ui = state.ui;
  const rows = [h("p", { class: "muted" }, t("account.twoStepIntro"))];

  // The switch, a checkbox with the switch role; disabled where the policy
  // is mandatory.
  rows.push(h("div", { class: "switch-row" },
    h("input", { type: "checkbox", role: "switch", id: "mfa-switch", checked: me.mfaEnabled, disabled: !me.mfaOptional,
      "aria-describedby": "mfa-state", onchange: (e) => setMFA(e.target.checked) }),
    h("label", { for: "mfa-switch" }, t("account.twoStepSwitch"))));
  rows.push(h("p", { id: "mfa-state" }, me.mfaOptional ? (me.mfaEnabled ? t("account.twoStepOn") : t("account.twoStepOff")) : t("account.twoStepRequired")));

  if (offers("TOTP")) rows.push(totpBox(me));
  if (offers("SMS")) rows.push(smsBox(me));
  if (offers("BACKUP_CODES")) rows.push(backupBox(me));
  return section("two-step", t("account.twoStep"), rows);
}

// totpBox is the authenticator app: on (remove), being set up (QR code
// and the code to confirm), or off (set up).
function totpBox(me) {
  const ui = state.ui;
  const box = [h("h3", { id: "totp-title", tabindex: "-1" }, t("account.totp"))];
  if (me.totp) {
    box.push(h("p", { id: "totp-state" }, t("account.totpOn")),
      h("button", { type: "button", class: "secondary", id: "totp-remove", onclick: removeTOTP }, t("account.removeTOTP")));
  } else if (ui.totp) {
    box.push(h("p", {}, t("account.totpScan")),
      h("img", { id: "totp-qr", src: ui.totp.qrCode, alt: t("account.totpQRAlt"), width: "200", height: "200" }),
      h("p", {}, parts("account.totpKey", { key: h("code", { id: "totp-secret" }, ui.totp.secret) })),
      h("div", { class: "actions keep-actions" }, keyCopyButton("totp-secret-copy", () => ui.totp.secret, kept)),
      h("form", { id: "totp-form", novalidate: true, onsubmit: (e) => { e.preventDefault(); confirmTOTP(e.target.elements.code); } },
        h("label", { for: "totp-code" }, t("account.totpCode", { digits: limits.code_digits })),
        h("input", { id: "totp-code", name: "code", type: "text", inputmode: "numeric", autocomplete: "one-time-code", maxlength: "10" }),
        h("div", { class: "actions" },
          h("button", { type: "submit", id: "totp-confirm" }, t("account.confirm")),
          h("button", { type: "button", class: "secondary", id: "totp-cancel", onclick: () => { ui.totp = null; clearMessages(); render("#totp-setup"); } }, t("account.cancel")))));
  } else {
    box.push(h("p", { id: "totp-state", class: "muted" }, t("account.totpOff", { seconds: limits.totp_seconds })),
      h("button", { type: "button", class: "secondary", id: "totp-setup", onclick: beginTOTP }, t("account.totpSetup")));
  }
  return h("div", { class: "factor", id: "totp" }, box);
}

// smsBox is the SMS factor: on (remove), a code sent (confirm), the phone
// form, or off (set up).
function smsBox(me) {
  const ui = state.ui;
  const box = [h("h3", { id: "sms-title", tabindex: "-1" }, t("account.sms"))];
  if (me.smsPhone) {
    box.push(h("p", { id: "sms-state" }, t("account.smsOn", { phone: me.smsPhone })),
      h("button", { type: "button", class: "secondary", id: "sms-remove", onclick: removeSMS }, t("account.removeSMS")));
  } else if (ui.sms) {
    box.push(h("form", { id: "sms-code-form", novalidate: true, onsubmit: (e) => { e.preventDefault(); confirmSMS(e.target.elements.code); } },
      h("label", { for: "sms-code" }, t("account.smsCode", { phone: ui.sms.sentTo })),
      h("input", { id: "sms-code", name: "code", type: "text", inputmode: "numeric", autocomplete: "one-time-code", maxlength: "10" }),
      h("div", { class: "actions" },
        h("button", { type: "submit", id: "sms-confirm" }, t("account.confirm")),
        h("button", { type: "button", class: "secondary", id: "sms-cancel", onclick: () => { ui.sms = null; ui.smsForm = false; clearMessages(); render("#sms-setup"); } }, t("account.cancel")))));
  } else if (ui.smsForm) {
    box.push(h("form", { id: "sms-phone-form", novalidate: true, onsubmit: (e) => { e.preventDefault(); beginSMS(e.target.elements.phone); } },
      h("label", { for: "sms-phone" }, t("account.smsPhone")),
      h("input", { id: "sms-phone", name: "phone", type: "tel", autocomplete: "tel", maxlength: "20" }),
      h("div", { class: "actions" },
        h("button", { type: "submit", id: "sms-send" }, t("account.smsSend")),
        h("button", { type: "button", class: "secondary", id: "sms-cancel", onclick: () => { ui.smsForm = false; clearMessages(); render("#sms-setup"); } }, t("account.cancel")))));
  } else {
    box.push(h("p", { id: "sms-state", class: "muted" }, t("account.smsOff")),
      h("button", { type: "button", class: "secondary", id: "sms-setup", onclick: () => { ui.smsForm = true; clearMessages(); render("#sms-phone"); } }, t("account.smsSetup")));
  }
  return h("div", { class: "factor", id: "sms" }, box);
}

// backupBox is the backup codes: new codes shown once, or how many are
// left (regenerate).
function backupBox(me) {
  const ui = state.ui;
  const left = me.backupCodesLeft;
  const box = [h("h3", { id: "backup-title", tabindex: "-1" }, t("account.backup")), h("p", { class: "muted" }, t("account.backupIntro"))];
  if (ui.backupCodes) {
    box.push(h("p", { id: "backup-codes-text" }, t("account.backupShown")),
      h("ol", { id: "backup-codes", class: "backup-codes", "aria-labelledby": "backup-codes-text" }, ui.backupCodes.map((c) => h("li", { class: "backup-code" }, c))),
      codesActions("backup-codes", state.tenant, () => ui.backupCodes, "#backup", kept),
      h("button", { type: "button", id: "backup-codes-saved", onclick: () => { ui.backupCodes = null; clearMessages(); render("#backup-regenerate"); } }, t("account.backupDone")));
  } else {
    box.push(h("p", { id: "backup-left" }, left === 0 ? t("account.backupNone") : left === 1 ? t("account.backupLeftOne") : t("account.backupLeftOther", { count: left })),
      h("button", { type: "button", class: "secondary", id: "backup-regenerate", onclick: regenerateBackupCodes }, t("account.backupRegenerate")));
  }
  return h("div", { class: "factor", id: "backup" }, box);
}

function setMFA(enabled) {
  act(async () => {
    await gql("mutation($on: Boolean!) { setMFA(enabled: $on) { id } }", { on: enabled });
    return "#mfa-switch";
  }, enabled ? t("account.twoStepTurnedOn") : t("account.twoStepTurnedOff")).then(() => {
    // A refused change leaves the switch where the server has it.
    const sw = document.getElementById("mfa-switch");
    if (sw && state.me) sw.checked = state.me.mfaEnabled;
  });
}

function beginTOTP() {
  act(async () => {
    state.ui.totp = (await gql("mutation { beginTOTP { secret qrCode } }")).beginTOTP;
    return "#totp-code";
  });
}

function codeOf(input) {
  const code = input.value.replace(/\s+/g, "");
  if (!code) {
    sayError(t("account.codeEmpty"));
    input.focus();
  }
  return code;
}

// afterFirstFactor gives the user backup codes when the tenant has them and
// the user has none left, shown once.
async function afterFirstFactor() {
  const me = (await gql("query { me { availableFactors backupCodesLeft } }")).me;
  if (me.availableFactors.includes("BACKUP_CODES") && me.backupCodesLeft === 0) {
    state.ui.backupCodes = (await gql("mutation { regenerateBackupCodes { codes } }")).regenerateBackupCodes.codes;
    return "#backup-codes-text";
  }
  return null;
}

function confirmTOTP(input) {
  const code = codeOf(input);
  if (!code) return;
  act(async () => {
    await gql("mutation($code: String!) { confirmTOTP(code: $code) { id } }", { code });
    state.ui.totp = null;
    return (await afterFirstFactor()) || "#totp-title";
  }, t("account.totpAdded"));
}

function removeTOTP() {
  act(async () => {
    await gql("mutation { removeTOTP { id } }");
    return "#totp-setup";
  }, t("account.totpRemoved"));
}

function beginSMS(input) {
  const phone = input.value.trim();
  if (!phone) {
    sayError(t("account.phoneEmpty"));
    input.focus();
    return;
  }
  act(async () => {
    state.ui.sms = (await gql("mutation($phone: String!) { beginSMSFactor(phone: $phone) { binding sentTo } }", { phone })).beginSMSFactor;
    return "#sms-code";
  });
}

function confirmSMS(input) {
  const code = codeOf(input);
  if (!code) return;
  act(async () => {
    await gql("mutation($b: String!, $code: String!) { confirmSMSFactor(binding: $b, code: $code) { id } }", { b: state.ui.sms.binding, code });
    state.ui.sms = null;
    state.ui.smsForm = false;
    return (await afterFirstFactor()) || "#sms-title";
  }, t("account.smsAdded"));
}

function removeSMS() {
  act(async () => {
    await gql("mutation { removeSMSFactor { id } }");
    return "#sms-setup";
  }, t("account.smsRemoved"));
}

function regenerateBackupCodes() {
  act(async () => {
    state.ui.backupCodes = (await gql("mutation { regenerateBackupCodes { codes } }")).regenerateBackupCodes.codes;
    return "#backup-codes-text";
  });
}

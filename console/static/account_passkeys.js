// The passkeys part of the account center: the list (rename, remove after
// a confirmation) and the form that adds one.

import { supported, create } from "/static/webauthn.js";
import { gql } from "/static/graphql.js";
import { t, parts } from "/static/i18n.js";
import { limits } from "/static/limits.js";
import { h, section, timeEl, word, joinWords } from "/static/account_html.js";
import { state, act, render, sayError, clearMessages } from "/static/account_page.js";

function syncText(p) {
  if (p.synced) return t("account.synced");
  if (p.backupEligible) return t("account.canSync");
  return t("account.deviceOnly");
}

function passkeyItem(p) {
  const ui = state.ui;
  const details = [
    h("span", { class: "passkey-name" }, p.name),
    p.authenticatorName && p.authenticatorName !== p.name ? h("span", { class: "passkey-authenticator" }, p.authenticatorName) : null,
    h("span", { class: "passkey-meta" },
      parts("account.created", { date: timeEl(p.createdAt) }), " · ",
      p.lastUsedAt ? parts("account.lastUsed", { date: timeEl(p.lastUsedAt) }) : t("account.notUsed"), " · ",
      h("span", { class: "passkey-sync" }, syncText(p))),
    p.fitsPolicy === false ? h("span", { class: "passkey-policy" }, t("passkey_life.outside_policy")) : null,
    p.transports.length > 0
      ? h("span", { class: "passkey-transports" }, t("account.transports", { list: joinWords(p.transports.map((x) => word("account.transportNames", x))) }))
      : null,
  ];
  let tail;
  if (ui.renameId === p.id) {
    const inputId = `rename-${p.id}`;
    tail = h("form", { class: "inline-form rename-form", novalidate: true, onsubmit: (e) => { e.preventDefault(); renamePasskey(p, e.target.elements.name); } },
      h("label", { for: inputId }, t("account.newName", { name: p.name })),
      h("input", { id: inputId, name: "name", type: "text", maxlength: limits.passkey_name_max, value: p.name, autocomplete: "off", class: "rename-input" }),
      h("div", { class: "actions" },
        h("button", { type: "submit", class: "rename-save" }, t("account.save")),
        h("button", { type: "button", class: "secondary rename-cancel", onclick: () => { ui.renameId = null; clearMessages(); render(`li[data-id="${p.id}"] .passkey-rename`); } }, t("account.cancel"))));
  } else if (ui.removeId === p.id) {
    tail = h("div", { class: "confirm", role: "group", "aria-labelledby": `remove-text-${p.id}` },
      h("p", { id: `remove-text-${p.id}`, class: "remove-text" }, t("account.removeConfirm", { name: p.name })),
      h("div", { class: "actions" },
        h("button", { type: "button", class: "danger passkey-remove-confirm", onclick: () => removePasskey(p) }, t("account.removeYes")),
        h("button", { type: "button", class: "secondary passkey-remove-cancel", onclick: () => { ui.removeId = null; clearMessages(); render(`li[data-id="${p.id}"] .passkey-remove`); } }, t("account.keep"))));
  } else {
    tail = h("div", { class: "actions" },
      h("button", { type: "button", class: "secondary passkey-rename", "aria-label": t("account.renameLabel", { name: p.name }),
        onclick: () => { ui.renameId = p.id; ui.removeId = null; clearMessages(); render(`#rename-${CSS.escape(p.id)}`); } }, t("account.rename")),
      h("button", { type: "button", class: "secondary passkey-remove", "aria-label": t("account.removeLabel", { name: p.name }),
        onclick: () => { ui.removeId = p.id; ui.renameId = null; clearMessages(); render(`li[data-id="${p.id}"] .passkey-remove-cancel`); } }, t("account.remove")));
  }
  return h("li", { class: "passkey", "data-id": p.id }, details, tail);
}

export function passkeysSection(me) {
  let add = null;
  if (state.allowRegistration && !supported()) {
    add = h("p", { id: "no-webauthn" }, t("account.noWebAuthn"));
  } else if (state.allowRegistration) {
    add = h("form", { id: "add-passkey-form", novalidate: true, onsubmit: (e) => { e.preventDefault(); addPasskey(e.target.elements.name.value.trim()); } },
      h("label", { for: "passkey-name" }, t("account.addName")),
      h("input", { id: "passkey-name", name: "name", type: "text", maxlength: limits.passkey_name_max, placeholder: t("account.addPlaceholder"), autocomplete: "off" }),
      h("button", { type: "submit", id: "add-passkey" }, t("account.add")));
  }
  return section("passkeys-section", t("account.passkeys"),
    h("ul", { id: "passkeys", class: "passkeys" },
      me.passkeys.length > 0 ? me.passkeys.map(passkeyItem) : h("li", { id: "no-passkeys" }, t("account.noPasskeys"))),
    add);
}

function addPasskey(name) {
  act(async () => {
    const begun = (await gql("mutation { beginAddPasskey { ceremony options } }")).beginAddPasskey;
    const options = JSON.parse(begun.options);
    const credential = await create(options.publicKey);
    await gql("mutation($c: String!, $r: String!, $n: String) { finishAddPasskey(ceremony: $c, response: $r, name: $n) { id } }",
      { c: begun.ceremony, r: JSON.stringify(credential), n: name || null });
    return "#passkeys-section-title";
  }, t("account.added"));
}

function renamePasskey(p, input) {
  const name = input.value.trim();
  if (!name) {
    sayError(t("account.nameEmpty"));
    input.focus();
    return;
  }
  act(async () => {
    await gql("mutation($id: ID!, $name: String!) { renamePasskey(id: $id, name: $name) { id } }", { id: p.id, name });
    state.ui.renameId = null;
    return `li[data-id="${p.id}"] .passkey-rename`;
  }, t("account.renamed"));
}

function removePasskey(p) {
  act(async () => {
    await gql("mutation($id: ID!) { removePasskey(id: $id) }", { id: p.id });
    state.ui.removeId = null;
    return "#passkeys-section-title";
  }, t("account.removed"));
}

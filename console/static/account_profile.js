// The profile part of the account center: the picture
// (account_avatar.js), the name (shown, changed in
// place) and the email addresses and phone numbers the account signs in
// with: each shown verified or not, removed (not the last way to sign
// in), and a new one added by the code sent to it.

import { gql } from "/static/graphql.js";
import { t, parts } from "/static/i18n.js";
import { h, section, word } from "/static/account_html.js";
import { state, act, render, clearMessages } from "/static/account_page.js";
import { avatarForm } from "/static/account_avatar.js";
import { languageForm } from "/static/account_language.js";

export const NAME_MAX = 100;

export function profileSection(me) {
  const ui = state.ui;
  return section("profile", t("account.profile"),
    h("dl", { class: "facts" },
      h("dt", {}, t("account_manage.avatar.label")),
      h("dd", {}, avatarForm(me)),
      h("dt", {}, t("account.displayName")),
      h("dd", {}, ui.editName ? nameForm(me) : [
        h("span", { id: "profile-name" }, me.displayName),
        h("div", { class: "actions" }, h("button", { type: "button", class: "secondary", id: "edit-name",
          onclick: () => { ui.editName = true; clearMessages(); render("#display-name"); } }, t("account_manage.editName")))]),
      h("dt", {}, t("account_manage.language.label")),
      h("dd", {}, languageForm(me)),
      h("dt", {}, t("account.identifiers")),
      h("dd", {}, h("ul", { id: "identifiers", class: "plain" }, me.identifiers.map((i) => identifierItem(me, i))))),
    addIdentifier());
}

function nameForm(me) {
  return h("form", { id: "name-form", class: "inline-form", novalidate: true,
    onsubmit: (e) => { e.preventDefault(); saveName(e.target.elements.displayName.value); } },
    h("label", { for: "display-name" }, t("account_manage.nameLabel")),
    h("input", { id: "display-name", name: "displayName", type: "text", maxlength: NAME_MAX, value: me.displayName, autocomplete: "name", required: true }),
    h("div", { class: "actions" },
      h("button", { type: "submit", id: "save-name" }, t("account_manage.saveName")),
      h("button", { type: "button", class: "secondary", id: "cancel-name",
        onclick: () => { state.ui.editName = false; clearMessages(); render("#edit-name"); } }, t("account_manage.cancel"))));
}

function saveName(name) {
  act(async () => {
    await gql("mutation($n: String!) { updateProfile(displayName: $n) { id } }", { n: name });
    state.ui.editName = false;
    return "#edit-name";
  }, t("account_manage.nameSaved"), ["#profile"]);
}

function identifierItem(me, i) {
  return h("li", { class: "identifier", "data-id": i.id },
    parts("account.identifierLine", {
      kind: word("account.identifierKinds", i.kind),
      value: i.value,
      status: h("span", { class: "muted" }, t("account.identifierStatus", { status: i.verified ? t("account.verified") : t("account.notVerified") })),
    }),
    me.identifiers.length > 1 ? h("div", { class: "actions" }, h("button", { type: "button", class: "secondary identifier-remove",
      "aria-label": t("account_manage.removeIdentifierLabel", { value: i.value }),
      onclick: () => removeIdentifier(i) }, t("account_manage.removeIdentifier"))) : null);
}

function removeIdentifier(i) {
  act(async () => {
    await gql("mutation($id: ID!) { removeIdentifier(id: $id) { id } }", { id: i.id });
    return "#profile-title";
  }, t("account_manage.identifierRemoved", { value: i.value }), ["#profile"]);
}

// addIdentifier is the form that sends a code, then the one that takes it.
function addIdentifier() {
  const pending = state.ui.identifier;
  const box = h("div", { id: "add-identifier", class: "factor" },
    h("h3", { id: "add-identifier-title", tabindex: "-1" }, t("account_manage.addIdentifierTitle")),
    h("p", { class: "muted" }, t("account_manage.addIdentifierHelp")),
    h("form", { id: "add-identifier-form", class: "inline-form", novalidate: true,
      onsubmit: (e) => { e.preventDefault(); sendCode(e.target.elements.value.value); } },
      h("label", { for: "new-identifier" }, t("account_manage.newIdentifierLabel")),
      h("input", { id: "new-identifier", name: "value", type: "text", autocomplete: "email", value: pending ? pending.value : "" }),
      h("div", { class: "actions" }, h("button", { type: "submit", id: "send-identifier-code", class: pending ? "secondary" : null }, t("account_manage.sendCode")))));
  if (pending) {
    box.append(h("form", { id: "identifier-code-form", class: "inline-form", novalidate: true,
      onsubmit: (e) => { e.preventDefault(); confirmIdentifier(e.target.elements.code.value); } },
      h("p", { id: "identifier-sent" }, t("account_manage.codeSent", { to: pending.sentTo })),
      h("label", { for: "identifier-code" }, t("account_manage.codeLabel")),
      h("input", { id: "identifier-code", name: "code", type: "text", inputmode: "numeric", autocomplete: "one-time-code", maxlength: 6 }),
      h("div", { class: "actions" }, h("button", { type: "submit", id: "confirm-identifier" }, t("account_manage.verify")))));
  }
  return box;
}

function sendCode(value) {
  act(async () => {
    const d = await gql("mutation($v: String!) { beginAddIdentifier(value: $v) { binding kind sentTo } }", { v: value });
    state.ui.identifier = { value, ...d.beginAddIdentifier };
    return "#identifier-code";
  }, () => t("account_manage.codeSent", { to: state.ui.identifier.sentTo }), ["#add-identifier-form", "#add-identifier"]);
}

function confirmIdentifier(code) {
  const pending = state.ui.identifier;
  act(async () => {
    await gql("mutation($b: String!, $c: String!) { confirmIdentifier(binding: $b, code: $c) { id } }", { b: pending.binding, c: code.trim() });
    state.ui.identifier = null;
    return "#add-identifier-title";
  }, t("account_manage.identifierAdded", { value: pending.sentTo }), ["#identifier-code-form", "#add-identifier"]);
}

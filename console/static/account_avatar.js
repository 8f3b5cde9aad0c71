// The account center's picture: shown from where the tenant host serves it
// (me.avatar.url), replaced by a file the person chooses (setAvatar, the
// bytes base64; the server decides what the picture is) and removed
// (removeAvatar). Its words are account_manage.avatar.*.

import { gql } from "/static/graphql.js";
import { t } from "/static/i18n.js";
import { h } from "/static/account_html.js";
import { act, sayError } from "/static/account_page.js";
import { base64, fileChooser, PICTURE_MAX_KIB } from "/static/picture.js";

const where = ["#avatar-form", "#profile"];

export function avatarForm(me) {
  const chooser = fileChooser(h, { id: "avatar-file", label: t("account_manage.avatar.file"), none: t("account_manage.avatar.no_file"), describedBy: "avatar-hint" });
  const file = chooser[0];
  return h("form", { id: "avatar-form", class: "inline-form", novalidate: true,
    onsubmit: (e) => { e.preventDefault(); upload(file); } },
    me.avatar
      ? h("img", { id: "avatar-image", class: "avatar", src: me.avatar.url, alt: t("account_manage.avatar.alt"), width: 96, height: 96 })
      : h("p", { id: "avatar-none", class: "muted" }, t("account_manage.avatar.none")),
    chooser,
    h("p", { id: "avatar-hint", class: "muted" }, t("account_manage.avatar.hint", { max_kib: PICTURE_MAX_KIB })),
    h("div", { class: "actions" },
      h("button", { type: "submit", id: "avatar-upload", class: "secondary" }, t("account_manage.avatar.upload")),
      me.avatar ? h("button", { type: "button", id: "avatar-remove", class: "secondary", onclick: remove }, t("account_manage.avatar.remove")) : null));
}

function upload(file) {
  if (!file.files.length) {
    file.setAttribute("aria-invalid", "true");
    sayError(t("account_manage.avatar.choose"));
    file.focus();
    return;
  }
  const chosen = file.files[0];
  act(async () => {
    const d = base64(await chosen.arrayBuffer());
    await gql("mutation($d: String!) { setAvatar(imageBase64: $d) { id } }", { d });
    return "#avatar-upload";
  }, t("account_manage.avatar.saved"), where);
}

function remove() {
  act(async () => {
    await gql("mutation { removeAvatar { id } }");
    return "#avatar-file";
  }, t("account_manage.avatar.removed"), where);
}

// The branding pages' parts that are not settings fields: the logo form
// (setLogo / removeLogo: the picture goes base64 in the management API,
// checked by the server) and the code message preview
// (previewMessageTemplate: the server renders what is typed, unsaved, with
// a sample code, after the checks a save applies).
import { h } from "/static/console_dom.js";
import { gql } from "/static/console_api.js";
import { t } from "/static/i18n.js";
import { withBusy } from "/static/busy.js";
import { base64, fileChooser, PICTURE_MAX_KIB } from "/static/picture.js";

// The languages of the hosted pages, each named in itself.
export const languages = [["en", "English"], ["es", "Español"], ["zh-CN", "简体中文"]];


// logoForm returns the logo form of the tenant slug.
export function logoForm(slug) {
  const current = h("div", { id: "logo-current" });
  const chooser = fileChooser(h, { id: "logo-file", label: t("branding.console.logo.file"), none: t("branding.console.logo.no_file"), describedBy: "logo-intro logo-error" });
  const file = chooser[0];
  const error = h("p", { class: "field-error", id: "logo-error" });
  const status = h("p", { class: "form-status", id: "logo-status", role: "status" });
  const upload = h("button", { type: "submit", id: "logo-upload" }, t("branding.console.logo.upload"));
  const remove = h("button", { type: "button", id: "logo-remove", class: "secondary" }, t("branding.console.logo.remove"));
  // show draws the logo: the picture just uploaded as a data: URL (the
  // console's CSP loads pictures from its own host only), a stored one as
  // a link to where the tenant host serves it.
  const show = (logo, host, dataURL) => {
    remove.hidden = !logo;
    let el = h("p", { class: "hint" }, t("branding.console.logo.none"));
    if (logo && dataURL) el = h("img", { src: dataURL, alt: t("branding.console.logo.current"), id: "logo-preview", class: "logo-preview" });
    else if (logo) el = h("p", {}, h("a", { href: `${window.location.protocol}//${host}${logo.url}`, id: "logo-link", target: "_blank", rel: "noopener" }, t("branding.console.logo.current")));
    current.replaceChildren(el);
  };
  const fail = (err) => {
    status.textContent = "";
    error.textContent = err.message;
    file.setAttribute("aria-invalid", "true");
    file.focus();
  };
  const form = h("form", { id: "logo-form", novalidate: true },
    h("h3", {}, t("branding.console.logo.title")),
    h("p", { class: "hint", id: "logo-intro" }, t("branding.console.logo.intro", { max_kib: PICTURE_MAX_KIB })),
    current, h("div", {}, chooser), error,
    h("div", { class: "actions" }, upload, remove), status);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    file.removeAttribute("aria-invalid");
    if (!file.files.length) {
      fail(new Error(t("branding.console.logo.choose")));
      return;
    }
    await withBusy((on) => { upload.disabled = on; }, async () => {
      const data = base64(await file.files[0].arrayBuffer());
      const res = await gql(slug, "mutation($d: String!) { setLogo(imageBase64: $d) { url contentType } }", { d: data });
      show(res.setLogo, "", `data:${res.setLogo.contentType};base64,${data}`);
      status.textContent = t("branding.console.logo.saved");
    }, fail);
  });
  remove.addEventListener("click", async () => {
    error.textContent = "";
    await withBusy((on) => { remove.disabled = on; }, async () => {
      await gql(slug, "mutation { removeLogo }");
      show(null);
      status.textContent = t("branding.console.logo.removed");
    }, fail);
  });
  show(null);
  gql(slug, "{ tenant { host logo { url } } }").then((d) => show(d.tenant.logo, d.tenant.host), () => {});
  return form;
}

// previewForm returns the preview of the message templates typed on the
// page (fields f-messages-templates-{lang}-{key}).
export function previewForm(slug) {
  const language = h("select", { id: "preview-locale" }, languages.map(([v, name]) => h("option", { value: v }, name)));
  const channel = h("select", { id: "preview-channel" },
    h("option", { value: "EMAIL" }, t("branding.console.preview.email")), h("option", { value: "SMS" }, t("branding.console.preview.sms")));
  const error = h("p", { class: "field-error", id: "preview-error", role: "alert" });
  const out = h("div", { id: "preview-output", class: "preview", "aria-live": "polite" });
  const button = h("button", { type: "submit", id: "preview-button" }, t("branding.console.preview.button"));
  const form = h("form", { id: "preview-form", novalidate: true },
    h("h3", {}, t("branding.console.preview.title")),
    h("p", { class: "hint" }, t("branding.console.preview.intro")),
    h("label", { for: "preview-locale" }, t("branding.console.preview.language")), language,
    h("label", { for: "preview-channel" }, t("branding.console.preview.channel")), channel,
    button, error, out);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    out.replaceChildren();
    const lang = language.value;
    const read = (key) => (document.getElementById(`f-messages-templates-${lang}-${key}`) || {}).value || "";
    const template = { locale: lang, emailSubject: read("emailSubject"), emailBody: read("emailBody"), sms: read("sms") };
    await withBusy((on) => { button.disabled = on; }, async () => {
      const d = await gql(slug, "query($c: Channel!, $l: String!, $t: MessageTemplateInput!) { previewMessageTemplate(channel: $c, locale: $l, template: $t) { subject text } }",
        { c: channel.value, l: lang, t: template });
      const p = d.previewMessageTemplate;
      out.replaceChildren(
        p.subject === null ? "" : h("p", { id: "preview-subject" }, t("branding.console.preview.subject", { subject: p.subject })),
        h("pre", { id: "preview-text" }, p.text));
    }, (err) => { error.textContent = err.message; });
  });
  return form;
}

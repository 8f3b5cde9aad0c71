// The fields of the settings forms: each field type's control, built from
// the settings as read, with a reader of its value; and the mapping
// between the form's sections and the server's settings input.
import { h } from "/static/console_dom.js";
import { t } from "/static/i18n.js";
import { identifierLabels, signInWithLabels, methodLabels, methodsFor } from "/static/console_settings_pages.js";
import { languages } from "/static/console_branding.js";

// What the server calls each section in extensions.field.
export const serverSection = {
  signUp: "sign_up", signIn: "sign_in", password: "password", passkeys: "passkeys", passkeyOffers: "passkey_offers", authenticatorPolicy: "authenticator_policy",
  mfa: "mfa", captcha: "captcha", sms: "sms", limits: "limits",
  providersSms: "providers.sms", providersEmail: "providers.email",
  branding: "branding", messages: "messages", account: "account",
  general: "",
};

// sectionValue returns a section of the settings as read; the providers
// are two sections nested under "providers".
export function sectionValue(settings, section) {
  if (section === "general") return { defaultLocale: settings.defaultLocale };
  if (section === "providersSms") return settings.providers.sms;
  if (section === "providersEmail") return settings.providers.email;
  return settings[section];
}

const snake = (s) => s.replace(/[A-Z]/g, (c) => "_" + c.toLowerCase());

// toInput turns a section as read into its input form.
export function toInput(section, value) {
  switch (section) {
    case "signIn":
      return { methods: value.methods.map((m) => ({ identifier: m.identifier, methods: [...m.methods] })) };
    case "passkeys": {
      const { passkeysOnRPID, ...rest } = value;
      return { ...rest, origins: [...rest.origins] };
    }
    case "captcha":
      return { provider: value.provider, siteKey: value.siteKey || "" };
    case "providersSms": {
      const { authTokenSet, ...rest } = value;
      return rest;
    }
    case "providersEmail": {
      const { passwordSet, ...rest } = value;
      return rest;
    }
    default:
      return structuredClone(value);
  }
}

let fieldSeq = 0;

// buildField returns the field's elements and a reader of its value.
export function buildField(group, field, settings) {
  const section = group.section;
  // Top-level settings (the "general" group) have no section in the
  // server's field names.
  const server = serverSection[section] ? `${serverSection[section]}.${snake(field.key)}` : snake(field.key);
  const id = `f-${section}-${field.key}`;
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const value = field.type === "methods" ? settings.signIn.methods : sectionValue(settings, section)[field.key];
  const hintText = typeof field.hint === "function" ? field.hint(settings) : field.hint;
  const warnText = field.warn ? field.warn(settings) : "";
  const described = [hintText ? hintId : "", warnText ? `${id}-warn` : "", errorId].filter(Boolean).join(" ");
  const hint = hintText ? h("p", { class: "hint", id: hintId }, hintText) : null;
  const warn = warnText ? h("p", { class: "warning", id: `${id}-warn` }, warnText) : null;
  const error = h("p", { class: "field-error", id: errorId });
  const wrap = (control, read) => ({ el: h("div", { class: "field", "data-field": server }, control), read, error, control, server, section, type: field.type });

  switch (field.type) {
    case "bool": {
      const input = h("input", { type: "checkbox", id, checked: Boolean(value), "aria-describedby": described });
      const f = wrap(h("div", { class: "check" }, input, h("label", { for: id }, field.label)), () => input.checked);
      f.el.append(hint || "", error);
      f.focusable = input;
      return f;
    }
    case "int":
    case "text":
    case "secret": {
      const attrs = { id, name: id, "aria-describedby": described, autocomplete: "off" };
      let input;
      if (field.type === "int") input = h("input", { ...attrs, type: "number", inputmode: "numeric", min: field.min, step: 1, value: String(value) });
      else if (field.type === "secret") input = h("input", { ...attrs, type: "password", autocomplete: "new-password", value: "" });
      else input = h("input", { ...attrs, type: "text", spellcheck: "false", value: value || "" });
      if (field.type === "int" && (value === null || value === undefined)) input.value = "";
      const read = () => {
        if (field.type === "int") {
          if (field.optional && input.value.trim() === "") return null;
          const n = Number(input.value);
          return input.value.trim() === "" || !Number.isInteger(n) ? NaN : n;
        }
        return input.value.trim();
      };
      const f = wrap([h("label", { for: id }, field.label), hint, warn, input], read);
      f.el.append(error);
      f.focusable = input;
      f.validate = () => (field.type === "int" && Number.isNaN(read()) ? t("console.settings.whole_number") : "");
      return f;
    }
    case "lines":
    case "words": {
      const joined = (value || []).join(field.type === "lines" ? "\n" : " ");
      const input = field.type === "lines"
        ? h("textarea", { id, name: id, rows: 3, spellcheck: "false", "aria-describedby": described })
        : h("input", { id, name: id, type: "text", spellcheck: "false", "aria-describedby": described, value: joined });
      if (field.type === "lines") input.value = joined;
      const read = () => input.value.split(field.type === "lines" ? /\s*\n\s*/ : /[\s,]+/).map((v) => v.trim()).filter(Boolean);
      const f = wrap([h("label", { for: id }, field.label), hint, input], read);
      f.el.append(error);
      f.focusable = input;
      return f;
    }
    case "textarea": {
      const input = h("textarea", { id, name: id, rows: 6, spellcheck: "false", "aria-describedby": described });
      input.value = value || "";
      const f = wrap([h("label", { for: id }, field.label), hint, input], () => input.value);
      f.el.append(error);
      f.focusable = input;
      return f;
    }
    case "perLanguage":
      return perLanguage(field, value, id, wrap, error);
    case "select": {
      const select = h("select", { id, name: id, "aria-describedby": described },
        field.options.map(([v, label]) => h("option", { value: v, selected: v === value }, label)));
      const f = wrap([h("label", { for: id }, field.label), hint, select], () => select.value);
      f.el.append(error);
      f.focusable = select;
      return f;
    }
    case "radio":
    case "set": {
      const name = `${id}-${++fieldSeq}`;
      const inputs = field.options.map(([v]) => h("input", {
        type: field.type === "radio" ? "radio" : "checkbox", name, value: v, id: `${id}-${v.toLowerCase()}`,
        checked: field.type === "radio" ? v === value : (value || []).includes(v),
      }));
      const fs = h("fieldset", { class: "choices", "aria-describedby": described },
        h("legend", {}, field.label), hint,
        field.options.map(([v, label], i) => h("div", { class: "check" }, inputs[i], h("label", { for: inputs[i].id }, label))),
        error);
      const read = field.type === "radio"
        ? () => (inputs.find((i) => i.checked) || {}).value || ""
        : () => inputs.filter((i) => i.checked).map((i) => i.value);
      const f = wrap(fs, read);
      f.focusable = inputs[0];
      return f;
    }
    case "methods": {
      const byKind = new Map(value.map((m) => [m.identifier, m.methods]));
      const rows = Object.keys(methodsFor).map((kind) => {
        const on = h("input", { type: "checkbox", id: `${id}-${kind.toLowerCase()}`, checked: byKind.has(kind) });
        const methods = methodsFor[kind].map((m) => h("input", {
          type: "checkbox", id: `${id}-${kind.toLowerCase()}-${m.toLowerCase()}`, value: m,
          checked: (byKind.get(kind) || []).includes(m),
        }));
        const fs = h("fieldset", { class: "choices", "data-field": `${server}.${kind.toLowerCase()}` },
          h("legend", {}, identifierLabels[kind]),
          h("div", { class: "check" }, on, h("label", { for: on.id }, signInWithLabels[kind])),
          methodsFor[kind].map((m, i) => h("div", { class: "check nested" }, methods[i], h("label", { for: methods[i].id }, methodLabels[m]))));
        return { kind, on, methods, fs };
      });
      const read = () => rows.filter((r) => r.on.checked).map((r) => ({ identifier: r.kind, methods: r.methods.filter((m) => m.checked).map((m) => m.value) }));
      const f = wrap([rows.map((r) => r.fs), error], read);
      f.focusable = rows[0].on;
      return f;
    }
    default:
      throw new Error(`unknown field type ${field.type}`);
  }
}

// perLanguage is a field holding one object per language (the branding
// texts, the message templates): a group of inputs per language, read as
// the list the server takes; the server drops a language left empty.
function perLanguage(field, value, id, wrap, error) {
  const byLang = new Map((value || []).map((v) => [v.locale, v]));
  const inputs = [];
  const groups = languages.map(([lang, name]) => h("fieldset", { class: "choices", lang, "data-locale": lang },
    h("legend", {}, name),
    field.fields.map((sub) => {
      const subId = `${id}-${lang}-${sub.key}`;
      const input = sub.multiline
        ? h("textarea", { id: subId, name: subId, rows: 3, lang })
        : h("input", { id: subId, name: subId, type: "text", lang, autocomplete: "off" });
      input.value = (byLang.get(lang) || {})[sub.key] || "";
      inputs.push({ lang, key: sub.key, input });
      return [h("label", { for: subId }, sub.label), input];
    })));
  const read = () => languages.map(([lang]) => {
    const v = { locale: lang };
    for (const i of inputs.filter((x) => x.lang === lang)) v[i.key] = i.input.value;
    return v;
  });
  const f = wrap([groups, error], read);
  f.focusable = inputs[0].input;
  return f;
}

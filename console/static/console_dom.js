// Small DOM helpers shared by the console's modules.
import { t, lang } from "/static/i18n.js";

// h builds an element: h("p", {class: "hint"}, "text", child, ...).
// Attributes starting with "on" are event listeners; true sets a boolean
// attribute; false, null and undefined are skipped.
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      el.addEventListener(name.slice(2), value);
    } else if (name === "checked" || name === "value" || name === "selected") {
      el[name] = value;
    } else {
      el.setAttribute(name, value === true ? "" : String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false || child === "") continue;
    if (Array.isArray(child)) {
      append(el, child);
    } else {
      el.append(child instanceof Node ? child : String(child));
    }
  }
}

// formatTime shows an RFC 3339 instant as a short local date and time in
// the page's language.
export function formatTime(value) {
  if (!value) return t("console.never");
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return value;
  return d.toLocaleString(lang, { dateStyle: "medium", timeStyle: "short" });
}

// time returns a <time> element for an RFC 3339 instant, or "Never".
export function time(value) {
  if (!value) return t("console.never");
  return h("time", { datetime: value }, formatTime(value));
}

// loading is the placeholder shown while a page reads its data; text is
// the whole sentence ("Loading the tenant…"), one key per page.
export function loading(text) {
  return h("p", { class: "console-loading", role: "status" }, text);
}

// failure is the error state of a page that could not read its data, with
// a button that tries again.
export function failure(err, retry) {
  return h("div", { class: "console-error", role: "alert" },
    h("p", {}, err && err.message ? err.message : t("console.failed")),
    retry ? h("button", { type: "button", class: "secondary", onclick: retry }, t("console.try_again")) : null);
}

// confirmInline replaces the button with a question and two buttons, so
// that a destructive action needs a second, deliberate press.
export function confirmInline(button, question, yesLabel, action) {
  const box = h("div", { class: "confirm", role: "group", "aria-label": question });
  const yes = h("button", { type: "button", class: "danger" }, yesLabel);
  const no = h("button", { type: "button", class: "secondary" }, t("console.cancel"));
  box.append(h("p", {}, question), h("div", { class: "actions" }, yes, no));
  no.addEventListener("click", () => { box.replaceWith(button); button.focus(); });
  yes.addEventListener("click", async () => {
    yes.disabled = true;
    no.disabled = true;
    await action(box);
  });
  button.replaceWith(box);
  yes.focus();
}

// Building the account center's elements: h, dates, and words from
// groups of names. No state: every part of the page uses these.

import { t, has, lang, formatDate } from "/static/i18n.js";

// h builds an element: attributes (on* are listeners, booleans toggle) and
// children (strings, nodes, arrays, null).
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "class") el.className = v;
    else if (v === true) el.setAttribute(k, "");
    else el.setAttribute(k, String(v));
  }
  const add = (c) => {
    if (c === null || c === undefined || c === false) return;
    if (Array.isArray(c)) c.forEach(add);
    else el.append(c instanceof Node ? c : String(c));
  };
  children.forEach(add);
  return el;
}

// Dates are written in the page's language: a day by formatDate
// (i18n.js), a moment with its time by timeFormat.
export const timeFormat = new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short" });

export function timeEl(iso, withTime) {
  const d = new Date(iso);
  return h("time", { datetime: iso }, withTime ? timeFormat.format(d) : formatDate(d));
}

// word returns the name of a value in a group of names (account.amr,
// account.transportNames, account.identifierKinds), the value itself when
// the group lacks it.
export function word(group, value) {
  return has(`${group}.${value}`) ? t(`${group}.${value}`) : value;
}

// joinWords joins words with the language's separator.
export function joinWords(words) {
  return words.join(t("account.listSeparator"));
}

export function section(id, title, ...children) {
  return h("section", { id, "aria-labelledby": `${id}-title` }, h("h2", { id: `${id}-title`, tabindex: "-1" }, title), ...children);
}

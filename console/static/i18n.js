// The words of a localized page. The server puts the page's strings, in
// the page's language, in <script type="application/json"
// id="sesame-strings"> (see console/i18n.go); t() looks a key up and fills
// its {name} placeholders. A key the page lacks shows as the key itself,
// which the locale tests rule out.

const el = document.getElementById("sesame-strings");
const STRINGS = el ? JSON.parse(el.textContent) : {};

// lang is the page's language tag (en, es, zh-CN).
export const lang = document.documentElement.lang || "en";

// has reports whether the page holds key.
export function has(key) {
  return Object.prototype.hasOwnProperty.call(STRINGS, key);
}

// t returns the string of key with {name} replaced by vars[name].
export function t(key, vars) {
  const s = has(key) ? STRINGS[key] : key;
  if (!vars) return s;
  return s.replace(/\{([a-zA-Z_][a-zA-Z0-9_]*)\}/g, (m, name) =>
    Object.prototype.hasOwnProperty.call(vars, name) ? String(vars[name]) : m);
}

// parts splits the string of key at its placeholders and returns text and
// the nodes of vars in order, for a sentence that holds an element.
export function parts(key, vars) {
  const out = [];
  const s = has(key) ? STRINGS[key] : key;
  let last = 0;
  for (const m of s.matchAll(/\{([a-zA-Z_][a-zA-Z0-9_]*)\}/g)) {
    if (m.index > last) out.push(s.slice(last, m.index));
    const v = vars && Object.prototype.hasOwnProperty.call(vars, m[1]) ? vars[m[1]] : m[0];
    out.push(v instanceof Node ? v : String(v));
    last = m.index + m[0].length;
  }
  if (last < s.length) out.push(s.slice(last));
  return out;
}

// formatDate writes a date in the page's language.
export function formatDate(value) {
  const d = value instanceof Date ? value : new Date(value);
  return new Intl.DateTimeFormat(lang, { year: "numeric", month: "short", day: "numeric" }).format(d);
}

// Plain words for the server's settings field names. The server names a
// field by its path ("password.min_length"); a person knows it by the
// label the settings page shows ("Minimum length").
import { settingsPages } from "/static/console_settings_pages.js";
import { serverSection } from "/static/console_settings_fields.js";
import { languages } from "/static/console_branding.js";

const snake = (key) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

// fieldLabels maps each server field path to its label on the settings
// pages, longest path first so that a path is never cut by a shorter one.
function fieldLabels() {
  const labels = new Map();
  for (const page of Object.values(settingsPages)) {
    for (const group of page.groups || []) {
      for (const field of group.fields || []) {
        const prefix = serverSection[group.section];
        // A field per language names each input by its label and language.
        for (const sub of field.type === "perLanguage" ? field.fields : []) {
          for (const [lang, name] of languages) labels.set(`${prefix}.${snake(field.key)}.${lang}.${snake(sub.key)}`, `${sub.label} (${name})`);
        }
        if (!field.label) continue;
        labels.set(prefix ? `${prefix}.${snake(field.key)}` : snake(field.key), field.label);
      }
    }
  }
  return [...labels.entries()].sort((a, b) => b[0].length - a[0].length);
}

let cached;

// plainWords returns message with every server field path in it replaced
// by that field's label. A "field: problem" message whose problem names
// the field again loses the repeated prefix.
export function plainWords(message, field) {
  if (!message) return message;
  cached = cached || fieldLabels();
  let out = message;
  const prefix = `${field}: `;
  if (field && out.indexOf(prefix) === 0 && out.slice(prefix.length).includes(field)) out = out.slice(prefix.length);
  for (const [path, label] of cached) {
    out = out.split(path).join(label);
  }
  return out;
}

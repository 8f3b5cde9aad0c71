// Keeping what a person must save, shown once: backup codes and the
// authenticator app's key. Copy puts the text on the clipboard, download
// saves it as a .txt file, print prints only that part of the page. Used
// by the account center and the sign-up page; the words are common.keep.*.

import { t } from "/static/i18n.js";

// copyText puts text on the clipboard; it rejects where the browser
// refuses.
export async function copyText(text) {
  if (!navigator.clipboard || !navigator.clipboard.writeText) throw new Error("no clipboard");
  await navigator.clipboard.writeText(text);
}

// downloadText saves text as the file name (plain text, UTF-8).
export function downloadText(name, text) {
  const url = URL.createObjectURL(new Blob([text], { type: "text/plain;charset=utf-8" }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

// printOnly prints the page with only el visible (body.printing-one and
// .print-this in sesame.css).
export function printOnly(el) {
  el.classList.add("print-this");
  document.body.classList.add("printing-one");
  try {
    window.print();
  } finally {
    document.body.classList.remove("printing-one");
    el.classList.remove("print-this");
  }
}

// codesText is the text of the backup codes file: a title, then one code a
// line.
export function codesText(tenant, codes) {
  return [t("common.keep.codes_file_title", { tenant }), "", ...codes, ""].join("\n");
}

// button builds a secondary button.
function button(id, label, text, onclick) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = "secondary";
  b.id = id;
  b.textContent = text;
  if (label) b.setAttribute("aria-label", label);
  b.addEventListener("click", onclick);
  return b;
}

// codesActions returns the Copy, Download (.txt) and Print buttons for the
// backup codes (codes() gives them), reporting through say(ok, text).
// prefix names the buttons' ids; printed is the selector of the part of
// the page that prints.
export function codesActions(prefix, tenant, codes, printed, say) {
  const text = () => codesText(tenant, codes());
  const div = document.createElement("div");
  div.className = "actions keep-actions";
  div.append(
    button(`${prefix}-copy`, t("common.keep.copy_codes"), t("common.keep.copy"), async () => {
      try {
        await copyText(text());
        say(true, t("common.keep.copied_codes"));
      } catch {
        say(false, t("common.keep.copy_failed"));
      }
    }),
    button(`${prefix}-download`, t("common.keep.download_codes"), t("common.keep.download"), () => {
      downloadText(t("common.keep.codes_file_name"), text());
      say(true, "");
    }),
    button(`${prefix}-print`, t("common.keep.print_codes"), t("common.keep.print"), () => printOnly(document.querySelector(printed))),
  );
  return div;
}

// keyCopyButton returns the Copy button for the authenticator app's key.
export function keyCopyButton(id, key, say) {
  return button(id, t("common.keep.copy_key"), t("common.keep.copy"), async () => {
    try {
      await copyText(key());
      say(true, t("common.keep.copied_key"));
    } catch {
      say(false, t("common.keep.copy_failed"));
    }
  });
}

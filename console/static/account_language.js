// The account center's language: the user's preferred language (setLocale),
// in which the notices and emails sent without a page of their own are
// written. The choices are the page's language switcher's (their names in
// themselves); saving a language other than the page's opens the page in
// it.

import { gql } from "/static/graphql.js";
import { t, lang } from "/static/i18n.js";
import { h } from "/static/account_html.js";
import { act } from "/static/account_page.js";

function languages() {
  return [...document.querySelectorAll("nav.languages a[hreflang]")].map((a) => ({ tag: a.hreflang, name: a.textContent.trim() }));
}

export function languageForm(me) {
  const options = [h("option", { value: "" }, t("account_manage.language.none"))];
  for (const l of languages()) {
    options.push(h("option", { value: l.tag, lang: l.tag }, l.name));
  }
  const select = h("select", { id: "language", name: "locale", "aria-describedby": "language-help" }, options);
  select.value = me.locale || "";
  return h("form", { id: "language-form", class: "inline-form", novalidate: true,
    onsubmit: (e) => { e.preventDefault(); saveLanguage(e.target.elements.locale.value); } },
    h("label", { for: "language" }, t("account_manage.language.yours")),
    select,
    h("p", { id: "language-help", class: "muted" }, t("account_manage.language.help")),
    h("div", { class: "actions" }, h("button", { type: "submit", id: "save-language", class: "secondary" }, t("account_manage.language.save"))));
}

function saveLanguage(tag) {
  act(async () => {
    await gql("mutation($l: String!) { setLocale(locale: $l) { id locale } }", { l: tag });
    if (tag && tag !== lang) {
      const url = new URL(location.href);
      url.searchParams.set("lang", tag);
      location.assign(url.toString());
    }
    return "#language";
  }, t("account_manage.language.saved"), ["#language-form", "#profile"]);
}

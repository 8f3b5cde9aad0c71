// A tenant's overview: what to do next, read from the tenant's real state
// (its settings, applications, users, email provider and team), each step
// a link to the page that does it; then a short summary in plain words.
import { h, loading } from "/static/console_dom.js";
import { gql } from "/static/console_api.js";
import { team } from "/static/console_team_api.js";
import { t } from "/static/i18n.js";

// steps are the next steps, done or not, from the tenant's state.
function steps(data, members, base) {
  const s = data.tenant.settings;
  const factors = s.mfa.factors.length;
  return [
    { id: "sign-in", done: data.tenant.settingsVersion > 1, href: `${base}/sign-in`,
      title: t("team.overview.sign_in"), text: t("team.overview.sign_in_text", { passkeys: s.passkeys.signIn ? t("console.overview.on") : t("console.overview.off"), factors }) },
    { id: "application", done: data.applications.length > 0, href: `${base}/applications`,
      title: t("team.overview.application"), text: data.applications.length > 0 ? t("team.overview.application_done", { count: data.applications.length }) : t("team.overview.application_text") },
    { id: "message", done: s.providers.email.provider !== "OUTBOX", href: `${base}/providers`,
      title: t("team.overview.message"), text: s.providers.email.provider !== "OUTBOX" ? t("team.overview.message_done") : t("team.overview.message_text") },
    { id: "users", done: data.users.nodes.length > 0, href: `${base}/invite`,
      title: t("team.overview.users"), text: data.users.nodes.length > 0 ? t("team.overview.users_done") : t("team.overview.users_text") },
    { id: "teammate", done: members > 1, href: `${base}/team`,
      title: t("team.overview.teammate"), text: members > 1 ? t("team.overview.teammate_done", { count: members }) : t("team.overview.teammate_text") },
  ];
}

export async function renderOverview(ctx, slug) {
  const { view } = ctx;
  ctx.title(ctx.tenantName);
  view.replaceChildren(h("h2", {}, ctx.tenantName), loading(t("console.loading.tenant")));
  const [data, tm] = await Promise.all([
    gql(slug, `{ tenant { name host settingsVersion settings {
      passkeys { signIn showButton autofill } mfa { factors policy } captcha { provider } providers { email { provider } } } }
      applications { id } users(first: 1) { nodes { id } } }`),
    team(slug).catch(() => ({ members: [] })),
  ]);
  if (!ctx.alive()) return;
  const tn = data.tenant;
  const signInURL = `${window.location.protocol}//${tn.host}/`;
  const base = `/console/tenants/${slug}`;
  const all = steps(data, tm.members.length, base);
  const todo = all.filter((st) => !st.done);
  const item = (st) => h("li", { class: `next-step ${st.done ? "done" : "todo"}`, id: `step-${st.id}` },
    h("a", { href: st.href }, st.title), " ", h("span", { class: "muted" }, st.done ? `✓ ${st.text}` : st.text));
  // replaceChildren turns null into the text "null": absent parts are left out.
  view.replaceChildren(...[
    h("h2", {}, tn.name),
    h("p", {}, h("a", { href: signInURL, id: "hosted-sign-in", target: "_blank", rel: "noopener" }, t("console.overview.open_sign_in")),
      " ", h("span", { class: "muted" }, t("console.overview.new_tab", { url: signInURL }))),
    h("h3", { id: "next-steps-heading" }, todo.length > 0 ? t("team.overview.next") : t("team.overview.all_done")),
    h("ol", { class: "next-steps", id: "next-steps", "aria-labelledby": "next-steps-heading" }, todo.map(item)),
    all.length > todo.length ? h("h3", {}, t("team.overview.done")) : null,
    all.length > todo.length ? h("ul", { class: "next-steps", id: "done-steps" }, all.filter((st) => st.done).map(item)) : null,
    summary(tn, base)].filter(Boolean));
}

// summary is how the tenant signs people in today, in plain words, each
// line a link to the page that changes it.
function summary(tn, base) {
  const s = tn.settings;
  const onOff = (v) => (v ? t("console.overview.on") : t("console.overview.off"));
  return h("dl", { class: "summary", id: "overview-summary" },
    h("dt", {}, t("console.overview.host")), h("dd", {}, tn.host),
    h("dt", {}, t("console.overview.passkey_sign_in")), h("dd", {}, h("a", { href: `${base}/passkeys` },
      t("console.overview.passkey_summary", { sign_in: onOff(s.passkeys.signIn), button: onOff(s.passkeys.showButton), autofill: onOff(s.passkeys.autofill) }))),
    h("dt", {}, t("console.overview.two_step")), h("dd", {}, h("a", { href: `${base}/mfa` },
      t("console.overview.mfa_summary", { policy: s.mfa.policy === "MANDATORY" ? t("console.overview.mandatory") : t("console.overview.user_controlled"), count: s.mfa.factors.length }))),
    h("dt", {}, t("console.overview.captcha")), h("dd", {}, h("a", { href: `${base}/captcha` }, s.captcha.provider === "OFF" ? t("console.overview.captcha_off") : s.captcha.provider.toLowerCase())));
}

import { Flow } from "/static/webauthn.js";
import { t } from "/static/i18n.js";
import { Store } from "/static/screens.js";

// Sign-in through a connector (flows/federation): the "Continue with NAME"
// buttons of the sign-in and sign-up pages, the organization's sign-in an
// email domain or an SSO account leads to, and the answer the callback
// leaves in the sign-in page's fragment when the flow goes on there (the
// second factor, or the account to prove before the link is made).

// continueWith sends the person to the connector's provider: on flow when
// it is a sign-in under way, else on a new sign-in flow, whose token the
// sign-in page keeps for when the provider sends the browser back.
export async function continueWith(connector, flow) {
  const f = flow && flow.token ? flow : new Flow("sign-in");
  const res = f.token ? await f.step("federation.begin", { connector }) : await f.begin("federation.begin", { connector });
  new Store("sign-in").save({ token: f.token, screen: "upstream", methods: null, mfa: null });
  window.location.assign(res.result.redirect);
}

// button is a "Continue with NAME" button for connector {id, name}; run
// wraps the click (busy state, errors).
export function button(connector, run, flow) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = "secondary";
  b.dataset.connector = connector.id;
  b.textContent = t("federation.continue_with", { name: connector.name });
  b.addEventListener("click", () => run(() => continueWith(connector.id, flow && flow())));
  return b;
}

// wire makes the page's server-rendered buttons ([data-connector]) work.
export function wire(root, run) {
  for (const b of root.querySelectorAll("button[data-connector]")) {
    b.addEventListener("click", () => run(() => continueWith(b.dataset.connector)));
  }
}

// returned is the step's answer the callback put in the fragment
// (#federation=...), read once and removed from the address bar.
export function returned() {
  const h = window.location.hash;
  if (!h.startsWith("#federation=")) return null;
  history.replaceState(null, "", window.location.pathname + window.location.search);
  try {
    return JSON.parse(decodeURIComponent(h.slice("#federation=".length).replace(/\+/g, " ")));
  } catch {
    return null;
  }
}

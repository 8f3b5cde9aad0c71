// What the sign-in page offers, once signed in, a person who signed in
// without a passkey and holds none here (the server decides it:
// flows.OfferPasskey, "passkey_offer" in the answer of the step that
// signed in):
//
//  - upgrade: a conditional create (mediation "conditional"), which the
//    browser or its password manager may answer without a prompt, or
//    refuse at once; the passkey is made by the add-passkey flow, named
//    and stored like any other. Feature-detected
//    (getClientCapabilities().conditionalCreate); never waits long.
//  - prompt: the screen "Create a passkey?" (the sign-up prompt's twin);
//    with hybrid, after a passkey sign-in through another device (QR
//    code), "Create a passkey on this device?".
//    "Not now" hides it for the tenant's interval (hidePasskeyPrompt).
//
// Its words are the passkey_life namespace.

import { supported, create, Flow, explain, conditionalCreateSupported } from "/static/webauthn.js";
import { gql } from "/static/graphql.js";
import { t } from "/static/i18n.js";

// UPGRADE_WAIT is how long the page waits for a conditional create.
const UPGRADE_WAIT = 3000;

// addPasskey runs the add-passkey flow with the session just issued.
async function addPasskey(mediation, signal) {
  const f = new Flow("add-passkey");
  const begun = await f.begin("passkey.begin", {});
  const credential = await create(begun.result.passkey.publicKey, mediation, signal);
  await f.step("passkey.finish", { credential });
}

// upgrade tries the conditional create; true when a passkey was made.
export async function upgrade(offer) {
  if (!offer || !offer.upgrade || !(await conditionalCreateSupported())) return false;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), UPGRADE_WAIT);
  try {
    await addPasskey("conditional", controller.signal);
    return true;
  } catch {
    // The browser declined (no password manager to answer, nothing
    // remembered for this account): the person sees nothing.
    return false;
  } finally {
    clearTimeout(timer);
  }
}

// prompt shows "Create a passkey?" on screen and resolves once the person
// chose: true when a passkey was made, false after "Not now" (or where
// the browser cannot make passkeys). say shows a sentence on the page.
export function prompt(offer, show, say) {
  if (!offer || !offer.prompt || !supported()) return Promise.resolve(false);
  const $ = (id) => document.getElementById(id);
  if (offer.hybrid) {
    // Signed in with another device's passkey (QR code): this device.
    $("offer-title").textContent = t("passkey_life.prompt_here.title");
    $("offer-text").textContent = t("passkey_life.prompt_here.text");
  }
  show("passkey_offer");
  return new Promise((resolve) => {
    const createButton = $("offer-create");
    const later = $("offer-later");
    const busy = (on) => { createButton.disabled = on; later.disabled = on; };
    createButton.onclick = async () => {
      say("");
      busy(true);
      try {
        await addPasskey();
        resolve(true);
      } catch (err) {
        say(explain(err));
        busy(false);
      }
    };
    later.onclick = async () => {
      busy(true);
      try {
        await gql("mutation { hidePasskeyPrompt }");
      } catch {
        // Not remembered: the prompt shows again next time, no harm.
      }
      resolve(false);
    };
  });
}

// created is the sentence after a passkey was made.
export function created() {
  return t("passkey_life.created");
}

import { supported, create } from "/static/webauthn.js";
import { t, lang } from "/static/i18n.js";
import { limits } from "/static/limits.js";
import { codesActions, keyCopyButton } from "/static/keep.js";
import { fieldError, clearErrors, Resend } from "/static/screens.js";

// Setting up a second factor at sign-in, where the tenant requires 2-step
// verification and the account has none yet (the server's mfa_enroll…
// states): the choice of factor, then one screen per factor (a passkey,
// an authenticator app, text messages), then the backup codes, then the
// session. What each screen shows is kept in the tab (the page's Store) so
// that a reload resumes on it.

const $ = (id) => document.getElementById(id);
const CODE_MINUTES = new Intl.NumberFormat(lang).format(limits.code_minutes);
const DIGITS = limits.code_digits;

// SERVER_STATES are the flow's enrolment states, and the screen each one
// resumes on when the tab kept none.
export const SERVER_STATES = {
  mfa_enroll: "enrol",
  mfa_enroll_totp: "enrol_totp",
  mfa_enroll_sms: "enrol_sms",
  mfa_enroll_backup_codes: "enrol_backup",
};

// enrolment wires the screens. page gives what sign_in.js owns: root, the
// flow (flow()), store, go(screen), attempt(fn, field), say(text) and
// done(res), which ends the sign-in.
export function enrolment(page) {
  const { root, store, go, attempt, say, done } = page;
  const tenant = root.dataset.tenantName || "";
  const resend = new Resend($("enrol-sms-resend"));
  let codes = [];

  const keptIn = (el) => (ok, text) => {
    el.textContent = ok ? text : "";
    say(ok ? "" : text);
  };
  $("enrol-totp-kept").before(keyCopyButton("enrol-totp-secret-copy", () => $("enrol-totp-secret").textContent, keptIn($("enrol-totp-kept"))));
  $("enrol-backup-kept").before(codesActions("enrol-backup", tenant, () => codes, "#enrol-backup", keptIn($("enrol-backup-kept"))));

  // usable are the factors offered that this browser can set up.
  const usable = (factors) => (factors || []).filter((f) => f !== "webauthn" || supported());

  function showChoices(factors) {
    store.save({ enrol: { factors }, enrolScreen: "enrol" });
    const list = usable(factors);
    $("enrol-pick").textContent = list.length ? t("sign_in.enrol.pick") : t("sign_in.enrol.none", { tenant });
    $("enrol-choices").replaceChildren(...list.map((f) => {
      const li = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "secondary";
      button.dataset.factor = f;
      button.textContent = t(`sign_in.enrol.factors.${f}`);
      button.addEventListener("click", () => choose(f));
      li.append(button);
      return li;
    }));
    go("enrol");
  }

  function choose(factor) {
    say("");
    if (factor === "webauthn") {
      store.save({ enrolScreen: "enrol_passkey" });
      go("enrol_passkey");
    } else if (factor === "totp") {
      attempt(async () => showTOTP((await page.flow().step("mfa_enroll.totp.start", {})).result));
    } else if (factor === "sms") {
      showSMS(null);
    }
  }

  function showTOTP(key) {
    store.save({ enrolTOTP: key, enrolScreen: "enrol_totp" });
    $("enrol-totp-kept").textContent = "";
    $("enrol-totp-qr").src = key.qr_code;
    $("enrol-totp-secret").textContent = key.secret;
    $("enrol-totp-code").value = "";
    go("enrol_totp");
  }

  // showSMS shows the phone form, or, once a code was sent, its form.
  function showSMS(sent) {
    store.save({ enrolSMS: sent, enrolScreen: "enrol_sms" });
    $("enrol-phone-form").hidden = !!sent;
    $("enrol-sms-form").hidden = !sent;
    $("enrol-sms-resend").parentElement.hidden = !sent;
    if (sent) {
      $("enrol-sms-sent").textContent = t("sign_in.enrol.sms_sent", { phone: sent.sent_to, minutes: CODE_MINUTES });
      resend.start(sent.readyAt);
      $("enrol-sms-code").value = "";
    }
    go("enrol_sms");
    if (sent) $("enrol-sms-code").focus();
  }

  function showBackup(list) {
    codes = list;
    store.save({ enrolCodes: list, enrolScreen: "enrol_backup" });
    $("enrol-backup-kept").textContent = "";
    $("enrol-backup-list").replaceChildren(...list.map((c) => {
      const li = document.createElement("li");
      li.className = "backup-code";
      li.textContent = c;
      return li;
    }));
    go("enrol_backup");
  }

  // after goes on from a confirmed factor: the backup codes, or signed in.
  function after(res) {
    if (res.flow.state === "mfa_enroll_backup_codes") {
      showBackup(res.result.backup_codes);
      return;
    }
    store.save({ enrolCodes: null });
    return done(res);
  }

  async function sendCode(phone) {
    await attempt(async () => {
      const res = await page.flow().step("mfa_enroll.sms.send", { phone });
      showSMS({ sent_to: res.result.sent_to, phone, readyAt: Date.now() + Number(limits.resend_seconds || 30) * 1000 });
    }, $("enrol-sms-form").hidden ? $("enrol-phone") : $("enrol-sms-code"));
  }

  // back returns to the choice; the server forgets the factor begun.
  async function back() {
    say("");
    await attempt(async () => showChoices((await page.flow().step("mfa_enroll.choose", {})).result.enroll));
  }

  function codeForm(form, input, missing, action) {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      clearErrors(root);
      const code = input.value.trim();
      if (!code) {
        fieldError(input, missing());
        return;
      }
      await attempt(async () => {
        const res = await page.flow().step(action, { code });
        input.value = "";
        await after(res);
      }, input);
    });
  }

  $("enrol-passkey-button").addEventListener("click", () => attempt(async () => {
    const res = await page.flow().step("mfa_enroll.passkey.begin", {});
    const credential = await create(res.result.passkey.publicKey);
    await after(await page.flow().step("mfa_enroll.passkey.finish", { credential }));
  }));
  $("enrol-phone-form").addEventListener("submit", (event) => {
    event.preventDefault();
    clearErrors(root);
    const phone = $("enrol-phone").value.trim();
    if (!phone) {
      fieldError($("enrol-phone"), t("sign_in.enrol.phone_missing"));
      return;
    }
    sendCode(phone);
  });
  $("enrol-sms-resend").addEventListener("click", () => sendCode((store.load().enrolSMS || {}).phone || $("enrol-phone").value.trim()));
  codeForm($("enrol-totp-form"), $("enrol-totp-code"), () => t("sign_in.enrol.totp_missing", { digits: DIGITS }), "mfa_enroll.totp.confirm");
  codeForm($("enrol-sms-form"), $("enrol-sms-code"), () => t("sign_in.enrol.sms_missing", { digits: DIGITS }), "mfa_enroll.sms.verify");
  for (const id of ["enrol-passkey-back", "enrol-totp-back", "enrol-sms-back"]) $(id).addEventListener("click", back);
  $("enrol-backup-saved").addEventListener("click", () => attempt(async () => {
    await after(await page.flow().step("mfa_enroll.backup_codes.ack", {}));
  }));

  return {
    // start shows the choice the first factor led to (mfa_enroll).
    start(result) {
      store.save({ enrolTOTP: null, enrolSMS: null, enrolCodes: null });
      showChoices(result.enroll);
    },
    // resume puts the page back on the kept screen when it fits the
    // server's state s, and reports whether it could.
    resume(kept, s) {
      const screen = kept.enrolScreen || SERVER_STATES[s];
      if (s === "mfa_enroll_backup_codes" && kept.enrolCodes) {
        showBackup(kept.enrolCodes);
      } else if (s === "mfa_enroll_totp" && kept.enrolTOTP) {
        showTOTP(kept.enrolTOTP);
      } else if (s === "mfa_enroll_sms" && kept.enrolSMS) {
        showSMS(kept.enrolSMS);
      } else if (s === "mfa_enroll" && kept.enrol) {
        showChoices(kept.enrol.factors);
        if (screen === "enrol_passkey") {
          store.save({ enrolScreen: "enrol_passkey" });
          go("enrol_passkey");
        } else if (screen === "enrol_sms") {
          showSMS(null);
        }
      } else {
        return false;
      }
      return true;
    },
  };
}

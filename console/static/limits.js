// The server's limits a page shows or checks (how long a code works, how
// many digits it has, ...). The server puts them in <script
// type="application/json" id="sesame-limits"> (console.Limits, filled from
// the flows' constants and the tenant's settings), so no script keeps a
// copy of them.

const el = document.getElementById("sesame-limits");

// limits holds the page's limits by their JSON names (code_minutes,
// code_digits, reverify_minutes, passkey_name_max, totp_seconds).
export const limits = Object.freeze(el ? JSON.parse(el.textContent) : {});

// codePattern matches a code of exactly code_digits digits.
export function codePattern() {
  return new RegExp(`^\\d{${Number(limits.code_digits)}}$`);
}

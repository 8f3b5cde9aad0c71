// Uploading a picture (the tenant's logo in the console, a person's avatar
// in the account center): the file's bytes go base64 in the GraphQL API,
// and the server decides what the picture is (tenants.CheckPicture); the
// file chooser only suggests the types it accepts.

// PICTURE_TYPES are the types the server accepts, by content.
export const PICTURE_TYPES = "image/png,image/jpeg,image/webp,image/gif";

// PICTURE_MAX_KIB is the server's limit (tenants.LogoMaxBytes,
// account.AvatarMaxBytes), shown only: the server checks it.
export const PICTURE_MAX_KIB = 256;

// base64 encodes a file's bytes for the API's imageBase64 arguments.
export function base64(buffer) {
  const bytes = new Uint8Array(buffer);
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

// fileChooser returns a file input for a picture that says everything in
// the page's language: the browser's own button and "no file" line, which
// the browser words in its language, are hidden (the input stays focusable
// and named by its label, drawn as a button); the chosen file's name, or
// none, shows beside it. h is the page's element builder.
export function fileChooser(h, { id, label, none, describedBy }) {
  const name = h("span", { class: "file-name muted", id: `${id}-name` }, none);
  const input = h("input", { type: "file", id, name: "picture", class: "file-input", accept: PICTURE_TYPES,
    "aria-describedby": [`${id}-name`, describedBy].filter(Boolean).join(" ") });
  input.addEventListener("change", () => {
    name.textContent = input.files.length ? input.files[0].name : none;
  });
  return [input, h("label", { for: id, class: "file-button" }, label), name];
}

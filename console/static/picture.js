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

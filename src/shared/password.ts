/**
 * Generated passwords, for the tray app's first run and the settings form's
 * Generate button. Plain code: it runs in main and in the sandboxed renderer,
 * each passing its own source of random bytes.
 */

/** No 0/o, 1/l/i: read aloud or copied by hand without mistakes. */
export const PASSWORD_ALPHABET = '23456789abcdefghjkmnpqrstuvwxyz';

/**
 * VNC Authentication (RFC 6143 §7.2.2) uses the first 8 characters of a
 * password and ignores the rest, so a generated password has exactly 8, all
 * random (no separators: they would take places that count).
 */
export const GENERATED_PASSWORD_LENGTH = 8;

/** A random password from PASSWORD_ALPHABET; `randomBytes(n)` gives n random bytes. */
export function generatePassword(randomBytes: (n: number) => Uint8Array, length = GENERATED_PASSWORD_LENGTH): string {
  const n = PASSWORD_ALPHABET.length;
  // Bytes at or above the last whole multiple of n are dropped, so every character is equally likely.
  const limit = 256 - (256 % n);
  let out = '';
  while (out.length < length) {
    for (const b of randomBytes(length * 2)) {
      if (b >= limit) continue;
      out += PASSWORD_ALPHABET[b % n];
      if (out.length === length) break;
    }
  }
  return out;
}

/** How much of a password VNC Authentication reads (the DES key is 8 bytes). */
export const VNC_PASSWORD_BYTES = 8;

/**
 * The 8 bytes VNC Authentication makes of a password: one per character
 * (its low byte, as Latin-1 would), the first 8, padded with zeros.
 */
export function vncPasswordBytes(password: string): number[] {
  const out = new Array<number>(VNC_PASSWORD_BYTES).fill(0);
  for (let i = 0; i < out.length && i < password.length; i++) out[i] = password.charCodeAt(i) & 0xff;
  return out;
}

/** Whether two passwords are the same to VNC Authentication (the same first 8 characters as bytes). */
export function sameVncPassword(a: string, b: string): boolean {
  const x = vncPasswordBytes(a);
  const y = vncPasswordBytes(b);
  return x.every((v, i) => v === y[i]);
}

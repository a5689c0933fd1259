import des from 'des.js';
import { vncAuthKey } from '../rfb/security/vnc-auth.js';

/**
 * The password file format of `vncpasswd` (TigerVNC, TightVNC, libvncserver,
 * x11vnc's -rfbauth): each password cut to 8 bytes, padded with NULs and
 * DES-encrypted with a key every VNC implementation shares. 8 bytes hold
 * the full-control password; 8 more, when present, the view-only one. It
 * hides a password from a glance, not from anyone who can read the file
 * (the key is public): the file's mode (0600) is what protects it.
 *
 * Password files may also be plain text (the password is the first line):
 * `passwordFileFormat` tells the two apart, see there.
 */

/** The fixed key, as in TigerVNC's common/rfb/obfuscate.cxx and libvncserver's vncauth.c. */
const FIXED_KEY = [23, 82, 107, 6, 35, 78, 88, 7];

/** VNC's DES mirrors the bits of every key byte; the fixed key goes through the same step as a password. */
const KEY = vncAuthKey(String.fromCharCode(...FIXED_KEY));

/** Bytes of one password in the file. */
export const VNCPASSWD_BLOCK = 8;

/** A VNC password as the bytes DES sees: one byte per character (Latin-1), the first 8. */
function passwordBytes(password: string): Buffer {
  return Buffer.from(password, 'latin1').subarray(0, VNCPASSWD_BLOCK);
}

function encryptBlock(password: string): Buffer {
  const block = Buffer.alloc(VNCPASSWD_BLOCK);
  passwordBytes(password).copy(block);
  const cipher = des.DES.create({ type: 'encrypt', key: KEY, padding: false });
  return Buffer.from(cipher.update(block).concat(cipher.final()));
}

function decryptBlock(block: Buffer): string {
  const cipher = des.DES.create({ type: 'decrypt', key: KEY, padding: false });
  const plain = Buffer.from(cipher.update(block).concat(cipher.final()));
  const end = plain.indexOf(0);
  return plain.subarray(0, end === -1 ? VNCPASSWD_BLOCK : end).toString('latin1');
}

/**
 * The file `vncpasswd` writes for these passwords (8 bytes, or 16 with a
 * view-only password). Only the first 8 characters of each count, as in
 * VNC Authentication; characters are bytes (Latin-1).
 */
export function encodeVncPasswd(full: string, viewOnly: string | null = null): Buffer {
  if (full.length === 0 || viewOnly === '') throw new Error('a VNC password cannot be empty');
  return Buffer.concat([encryptBlock(full), ...(viewOnly !== null ? [encryptBlock(viewOnly)] : [])]);
}

/** The passwords in a vncpasswd file's bytes (8 or 16 of them). */
export function decodeVncPasswd(bytes: Buffer): { full: string; viewOnly: string | null } {
  if (bytes.length !== VNCPASSWD_BLOCK && bytes.length !== 2 * VNCPASSWD_BLOCK) {
    throw new Error(`a vncpasswd file is 8 or 16 bytes long, not ${bytes.length}`);
  }
  const full = decryptBlock(bytes.subarray(0, VNCPASSWD_BLOCK));
  if (full === '') throw new Error('the vncpasswd file holds an empty password');
  if (bytes.length === VNCPASSWD_BLOCK) return { full, viewOnly: null };
  const viewOnly = decryptBlock(bytes.subarray(VNCPASSWD_BLOCK));
  // An all-NUL second password is "none" to the servers that wrote it that way.
  return { full, viewOnly: viewOnly === '' ? null : viewOnly };
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Whether these bytes read as a line or lines of text: UTF-8, with no
 * control characters but tab, carriage return and line feed.
 */
export function looksLikeText(bytes: Buffer): boolean {
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    return false;
  }
  return !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/.test(text);
}

/**
 * Which format a password file is in. A vncpasswd file is exactly 8 or 16
 * bytes of DES output; a text file is text. So: 8 or 16 bytes that are not
 * text (looksLikeText) are a vncpasswd file, anything else is a text file
 * whose first line is the password. A text file of 8 or 16 bytes (say
 * "secret12" with no line break) stays text.
 *
 * DES output reads as text by chance about once in 2,000 8-byte files (and
 * practically never for 16 bytes): such a vncpasswd file would be taken for
 * text. `trayvnc passwd` never writes one (see `vncpasswdIsUnambiguous`),
 * and the server logs which format it read.
 */
export function passwordFileFormat(bytes: Buffer): 'vncpasswd' | 'text' {
  const size = bytes.length;
  return (size === VNCPASSWD_BLOCK || size === 2 * VNCPASSWD_BLOCK) && !looksLikeText(bytes) ? 'vncpasswd' : 'text';
}

/** Whether a vncpasswd file with these bytes is read back as one (and not as text). */
export function vncpasswdIsUnambiguous(bytes: Buffer): boolean {
  return passwordFileFormat(bytes) === 'vncpasswd';
}

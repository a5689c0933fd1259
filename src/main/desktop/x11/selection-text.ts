/**
 * Text encodings X selections carry: UTF8_STRING (and the MIME
 * text/plain;charset=utf-8) as UTF-8, STRING as ISO 8859-1.
 */

const QUESTION_MARK = 0x3f;

/**
 * `text` as ISO 8859-1 (the STRING target). Each character outside Latin-1
 * becomes one '?', whether it takes one UTF-16 unit or a surrogate pair.
 */
export function encodeLatin1(text: string): Buffer {
  const out = Buffer.allocUnsafe(text.length); // never more bytes than UTF-16 units
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit <= 0xff) {
      out[n++] = unit;
      continue;
    }
    out[n++] = QUESTION_MARK;
    // a well-formed surrogate pair is one character: skip its second half
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
  }
  return out.subarray(0, n);
}

/**
 * The longest prefix of UTF-8 `bytes` that is at most `max` bytes and does
 * not end inside a multi-byte sequence.
 */
export function truncateUtf8(bytes: Uint8Array, max: number): Uint8Array {
  if (bytes.length <= max) return bytes;
  let end = Math.max(0, max);
  // back up over continuation bytes (10xxxxxx) to the start of the character cut in two
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end);
}

/** Decode selection bytes: Latin-1 for STRING, UTF-8 otherwise. */
export function decodeSelectionText(bytes: Uint8Array, latin1: boolean): string {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return buf.toString(latin1 ? 'latin1' : 'utf8');
}

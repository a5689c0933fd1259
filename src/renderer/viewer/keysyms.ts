/**
 * X keysyms (and DOM `code` values, which noVNC turns into scancodes for
 * servers that take QEMU key events) for the keys the viewer sends from its
 * buttons and its on-screen keyboard. Pure: the unit tests run it in Node.
 */

export interface NamedKey {
  /** What the button says. */
  label: string;
  keysym: number;
  code: string;
}

export const ESCAPE: NamedKey = { label: 'Esc', keysym: 0xff1b, code: 'Escape' };
export const TAB: NamedKey = { label: 'Tab', keysym: 0xff09, code: 'Tab' };
export const BACKSPACE: NamedKey = { label: 'Backspace', keysym: 0xff08, code: 'Backspace' };
export const ENTER: NamedKey = { label: 'Enter', keysym: 0xff0d, code: 'Enter' };

/** F1 (0xffbe) to F12 (0xffc9): consecutive keysyms. */
export const FUNCTION_KEYS: readonly NamedKey[] = Array.from({ length: 12 }, (_, i) => ({ label: `F${i + 1}`, keysym: 0xffbe + i, code: `F${i + 1}` }));

/** The keys the viewer's "Keys" menu offers besides Ctrl-Alt-Del. */
export const MENU_KEYS: readonly NamedKey[] = [ESCAPE, TAB, ...FUNCTION_KEYS];

/** X11's keysyms for any Unicode character: this offset plus the code point. */
const UNICODE_KEYSYM_BASE = 0x01000000;

/**
 * The keysym that types one character (a Unicode code point). Printable
 * Latin-1 (U+0020–U+007E, U+00A0–U+00FF) is its own keysym; every other
 * character is 0x01000000 + its code point, which X servers (and ours)
 * resolve by keysym. Line breaks, tab and backspace become their keys; other
 * control characters, and values that are not code points, type nothing
 * (null).
 */
export function keysymForCodePoint(cp: number): number | null {
  if (!Number.isInteger(cp) || cp < 0 || cp > 0x10ffff) return null;
  if (cp === 0x0a || cp === 0x0d) return ENTER.keysym;
  if (cp === 0x09) return TAB.keysym;
  if (cp === 0x08) return BACKSPACE.keysym;
  if ((cp >= 0x20 && cp <= 0x7e) || (cp >= 0xa0 && cp <= 0xff)) return cp;
  // C0 and C1 controls, DEL, and lone surrogates (not characters) type nothing.
  if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || (cp >= 0xd800 && cp <= 0xdfff)) return null;
  return UNICODE_KEYSYM_BASE + cp;
}

/** Most characters one input event may type (a paste into the on-screen keyboard is cut here). */
export const MAX_TYPED_CHARACTERS = 1000;

/**
 * The keysyms that type `text`, character by character (by code point, so
 * characters outside the BMP are one keysym), at most `max` of them. "\r\n"
 * is one Enter.
 */
export function keysymsForText(text: string, max = MAX_TYPED_CHARACTERS): number[] {
  const out: number[] = [];
  let previous = -1;
  for (const ch of text) {
    if (out.length >= max) break;
    const cp = ch.codePointAt(0) ?? -1;
    const isCrLf = previous === 0x0d && cp === 0x0a;
    previous = cp;
    if (isCrLf) continue;
    const keysym = keysymForCodePoint(cp);
    if (keysym !== null) out.push(keysym);
  }
  return out;
}

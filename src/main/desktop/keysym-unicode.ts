import x11 from 'x11';

/**
 * X11 keysyms and Unicode.
 *
 * Three kinds of keysym carry a character: Latin-1 ones (0x20–0x7e and
 * 0xa0–0xff, equal to the code point), Unicode ones (0x1000000 + code point)
 * and the older per-script sets (Latin-2…4, Latin-9, Cyrillic, Greek, Hebrew,
 * Thai, Arabic, Kana, currency, technical, …) whose code points are listed in
 * keysymdef.h. The last table comes from the keysym list the `x11` package
 * ships (built once, on first use); only exact one-character mappings are
 * taken, not the "approximate" ones keysymdef.h marks with double parentheses.
 */

/** First Unicode keysym (0x1000000 + U+0000 is not a valid keysym, but the offset is). */
export const UNICODE_KEYSYM_BASE = 0x1000000;
const MAX_CODEPOINT = 0x10ffff;

interface Tables {
  /** legacy keysym (0x100–0xffff) → code point */
  toUnicode: Map<number, number>;
  /** code point → legacy keysym (first listed wins) */
  fromUnicode: Map<number, number>;
  /** keysym → name without the XK_ prefix (first listed wins) */
  names: Map<number, string>;
}

let tables: Tables | null = null;

function load(): Tables {
  if (tables) return tables;
  const toUnicode = new Map<number, number>();
  const fromUnicode = new Map<number, number>();
  const names = new Map<number, string>();
  let list: Record<string, unknown> = {};
  try {
    list = x11.keySyms as Record<string, unknown>;
  } catch {
    /* without the list only Latin-1 and Unicode keysyms have characters */
  }
  for (const [rawName, entry] of Object.entries(list)) {
    if (!entry || typeof entry !== 'object') continue;
    const { code, description } = entry as { code?: unknown; description?: unknown };
    if (typeof code !== 'number') continue;
    const name = rawName.startsWith('XK_') ? rawName.slice(3) : rawName;
    if (!names.has(code)) names.set(code, name);
    if (typeof description !== 'string' || code < 0x100 || code >= UNICODE_KEYSYM_BASE) continue;
    // "(é) LATIN SMALL LETTER E WITH ACUTE"; approximate mappings read "((x) …)" and are skipped
    const m = /^\((.+?)\) /.exec(description);
    if (!m?.[1]) continue;
    const chars = Array.from(m[1]);
    if (chars.length !== 1) continue;
    const cp = chars[0]!.codePointAt(0)!;
    toUnicode.set(code, cp);
    if (!fromUnicode.has(cp)) fromUnicode.set(cp, code);
  }
  tables = { toUnicode, fromUnicode, names };
  return tables;
}

function isLatin1Char(cp: number): boolean {
  return (cp >= 0x20 && cp <= 0x7e) || (cp >= 0xa0 && cp <= 0xff);
}

/** The character a keysym types, as a code point; null for keysyms without one (function keys, dead keys, …). */
export function keysymToCodepoint(keysym: number): number | null {
  if (isLatin1Char(keysym)) return keysym;
  if (keysym >= UNICODE_KEYSYM_BASE + 0x20 && keysym <= UNICODE_KEYSYM_BASE + MAX_CODEPOINT) {
    const cp = keysym - UNICODE_KEYSYM_BASE;
    return cp >= 0x7f && cp < 0xa0 ? null : cp;
  }
  if (keysym >= 0x100 && keysym < 0x10000) return load().toUnicode.get(keysym) ?? null;
  return null;
}

/** The keysym X conventionally uses for a code point: Latin-1, else a legacy keysym, else a Unicode keysym. */
export function codepointToKeysym(cp: number): number {
  if (isLatin1Char(cp)) return cp;
  return load().fromUnicode.get(cp) ?? UNICODE_KEYSYM_BASE + cp;
}

/**
 * The conventional form of a keysym: Unicode keysyms that have a Latin-1 or
 * legacy equivalent become that (0x10000e9 → 0xe9 eacute, 0x1000444 →
 * 0x6c6 Cyrillic_ef), since that is what keyboard layouts list. Others are
 * returned unchanged.
 */
export function canonicalKeysym(keysym: number): number {
  if (keysym < UNICODE_KEYSYM_BASE) return keysym;
  const cp = keysymToCodepoint(keysym);
  return cp === null ? keysym : codepointToKeysym(cp);
}

/** Both spellings of a keysym's character (canonical first), for looking it up in a keymap. */
export function keysymVariants(keysym: number): number[] {
  const canonical = canonicalKeysym(keysym);
  const cp = keysymToCodepoint(canonical);
  const out = [canonical];
  if (keysym !== canonical) out.push(keysym);
  if (cp !== null && cp >= 0x100) {
    const unicode = UNICODE_KEYSYM_BASE + cp;
    if (!out.includes(unicode)) out.push(unicode);
  }
  return out;
}

function singleCodepoint(s: string): number | null {
  const chars = Array.from(s);
  return chars.length === 1 ? chars[0]!.codePointAt(0)! : null;
}

/**
 * The lower- and upper-case forms of a keysym's character, as keysyms in the
 * same family (a legacy keysym gives legacy forms where they exist). Null
 * when the character has no case pair (digits, symbols, ß, µ, …): the two
 * forms must convert into each other both ways.
 */
export function keysymCasePair(keysym: number): { lower: number; upper: number } | null {
  let pair = caseCache.get(keysym);
  if (pair === undefined) {
    pair = computeCasePair(keysym);
    if (caseCache.size > 4096) caseCache.clear();
    caseCache.set(keysym, pair);
  }
  return pair;
}

const caseCache = new Map<number, { lower: number; upper: number } | null>();

function computeCasePair(keysym: number): { lower: number; upper: number } | null {
  const cp = keysymToCodepoint(keysym);
  if (cp === null) return null;
  const ch = String.fromCodePoint(cp);
  const lowerCp = singleCodepoint(ch.toLowerCase());
  const upperCp = singleCodepoint(ch.toUpperCase());
  if (lowerCp === null || upperCp === null || lowerCp === upperCp) return null;
  const lowerCh = String.fromCodePoint(lowerCp);
  const upperCh = String.fromCodePoint(upperCp);
  if (upperCh.toLowerCase() !== lowerCh || lowerCh.toUpperCase() !== upperCh) return null;
  const unicodeFamily = keysym >= UNICODE_KEYSYM_BASE;
  const toKeysym = (c: number): number => (unicodeFamily && !isLatin1Char(c) ? UNICODE_KEYSYM_BASE + c : codepointToKeysym(c));
  return { lower: toKeysym(lowerCp), upper: toKeysym(upperCp) };
}

/** The upper-case form of a keysym (itself when it has none), as Caps Lock turns it. */
export function upperKeysym(keysym: number): number {
  const pair = keysymCasePair(keysym);
  return pair ? pair.upper : keysym;
}

/** True for a keysym whose character is a lower-case letter with an upper-case form. */
export function isLowerCaseKeysym(keysym: number): boolean {
  const pair = keysymCasePair(keysym);
  return pair !== null && canonicalKeysym(pair.lower) === canonicalKeysym(keysym);
}

/** A readable name for logs: "eacute", "U+263A", "0xfe03". */
export function keysymName(keysym: number): string {
  const name = load().names.get(keysym);
  if (name) return name;
  if (keysym >= UNICODE_KEYSYM_BASE && keysym <= UNICODE_KEYSYM_BASE + MAX_CODEPOINT) {
    return `U+${(keysym - UNICODE_KEYSYM_BASE).toString(16).toUpperCase().padStart(4, '0')}`;
  }
  return `0x${keysym.toString(16)}`;
}

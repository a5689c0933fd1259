import { describe, expect, it } from 'vitest';
import { BACKSPACE, ENTER, ESCAPE, FUNCTION_KEYS, MENU_KEYS, TAB, keysymForCodePoint, keysymsForText } from '../../../src/renderer/viewer/keysyms.js';

const cp = (ch: string): number => ch.codePointAt(0)!;

describe('viewer keysyms', () => {
  it('gives the special keys their X keysyms and DOM codes', () => {
    expect([ESCAPE, TAB, BACKSPACE, ENTER].map((k) => [k.keysym, k.code])).toEqual([
      [0xff1b, 'Escape'],
      [0xff09, 'Tab'],
      [0xff08, 'Backspace'],
      [0xff0d, 'Enter'],
    ]);
    // XK_F1 … XK_F12 from X11's keysymdef.h.
    expect(FUNCTION_KEYS.map((k) => k.keysym)).toEqual([0xffbe, 0xffbf, 0xffc0, 0xffc1, 0xffc2, 0xffc3, 0xffc4, 0xffc5, 0xffc6, 0xffc7, 0xffc8, 0xffc9]);
    expect(FUNCTION_KEYS.map((k) => k.code)).toEqual(FUNCTION_KEYS.map((_, i) => `F${i + 1}`));
    expect(FUNCTION_KEYS.map((k) => k.label)).toEqual(FUNCTION_KEYS.map((k) => k.code));
    expect(MENU_KEYS.map((k) => k.label)).toEqual(['Esc', 'Tab', 'F1', 'F2', 'F3', 'F4', 'F5', 'F6', 'F7', 'F8', 'F9', 'F10', 'F11', 'F12']);
  });

  it('types Latin-1 as itself and everything else as 0x01000000 + the code point', () => {
    expect(keysymForCodePoint(cp('a'))).toBe(0x61);
    expect(keysymForCodePoint(cp('A'))).toBe(0x41);
    expect(keysymForCodePoint(cp(' '))).toBe(0x20);
    expect(keysymForCodePoint(cp('~'))).toBe(0x7e);
    expect(keysymForCodePoint(0xa0)).toBe(0xa0); // no-break space, the first of Latin-1's upper half
    expect(keysymForCodePoint(cp('é'))).toBe(0xe9);
    expect(keysymForCodePoint(cp('ÿ'))).toBe(0xff);
    expect(keysymForCodePoint(cp('€'))).toBe(0x010020ac);
    expect(keysymForCodePoint(cp('Ā'))).toBe(0x01000100);
    expect(keysymForCodePoint(cp('ж'))).toBe(0x01000436);
    expect(keysymForCodePoint(cp('😀'))).toBe(0x0101f600);
  });

  it('turns line breaks, tab and backspace into their keys and drops other controls', () => {
    expect(keysymForCodePoint(0x0a)).toBe(0xff0d);
    expect(keysymForCodePoint(0x0d)).toBe(0xff0d);
    expect(keysymForCodePoint(0x09)).toBe(0xff09);
    expect(keysymForCodePoint(0x08)).toBe(0xff08);
    for (const c of [0x00, 0x1b, 0x1f, 0x7f, 0x80, 0x9f, 0xd800, 0xdfff, -1, 0x110000, 1.5]) expect(keysymForCodePoint(c), c.toString(16)).toBeNull();
  });

  it('types text by code point, "\\r\\n" as one Enter, at most the limit', () => {
    expect(keysymsForText('hé€')).toEqual([0x68, 0xe9, 0x010020ac]);
    expect(keysymsForText('😀!')).toEqual([0x0101f600, 0x21]);
    expect(keysymsForText('a\r\nb\nc\rd')).toEqual([0x61, 0xff0d, 0x62, 0xff0d, 0x63, 0xff0d, 0x64]);
    expect(keysymsForText('a\r\r\nb')).toEqual([0x61, 0xff0d, 0xff0d, 0x62]);
    expect(keysymsForText('a\u0000b\u001bc')).toEqual([0x61, 0x62, 0x63]);
    expect(keysymsForText('')).toEqual([]);
    expect(keysymsForText('x'.repeat(5000))).toHaveLength(1000);
    expect(keysymsForText('abcdef', 3)).toEqual([0x61, 0x62, 0x63]);
  });
});

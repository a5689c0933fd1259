import { describe, expect, it } from 'vitest';
import { Keymap } from '../../../../src/main/desktop/x11/keymap.js';
import { keycodeForXtScancode } from '../../../../src/main/desktop/x11/xt-scancodes.js';

/** Keycodes 8–255, all empty but for the rows given. */
function keymapWith(rows: Record<number, number[]>): Keymap {
  const all: number[][] = [];
  for (let kc = 8; kc <= 255; kc++) all.push(rows[kc] ?? [0, 0]);
  return new Keymap(8, all, [[], [], [], [], [], [], [], []]);
}

const A = 0x61;
const UP = 0xff52;
const none = (): boolean => false;

describe('keycodeForXtScancode', () => {
  it('names the evdev keycode (Linux code + 8) of a key the map has', () => {
    const km = keymapWith({ 38: [A, 0x41], 111: [UP] });
    expect(keycodeForXtScancode(0x1e, km, true, none)).toBe(38); // A
    expect(keycodeForXtScancode(0xc8, km, true, none)).toBe(111); // Up (E0 48)
    expect(keycodeForXtScancode(0xe048, km, true, none)).toBe(111); // the two-byte form
  });

  it('leaves keys past the main block to the keysym on a non-evdev server', () => {
    const km = keymapWith({ 38: [A, 0x41], 111: [UP] });
    expect(keycodeForXtScancode(0x1e, km, false, none)).toBe(38);
    expect(keycodeForXtScancode(0xc8, km, false, none)).toBe(0);
  });

  it('gives 0 for unknown scancodes, empty keys and reserved keycodes', () => {
    const km = keymapWith({ 38: [A, 0x41] });
    expect(keycodeForXtScancode(0x7f, km, true, none)).toBe(0);
    expect(keycodeForXtScancode(0x1f, km, true, none)).toBe(0); // S: keycode 39 is empty here
    expect(keycodeForXtScancode(0x1e, km, true, (kc) => kc === 38)).toBe(0);
  });
});

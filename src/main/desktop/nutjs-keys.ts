import { canonicalKeysym } from './keysym-unicode.js';

/**
 * Names of nut-js `Key` enum members this backend presses (a subset of the
 * enum in `@nut-tree-fork/shared`, which describes a US 105-key keyboard).
 * They are looked up on the loaded module at run time, so nothing here needs
 * the package's types and the app builds and runs without it.
 */
export type NutKeyName =
  | 'A' | 'B' | 'C' | 'D' | 'E' | 'F' | 'G' | 'H' | 'I' | 'J' | 'K' | 'L' | 'M'
  | 'N' | 'O' | 'P' | 'Q' | 'R' | 'S' | 'T' | 'U' | 'V' | 'W' | 'X' | 'Y' | 'Z'
  | 'Num0' | 'Num1' | 'Num2' | 'Num3' | 'Num4' | 'Num5' | 'Num6' | 'Num7' | 'Num8' | 'Num9'
  | 'Grave' | 'Minus' | 'Equal' | 'LeftBracket' | 'RightBracket' | 'Backslash' | 'Semicolon' | 'Quote'
  | 'Comma' | 'Period' | 'Slash' | 'Space'
  | 'F1' | 'F2' | 'F3' | 'F4' | 'F5' | 'F6' | 'F7' | 'F8' | 'F9' | 'F10' | 'F11' | 'F12'
  | 'F13' | 'F14' | 'F15' | 'F16' | 'F17' | 'F18' | 'F19' | 'F20' | 'F21' | 'F22' | 'F23' | 'F24'
  | 'Escape' | 'Tab' | 'Backspace' | 'Return' | 'Enter' | 'Insert' | 'Delete' | 'Home' | 'End' | 'PageUp' | 'PageDown'
  | 'Left' | 'Up' | 'Right' | 'Down'
  | 'Print' | 'Pause' | 'ScrollLock' | 'CapsLock' | 'NumLock' | 'Menu' | 'Clear'
  | 'LeftShift' | 'RightShift' | 'LeftControl' | 'RightControl' | 'LeftAlt' | 'RightAlt' | 'LeftSuper' | 'RightSuper'
  | 'LeftMeta' | 'RightMeta'
  | 'NumPad0' | 'NumPad1' | 'NumPad2' | 'NumPad3' | 'NumPad4' | 'NumPad5' | 'NumPad6' | 'NumPad7' | 'NumPad8' | 'NumPad9'
  | 'Decimal' | 'Add' | 'Subtract' | 'Multiply' | 'Divide' | 'NumPadEqual';

/** The key to press for a keysym, and whether Shift must be down for it (US layout). */
export interface NutKeyPlan {
  key: NutKeyName;
  shift: boolean;
}

const TABLE = new Map<number, NutKeyPlan>();

function put(keysym: number, key: NutKeyName, shift = false): void {
  TABLE.set(keysym, { key, shift });
}

// letters: lower case plain, upper case with Shift
for (let i = 0; i < 26; i++) {
  const key = String.fromCharCode(0x41 + i) as NutKeyName;
  put(0x61 + i, key);
  put(0x41 + i, key, true);
}
// digits and the shifted symbols on them
const DIGIT_SHIFTED = ')!@#$%^&*(';
for (let d = 0; d <= 9; d++) {
  put(0x30 + d, `Num${d}` as NutKeyName);
  put(DIGIT_SHIFTED.charCodeAt(d), `Num${d}` as NutKeyName, true);
}
// the rest of the printable ASCII on a US layout: [plain, shifted, key]
for (const [plain, shifted, key] of [
  ['`', '~', 'Grave'],
  ['-', '_', 'Minus'],
  ['=', '+', 'Equal'],
  ['[', '{', 'LeftBracket'],
  [']', '}', 'RightBracket'],
  ['\\', '|', 'Backslash'],
  [';', ':', 'Semicolon'],
  ["'", '"', 'Quote'],
  [',', '<', 'Comma'],
  ['.', '>', 'Period'],
  ['/', '?', 'Slash'],
] as const) {
  put(plain.charCodeAt(0), key);
  put(shifted.charCodeAt(0), key, true);
}
put(0x20, 'Space');
// F1 (0xffbe) … F24 (0xffd5)
for (let n = 1; n <= 24; n++) put(0xffbe + n - 1, `F${n}` as NutKeyName);
for (const [keysym, key, shift] of [
  [0xff08, 'BackSpace'],
  [0xff09, 'Tab'],
  [0xfe20, 'Tab', true], // ISO_Left_Tab: Shift+Tab
  [0xff0b, 'Clear'],
  [0xff0d, 'Return'],
  [0xff13, 'Pause'],
  [0xff6b, 'Pause'], // Break
  [0xff14, 'ScrollLock'],
  [0xff15, 'Print'], // Sys_Req
  [0xff1b, 'Escape'],
  [0xffff, 'Delete'],
  [0xff50, 'Home'],
  [0xff51, 'Left'],
  [0xff52, 'Up'],
  [0xff53, 'Right'],
  [0xff54, 'Down'],
  [0xff55, 'PageUp'], // Prior
  [0xff56, 'PageDown'], // Next
  [0xff57, 'End'],
  [0xff61, 'Print'],
  [0xff63, 'Insert'],
  [0xff67, 'Menu'],
  [0xff7f, 'NumLock'],
  [0xffe5, 'CapsLock'],
  [0xffe1, 'LeftShift'],
  [0xffe2, 'RightShift'],
  [0xffe3, 'LeftControl'],
  [0xffe4, 'RightControl'],
  [0xffe7, 'LeftMeta'], // Meta_L: what many clients send for Command / the Windows key
  [0xffe8, 'RightMeta'],
  [0xffe9, 'LeftAlt'],
  [0xffea, 'RightAlt'],
  [0xffeb, 'LeftSuper'],
  [0xffec, 'RightSuper'],
  [0xfe03, 'RightAlt'], // ISO_Level3_Shift (AltGr): the right Alt key is AltGr where the layout has one
  [0xff7e, 'RightAlt'], // Mode_switch
  // keypad: digits and operators
  [0xffb0, 'NumPad0'],
  [0xffb1, 'NumPad1'],
  [0xffb2, 'NumPad2'],
  [0xffb3, 'NumPad3'],
  [0xffb4, 'NumPad4'],
  [0xffb5, 'NumPad5'],
  [0xffb6, 'NumPad6'],
  [0xffb7, 'NumPad7'],
  [0xffb8, 'NumPad8'],
  [0xffb9, 'NumPad9'],
  [0xffae, 'Decimal'],
  [0xffac, 'Decimal'], // KP_Separator
  [0xffab, 'Add'],
  [0xffad, 'Subtract'],
  [0xffaa, 'Multiply'],
  [0xffaf, 'Divide'],
  [0xffbd, 'NumPadEqual'],
  [0xff8d, 'Enter'],
  // keypad with NumLock off: the client means the navigation key
  [0xff95, 'Home'],
  [0xff96, 'Left'],
  [0xff97, 'Up'],
  [0xff98, 'Right'],
  [0xff99, 'Down'],
  [0xff9a, 'PageUp'],
  [0xff9b, 'PageDown'],
  [0xff9c, 'End'],
  [0xff9d, 'NumPad5'], // KP_Begin
  [0xff9e, 'Insert'],
  [0xff9f, 'Delete'],
  [0xff80, 'Space'], // KP_Space
  [0xff89, 'Tab'], // KP_Tab
] as Array<[number, string, boolean?]>) {
  // X spells it BackSpace; nut-js spells it Backspace
  put(keysym, (key === 'BackSpace' ? 'Backspace' : key) as NutKeyName, shift ?? false);
}

/**
 * The nut-js key for an X11 keysym on a US layout, with Shift where the
 * character needs it; null for keysyms no key of that layout produces
 * (é, €, ☺, dead keys, …). Unicode keysyms of ASCII characters count as
 * their Latin-1 forms.
 */
export function nutKeyForKeysym(keysym: number): NutKeyPlan | null {
  return TABLE.get(keysym >>> 0) ?? TABLE.get(canonicalKeysym(keysym >>> 0)) ?? null;
}

export const SHIFT_KEYS: readonly NutKeyName[] = ['LeftShift', 'RightShift'];

/**
 * Keys not pressed on Linux. libnut presses a key on X11 with
 * XTestFakeKeyEvent(XKeysymToKeycode(name's keysym)) and installs no X error
 * handler, so a keysym missing from the display's keyboard map becomes
 * keycode 0, a BadValue error, and Xlib's default handler ends the whole
 * process. F13–F24 and Clear have no key on common maps (Xvfb's included);
 * Menu is not a key name libnut knows on Linux (it throws).
 */
export const LINUX_UNSAFE_KEYS: ReadonlySet<NutKeyName> = new Set<NutKeyName>([
  'F13', 'F14', 'F15', 'F16', 'F17', 'F18', 'F19', 'F20', 'F21', 'F22', 'F23', 'F24', 'Clear', 'Menu',
]);

import type { Keymap } from './keymap.js';

/**
 * RFB's QEMU extended key events carry XT scancodes: the key's place on the
 * keyboard, whatever the layout. On an X server whose keycodes are the Linux
 * input codes (evdev), they name an X keycode directly.
 */

/**
 * XT (set 1) scancodes of keys whose Linux input code differs from the
 * scancode, in the form RFB's QEMU extended key event carries them: a key
 * sent with the 0xE0 prefix has the prefix dropped and bit 7 set.
 * Scancodes 0x01–0x53 and 0x56–0x58 equal their Linux codes.
 */
const XT_TO_LINUX = new Map<number, number>([
  [0x54, 99], // SysRq (Alt+Print)
  [0x59, 117], // KP_Equal
  [0x70, 93], // Katakana/Hiragana
  [0x73, 89], // RO
  [0x79, 92], // Henkan
  [0x7b, 94], // Muhenkan
  [0x7d, 124], // Yen
  [0x7e, 121], // KP_Comma
  [0x90, 165], // previous song
  [0x99, 163], // next song
  [0x9c, 96], // KP_Enter
  [0x9d, 97], // Control_R
  [0xa0, 113], // mute
  [0xa1, 140], // calculator
  [0xa2, 164], // play/pause
  [0xa4, 166], // stop CD
  [0xae, 114], // volume down
  [0xb0, 115], // volume up
  [0xb2, 172], // home page
  [0xb5, 98], // KP_Divide
  [0xb7, 99], // Print
  [0xb8, 100], // Alt_R / AltGr
  [0xc6, 119], // Pause (Ctrl+Break)
  [0xc7, 102], // Home
  [0xc8, 103], // Up
  [0xc9, 104], // Prior
  [0xcb, 105], // Left
  [0xcd, 106], // Right
  [0xcf, 107], // End
  [0xd0, 108], // Down
  [0xd1, 109], // Next
  [0xd2, 110], // Insert
  [0xd3, 111], // Delete
  [0xdb, 125], // Super_L
  [0xdc, 126], // Super_R
  [0xdd, 127], // Menu
  [0xde, 116], // power
  [0xdf, 142], // sleep
  [0xe3, 143], // wake up
  [0xe5, 217], // search
  [0xe6, 156], // bookmarks
  [0xe7, 173], // refresh
  [0xe8, 128], // stop
  [0xe9, 159], // forward
  [0xea, 158], // back
  [0xeb, 157], // computer
  [0xec, 155], // mail
  [0xed, 226], // media
]);

/**
 * The Linux input key code of an RFB/QEMU XT scancode, or 0 when unknown.
 * Also takes the two-byte form some clients send (0xE0 in the high byte).
 */
export function xtScancodeToLinux(scancode: number): number {
  let sc = scancode >>> 0;
  if (sc > 0xff) {
    if (sc >> 8 !== 0xe0) return 0;
    sc = (sc & 0x7f) | 0x80;
  }
  const mapped = XT_TO_LINUX.get(sc);
  if (mapped !== undefined) return mapped;
  if ((sc >= 0x01 && sc <= 0x53) || (sc >= 0x56 && sc <= 0x58)) return sc;
  return 0;
}

/** X keycodes from the evdev driver (and XKB's "evdev" keycodes) are Linux codes + 8. */
export const EVDEV_KEYCODE_OFFSET = 8;

/**
 * The X keycode of an XT scancode on the server's keyboard, or 0: unknown,
 * a key the map leaves empty, or one `reserved` for other uses (our spare
 * keycodes).
 */
export function keycodeForXtScancode(scancode: number, keymap: Keymap, evdev: boolean, reserved: (keycode: number) => boolean): number {
  const linux = xtScancodeToLinux(scancode);
  if (!linux) return 0;
  // non-evdev (xfree86) keycodes agree with evdev on the main block only
  if (!evdev && linux > 0x58) return 0;
  const kc = linux + EVDEV_KEYCODE_OFFSET;
  if (!keymap.has(kc) || keymap.isEmpty(kc) || reserved(kc)) return 0;
  return kc;
}

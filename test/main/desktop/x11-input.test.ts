import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codepointToKeysym } from '../../../src/main/desktop/keysym-unicode.js';
import { Keymap, xtScancodeToLinux } from '../../../src/main/desktop/x11/keymap.js';
import { openX11, type X11Connection } from '../../../src/main/desktop/x11/x11-connection.js';
import { X11Input } from '../../../src/main/desktop/x11/x11-input.js';
import { XEventLog } from '../../support/x-event-log.js';
import { catTerm, keysDown } from '../../support/x-helpers.js';
import { startXvfb, xrun, type XvfbHandle } from '../../support/xvfb.js';

const XK = {
  Return: 0xff0d,
  Tab: 0xff09,
  ISO_Left_Tab: 0xfe20,
  Shift_L: 0xffe1,
  Control_L: 0xffe3,
  Alt_L: 0xffe9,
  Super_L: 0xffeb,
  Caps_Lock: 0xffe5,
  Num_Lock: 0xff7f,
  ISO_Level3_Shift: 0xfe03,
  Up: 0xff52,
  KP_1: 0xffb1,
  KP_2: 0xffb2,
  KP_Add: 0xffab,
  KP_End: 0xff9c,
  d: 0x64,
} as const;

const SHIFT = 0x1;
const LOCK = 0x2;
const CONTROL = 0x4;
const MOD5 = 0x80;
const BUTTON1 = 0x100;

async function tap(input: X11Input, keysym: number): Promise<void> {
  await input.key(keysym, true);
  await input.key(keysym, false);
}

/** Type text as an RFB client would: one keysym per character ("\n" = Return). */
async function typeText(input: X11Input, text: string): Promise<void> {
  for (const ch of text) await tap(input, ch === '\n' ? XK.Return : codepointToKeysym(ch.codePointAt(0)!));
}

async function chord(input: X11Input, modifiers: number[], keysym: number): Promise<void> {
  for (const m of modifiers) await input.key(m, true);
  await tap(input, keysym);
  for (const m of [...modifiers].reverse()) await input.key(m, false);
}

async function keyboardMapping(conn: X11Connection): Promise<number[][]> {
  const { min_keycode: min, max_keycode: max } = conn.display;
  return conn.request<number[][]>((cb) => conn.client.GetKeyboardMapping(min, max - min + 1, cb));
}

describe('xtScancodeToLinux', () => {
  it('maps plain, E0-as-bit-7 and two-byte E0 scancodes', () => {
    expect(xtScancodeToLinux(0x1e)).toBe(30); // A
    expect(xtScancodeToLinux(0x01)).toBe(1); // Escape
    expect(xtScancodeToLinux(0x58)).toBe(88); // F12
    expect(xtScancodeToLinux(0xc8)).toBe(103); // Up (E0 48)
    expect(xtScancodeToLinux(0xe048)).toBe(103);
    expect(xtScancodeToLinux(0x9d)).toBe(97); // Control_R (E0 1D)
    expect(xtScancodeToLinux(0xb8)).toBe(100); // AltGr (E0 38)
    expect(xtScancodeToLinux(0x7f)).toBe(0);
    expect(xtScancodeToLinux(0xe1)).toBe(0);
  });
});

describe('Keymap.spareRow', () => {
  it('gives letters the server knows the case of a lower/upper pair, the rest one keysym twice', () => {
    expect(Keymap.spareRow(0xc9)).toEqual([0xe9, 0xc9]); // É → é É
    expect(Keymap.spareRow(0x20ac)).toEqual([0x20ac, 0x20ac]); // €
    expect(Keymap.spareRow(0x100263a)).toEqual([0x100263a, 0x100263a]); // ☺
    expect(Keymap.spareRow(0x6c6)).toEqual([0x6c6, 0x6e6]); // Cyrillic_ef
    expect(Keymap.spareRow(0x1000175)).toEqual([0x1000175, 0x1000175]); // ŵ (Unicode keysym: no server case)
  });
});

describe('Keymap.plan', () => {
  // a slice of the US map Xvfb starts with: keycodes 8.. with 4 columns
  function usKeymap(): Keymap {
    const rows: number[][] = Array.from({ length: 248 }, () => [0, 0, 0, 0, 0, 0, 0]);
    const set = (kc: number, syms: number[]): void => {
      rows[kc - 8] = [...syms, 0, 0, 0, 0, 0, 0, 0].slice(0, 7);
    };
    set(10, [0x31, 0x21, 0x31, 0x21]); // 1 !
    set(36, [XK.Return, 0, XK.Return]);
    set(38, [0x61, 0x41, 0x61, 0x41]); // a A
    set(50, [XK.Shift_L, 0, XK.Shift_L]);
    set(66, [XK.Caps_Lock, 0, XK.Caps_Lock]);
    set(77, [XK.Num_Lock, 0, XK.Num_Lock]);
    set(87, [XK.KP_End, XK.KP_1, XK.KP_End, XK.KP_1]);
    set(92, [XK.ISO_Level3_Shift, 0, XK.ISO_Level3_Shift]);
    const mods = [[50], [66], [37], [64], [77], [], [133], [92]];
    return new Keymap(8, rows, mods);
  }
  const none = { shift: false, lock: false, numLock: false, level3: false, group2: false };

  it('fakes Shift only when the level needs it, and Caps Lock flips letters', () => {
    const km = usKeymap();
    expect(km.plan(0x41, none)).toMatchObject({ keycode: 38, shift: true, cost: 1 });
    expect(km.plan(0x41, { ...none, lock: true })).toMatchObject({ keycode: 38, shift: false, cost: 0 });
    expect(km.plan(0x61, { ...none, lock: true })).toMatchObject({ keycode: 38, shift: true });
    expect(km.plan(0x21, { ...none, lock: true })).toMatchObject({ keycode: 10, shift: true }); // Lock does not shift digits
    expect(km.plan(XK.Return, { ...none, shift: true })).toMatchObject({ keycode: 36, shift: true, cost: 0 });
    expect(km.plan(0x20ac, none)).toBeNull();
  });

  it('turns NumLock on for keypad digits rather than faking Shift', () => {
    const km = usKeymap();
    expect(km.plan(XK.KP_1, none)).toMatchObject({ keycode: 87, toggleNumLock: true, shift: false });
    expect(km.plan(XK.KP_1, { ...none, numLock: true })).toMatchObject({ keycode: 87, toggleNumLock: false, cost: 0 });
    expect(km.plan(XK.KP_End, { ...none, numLock: true })).toMatchObject({ keycode: 87, toggleNumLock: true });
  });
});

describe('X11Input on Xvfb', () => {
  let xvfb: XvfbHandle;
  let input: X11Input;
  let probe: X11Connection;
  let dir: string;

  beforeAll(async () => {
    xvfb = await startXvfb({ width: 800, height: 600, firstDisplay: 140 });
    input = new X11Input({ display: xvfb.display, spareHoldMs: 150 });
    await input.start();
    probe = await openX11(xvfb.display, { shm: false });
    dir = mkdtempSync(join(tmpdir(), 'trayvnc-x11-input-'));
  }, 30_000);

  afterAll(async () => {
    await input?.stop();
    await probe?.close();
    await xvfb?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('types text with shifted, missing and non-Latin-1 characters into an xterm', async () => {
    const term = await catTerm(xvfb.display, dir, 'hello', () => input.pointer(100, 60, 0));
    try {
      const text = 'Hello, wörld! €5 ~ [x] ☺';
      await typeText(input, `${text}\n`);
      await chord(input, [XK.Control_L], XK.d);
      expect(await term.result()).toBe(`${text}\n`);
    } finally {
      await term.kill();
    }
    expect(input.stats.remaps).toBeGreaterThanOrEqual(3); // ö, €, ☺ are not on the US map
    expect(input.stats.ignored).toBe(0);
  }, 30_000);

  it('types more distinct missing characters than there are spare keycodes', async () => {
    const term = await catTerm(xvfb.display, dir, 'cyrillic', () => input.pointer(100, 60, 0));
    const remaps = input.stats.remaps;
    try {
      const text = 'Съешь же ещё этих мягких французских булок, да выпей чаю. Ελληνικά ☺☻♥';
      await typeText(input, `${text}\n`);
      await chord(input, [XK.Control_L], XK.d);
      expect(await term.result()).toBe(`${text}\n`);
    } finally {
      await term.kill();
    }
    expect(input.stats.remaps - remaps).toBeGreaterThan(input.spareKeycodes.length);
  }, 60_000);

  it('follows Caps Lock and NumLock: letters keep their case, keypad digits stay digits', async () => {
    const term = await catTerm(xvfb.display, dir, 'locks', () => input.pointer(100, 60, 0));
    try {
      await tap(input, XK.Caps_Lock);
      // what the client means, whatever the server's Caps Lock does to it
      await typeText(input, 'aBéÉŵŴ');
      await tap(input, XK.Caps_Lock);
      await typeText(input, 'xY');
      for (const ks of [XK.KP_1, XK.KP_Add, XK.KP_2]) await tap(input, ks);
      await tap(input, XK.Return);
      await chord(input, [XK.Control_L], XK.d);
      expect(await term.result()).toBe('aBéÉŵŴxY1+2\n');
    } finally {
      await term.kill();
    }
    // NumLock was turned on for KP_1 and stays on; put it back for the other tests
    await tap(input, XK.Num_Lock);
    await input.flush();
    const pointer = await probe.request<{ keyMask: number }>((cb) => probe.client.QueryPointer(probe.root, cb));
    expect(pointer.keyMask & (LOCK | 0x10)).toBe(0);
  }, 30_000);

  it('presses or releases Shift around keys as the keysym needs; Control passes through', async () => {
    const log = await XEventLog.open(xvfb.display);
    try {
      // Shift held by the client, upper-case letter: no fake
      await input.key(XK.Shift_L, true);
      await tap(input, 0x41); // A
      // Shift held, a keysym that needs it off: released around the key, pressed again after
      await tap(input, 0x31); // 1
      // Shift held: Return keeps it (Shift+Return), Tab becomes ISO_Left_Tab
      await tap(input, XK.Return);
      await tap(input, XK.Tab);
      await input.key(XK.Shift_L, false);
      // no Shift held, a keysym that needs it: pressed around the key
      await tap(input, 0x21); // !
      // Control+c
      await chord(input, [XK.Control_L], 0x63);
      await input.flush();
      await log.waitFor((e) => e.type === 'KeyRelease' && e.detail === 37);
      expect(log.keys()).toEqual([
        ['KeyPress', 50, 0, XK.Shift_L],
        ['KeyPress', 38, SHIFT, 0x41],
        ['KeyRelease', 38, SHIFT, 0x41],
        ['KeyRelease', 50, SHIFT, XK.Shift_L],
        ['KeyPress', 10, 0, 0x31],
        ['KeyPress', 50, 0, XK.Shift_L],
        ['KeyRelease', 10, SHIFT, 0x21],
        ['KeyPress', 36, SHIFT, XK.Return],
        ['KeyRelease', 36, SHIFT, XK.Return],
        ['KeyPress', 23, SHIFT, XK.ISO_Left_Tab],
        ['KeyRelease', 23, SHIFT, XK.ISO_Left_Tab],
        ['KeyRelease', 50, SHIFT, XK.Shift_L],
        ['KeyPress', 50, 0, XK.Shift_L],
        ['KeyPress', 10, SHIFT, 0x21],
        ['KeyRelease', 50, SHIFT, XK.Shift_L],
        ['KeyRelease', 10, 0, 0x31],
        ['KeyPress', 37, 0, XK.Control_L],
        ['KeyPress', 54, CONTROL, 0x63],
        ['KeyRelease', 54, CONTROL, 0x63],
        ['KeyRelease', 37, CONTROL, XK.Control_L],
      ]);
    } finally {
      await log.close();
    }
  }, 30_000);

  it('maps modifier keysyms to their own keys', async () => {
    const log = await XEventLog.open(xvfb.display);
    try {
      for (const ks of [XK.Shift_L, XK.Control_L, XK.Alt_L, XK.Super_L, XK.ISO_Level3_Shift, 0xffe8 /* Meta_R */]) await tap(input, ks);
      await input.flush();
      await log.waitFor((e) => e.type === 'KeyRelease', 6);
      const presses = log.events.filter((e) => e.type === 'KeyPress');
      expect(presses.map((e) => e.detail)).toEqual([50, 37, 64, 133, 92, 108]);
      expect(presses.map((e) => e.state)).toEqual([0, 0, 0, 0, 0, 0]); // nothing faked around them
    } finally {
      await log.close();
    }
  }, 30_000);

  it('uses AltGr (ISO_Level3_Shift) for third-level keysyms of a German layout', async () => {
    await xrun(xvfb.display, 'setxkbmap', ['-layout', 'de']);
    try {
      await input.flush(); // the MappingNotify is in before this resolves
      const log = await XEventLog.open(xvfb.display);
      try {
        await typeText(input, '@');
        await input.flush();
        await log.waitFor((e) => e.type === 'KeyRelease' && e.detail === 24);
        expect(log.keys()).toEqual([
          ['KeyPress', 92, 0, XK.ISO_Level3_Shift],
          ['KeyPress', 24, MOD5, 0x40], // q with AltGr: @
          ['KeyRelease', 92, MOD5, XK.ISO_Level3_Shift],
          ['KeyRelease', 24, 0, 0x71],
        ]);
        // the client holds AltGr but wants a keysym of the Shift level: AltGr let go around it
        log.clear();
        await input.key(XK.ISO_Level3_Shift, true);
        await tap(input, 0x22); // " is Shift+2 on the German layout
        await input.key(XK.ISO_Level3_Shift, false);
        await input.flush();
        await log.waitFor((e) => e.type === 'KeyRelease' && e.detail === 92, 2);
        expect(log.keys().filter(([t]) => t === 'KeyPress')).toEqual([
          ['KeyPress', 92, 0, XK.ISO_Level3_Shift],
          ['KeyPress', 50, 0, 0xffe1],
          ['KeyPress', 11, SHIFT, 0x22],
          ['KeyPress', 92, 0, XK.ISO_Level3_Shift],
        ]);
      } finally {
        await log.close();
      }
      const term = await catTerm(xvfb.display, dir, 'altgr', () => input.pointer(100, 60, 0));
      try {
        const text = '@€{[]}\\|~µ zy ÖÄÜß';
        await typeText(input, `${text}\n`);
        await chord(input, [XK.Control_L], XK.d);
        expect(await term.result()).toBe(`${text}\n`);
      } finally {
        await term.kill();
      }
    } finally {
      await xrun(xvfb.display, 'setxkbmap', ['-layout', 'us']);
      await input.flush();
    }
    expect(input.stats.refreshes).toBeGreaterThanOrEqual(2);
  }, 40_000);

  it('moves, clicks, drags, scrolls and presses buttons 8 and 9 where sent', async () => {
    const log = await XEventLog.open(xvfb.display);
    try {
      await input.pointer(100, 120, 0);
      await input.pointer(100, 120, 1); // left down
      await input.pointer(150, 170, 1); // drag
      await input.pointer(150, 170, 0); // left up
      await input.pointer(151, 171, 2); // middle
      await input.pointer(151, 171, 0);
      await input.pointer(152, 172, 4); // right
      await input.pointer(152, 172, 0);
      for (const bit of [3, 4, 5, 6, 7, 8]) {
        await input.pointer(200, 210, 1 << bit);
        await input.pointer(200, 210, 0);
      }
      await input.flush();
      await log.waitFor((e) => e.type === 'ButtonRelease' && e.detail === 9);
      const buttons = log.events.filter((e) => e.type !== 'MotionNotify').map((e) => [e.type, e.detail, e.rootX, e.rootY]);
      expect(buttons).toEqual([
        ['ButtonPress', 1, 100, 120],
        ['ButtonRelease', 1, 150, 170],
        ['ButtonPress', 2, 151, 171],
        ['ButtonRelease', 2, 151, 171],
        ['ButtonPress', 3, 152, 172],
        ['ButtonRelease', 3, 152, 172],
        ...[4, 5, 6, 7, 8, 9].flatMap((b) => [
          ['ButtonPress', b, 200, 210],
          ['ButtonRelease', b, 200, 210],
        ]),
      ]);
      const motions = log.events.filter((e) => e.type === 'MotionNotify');
      expect(motions.map((e) => [e.rootX, e.rootY])).toEqual([
        [100, 120],
        [150, 170],
        [151, 171],
        [152, 172],
        [200, 210],
      ]);
      expect(motions[1]!.state & BUTTON1).toBe(BUTTON1); // the drag carried button 1
      const where = await xrun(xvfb.display, 'xdotool', ['getmouselocation', '--shell']);
      expect(where).toMatch(/^X=200$/m);
      expect(where).toMatch(/^Y=210$/m);
    } finally {
      await log.close();
    }
  }, 30_000);

  it('places QEMU scancodes by position and falls back to the keysym for unknown ones', async () => {
    const log = await XEventLog.open(xvfb.display);
    try {
      await input.scancode(0x1e, 0x61, true); // A key
      await input.scancode(0x1e, 0x61, false);
      await input.scancode(0xc8, XK.Up, true); // E0 48: Up
      await input.scancode(0xc8, XK.Up, false);
      await input.scancode(0x2a, XK.Shift_L, true); // Shift by scancode, then a keysym that needs it
      await tap(input, 0x51); // Q: no fake Shift, it is held
      await input.scancode(0x2a, XK.Shift_L, false);
      await input.scancode(0x7f, 0x62, true); // no such key: typed as keysym b
      await input.scancode(0x7f, 0x62, false);
      await input.flush();
      await log.waitFor((e) => e.type === 'KeyRelease', 5);
      expect(log.keys()).toEqual([
        ['KeyPress', 38, 0, 0x61],
        ['KeyRelease', 38, 0, 0x61],
        ['KeyPress', 111, 0, XK.Up],
        ['KeyRelease', 111, 0, XK.Up],
        ['KeyPress', 50, 0, XK.Shift_L],
        ['KeyPress', 24, SHIFT, 0x51],
        ['KeyRelease', 24, SHIFT, 0x51],
        ['KeyRelease', 50, SHIFT, XK.Shift_L],
        ['KeyPress', 56, 0, 0x62],
        ['KeyRelease', 56, 0, 0x62],
      ]);
    } finally {
      await log.close();
    }
  }, 30_000);

  it('types keysyms from a spare keycode, releasing the same keycode, and puts the spare back', async () => {
    await input.restoreSpares();
    const before = await keyboardMapping(probe);
    const log = await XEventLog.open(xvfb.display);
    try {
      const spares = input.spareKeycodes;
      expect(spares.length).toBeGreaterThanOrEqual(4);
      // held across another remap: the release must go to the keycode of the press
      await input.key(0x100263a, true); // ☺
      await tap(input, 0x6c6); // Cyrillic_ef
      await input.key(0x100263a, false);
      await tap(input, 0x10000e9); // é as a Unicode keysym
      await input.flush();
      await log.waitFor((e) => e.type === 'KeyRelease', 3);
      const keys = log.keys();
      expect(keys.map(([, , , ks]) => ks)).toEqual([0x100263a, 0x6c6, 0x6c6, 0x100263a, 0xe9, 0xe9]);
      expect(keys[0]![1]).toBe(keys[3]![1]);
      expect(keys[1]![1]).not.toBe(keys[0]![1]);
      for (const [, kc] of keys) expect(spares).toContain(kc);
      // restored once the hold time has passed
      const deadline = Date.now() + 5000;
      let after = await keyboardMapping(probe);
      while (JSON.stringify(after) !== JSON.stringify(before) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
        after = await keyboardMapping(probe);
      }
      expect(after).toEqual(before);
    } finally {
      await log.close();
    }
  }, 30_000);

  it('never throws on keysyms nothing can type, and leaves no key down', async () => {
    await input.restoreSpares();
    const before = await keyboardMapping(probe);
    const ignored = input.stats.ignored;
    await input.key(0x7fffffff, true); // not a keysym
    await input.key(0x7fffffff, false);
    await input.key(0, true);
    await input.key(0xffffff, true); // VoidSymbol
    await input.key(0x62, false); // release of a key never pressed
    // modifiers pressed through key() and let go again
    await input.key(XK.Shift_L, true);
    await input.key(XK.Control_L, true);
    await tap(input, 0x100263a);
    await input.key(XK.Control_L, false);
    await input.key(XK.Shift_L, false);
    await input.flush();
    expect(input.stats.ignored).toBe(ignored + 1);
    expect(await keysDown(probe)).toEqual([]);
    await input.restoreSpares();
    expect(await keyboardMapping(probe)).toEqual(before);
  }, 30_000);

  it('is fast: pipelined events, one round trip only for a flush', async () => {
    const log = await XEventLog.open(xvfb.display, { focus: true });
    try {
      const n = 2000;
      let t0 = performance.now();
      for (let i = 0; i < n; i++) await input.pointer(10 + (i % 500), 10 + (i % 300), 0);
      await input.flush();
      const motionUs = ((performance.now() - t0) * 1000) / n;
      t0 = performance.now();
      for (let i = 0; i < n / 2; i++) await tap(input, 0x61);
      await input.flush();
      const keyUs = ((performance.now() - t0) * 1000) / n;
      t0 = performance.now();
      for (let i = 0; i < 200; i++) {
        await tap(input, 0x61);
        await input.flush();
      }
      const tapRtMs = (performance.now() - t0) / 200;
      t0 = performance.now();
      for (let i = 0; i < 200; i++) {
        await tap(input, 0x21); // ! with a fake Shift
        await input.flush();
      }
      const shiftedRtMs = (performance.now() - t0) / 200;
      t0 = performance.now();
      const chars = [0x100263a, 0x20ac, 0xe9, 0x6c6, 0x100044f];
      for (const ks of chars) {
        await tap(input, ks);
        await input.flush();
      }
      const spareRtMs = (performance.now() - t0) / chars.length;
      console.log(
        `X11Input: motion ${motionUs.toFixed(1)} µs/event pipelined; key ${keyUs.toFixed(1)} µs/event pipelined; ` +
          `tap+round trip ${tapRtMs.toFixed(3)} ms; shifted tap+round trip ${shiftedRtMs.toFixed(3)} ms; ` +
          `spare remap+tap+round trip ${spareRtMs.toFixed(3)} ms`,
      );
      expect(motionUs).toBeLessThan(500);
      expect(keyUs).toBeLessThan(500);
      await log.waitFor((e) => e.type === 'KeyPress' && e.keysym === 0x6d1, 1, 10_000); // я, as its legacy keysym
    } finally {
      await log.close();
    }
  }, 60_000);
});

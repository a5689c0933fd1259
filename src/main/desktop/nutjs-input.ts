import type { Logger } from 'pino';
import { getLogger } from '../base/logger.js';
import type { InputSink } from './input.js';
import { canonicalKeysym, keysymName, keysymToCodepoint } from './keysym-unicode.js';

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

const SHIFT_KEYS: readonly NutKeyName[] = ['LeftShift', 'RightShift'];

/**
 * Keys not pressed on Linux. libnut presses a key on X11 with
 * XTestFakeKeyEvent(XKeysymToKeycode(name's keysym)) and installs no X error
 * handler, so a keysym missing from the display's keyboard map becomes
 * keycode 0, a BadValue error, and Xlib's default handler ends the whole
 * process. F13–F24 and Clear have no key on common maps (Xvfb's included);
 * Menu is not a key name libnut knows on Linux (it throws).
 */
const LINUX_UNSAFE_KEYS: ReadonlySet<NutKeyName> = new Set<NutKeyName>([
  'F13', 'F14', 'F15', 'F16', 'F17', 'F18', 'F19', 'F20', 'F21', 'F22', 'F23', 'F24', 'Clear', 'Menu',
]);

// ---- the slice of the nut-js API used here (structural, so its types are not needed) ----

type ScrollMethod = 'scrollUp' | 'scrollDown' | 'scrollLeft' | 'scrollRight';

interface NutPoint {
  x: number;
  y: number;
}

interface NutKeyboard {
  config: { autoDelayMs: number };
  pressKey(...keys: number[]): Promise<unknown>;
  releaseKey(...keys: number[]): Promise<unknown>;
  type(...input: string[]): Promise<unknown>;
}

interface NutMouse {
  config: { autoDelayMs: number; mouseSpeed: number };
  setPosition(target: NutPoint): Promise<unknown>;
  pressButton(button: number): Promise<unknown>;
  releaseButton(button: number): Promise<unknown>;
  scrollUp(amount: number): Promise<unknown>;
  scrollDown(amount: number): Promise<unknown>;
  scrollLeft(amount: number): Promise<unknown>;
  scrollRight(amount: number): Promise<unknown>;
}

interface NutApi {
  keyboard: NutKeyboard;
  mouse: NutMouse;
  Key: Record<string, number | string>;
  Button: Record<string, number | string>;
  Point: new (x: number, y: number) => NutPoint;
  providerRegistry?: {
    hasKeyboard?(): boolean;
    hasMouse?(): boolean;
    getKeyboard?(): Partial<NutKeyboardProvider>;
    getMouse?(): Partial<NutMouseProvider>;
  };
}

/** nut-js's provider layer (libnut by default): what keyboard/mouse call after their auto-delay sleep. */
interface NutKeyboardProvider {
  setKeyboardDelay(ms: number): void;
  pressKey(...keys: number[]): Promise<void>;
  releaseKey(...keys: number[]): Promise<void>;
  type(input: string): Promise<void>;
}

interface NutMouseProvider {
  setMouseDelay(ms: number): void;
  setMousePosition(p: NutPoint): Promise<void>;
  pressButton(button: number): Promise<void>;
  releaseButton(button: number): Promise<void>;
  scrollUp(amount: number): Promise<void>;
  scrollDown(amount: number): Promise<void>;
  scrollLeft(amount: number): Promise<void>;
  scrollRight(amount: number): Promise<void>;
}

/** The calls this backend makes, bound to the provider layer or to nut-js's keyboard/mouse. */
interface Driver {
  via: 'provider' | 'nut-js';
  pressKey(key: number): Promise<unknown>;
  releaseKey(key: number): Promise<unknown>;
  type(text: string): Promise<unknown>;
  setPosition(x: number, y: number): Promise<unknown>;
  pressButton(button: number): Promise<unknown>;
  releaseButton(button: number): Promise<unknown>;
  scroll(method: ScrollMethod): Promise<unknown>;
}

function hasMethods<T>(o: unknown, names: ReadonlyArray<keyof T>): o is T {
  return !!o && typeof o === 'object' && names.every((n) => typeof (o as Record<PropertyKey, unknown>)[n] === 'function');
}

const KEYBOARD_PROVIDER_METHODS = ['pressKey', 'releaseKey', 'type'] as const;
const MOUSE_PROVIDER_METHODS = ['setMousePosition', 'pressButton', 'releaseButton', 'scrollUp', 'scrollDown', 'scrollLeft', 'scrollRight'] as const;

/**
 * Bind the calls. nut-js's keyboard and mouse await sleep(autoDelayMs) before
 * each key, button and wheel action: a setTimeout even at 0 ms, about 1 ms
 * per event. Their providers (registered in nut-js's providerRegistry, libnut
 * unless replaced) take the same Key, Button and Point values without it, so
 * they are used when registered; otherwise the keyboard/mouse API is.
 */
function makeDriver(nut: NutApi): Driver {
  const reg = nut.providerRegistry;
  let kb: unknown = null;
  let ms: unknown = null;
  try {
    if (reg?.hasKeyboard?.() !== false) kb = reg?.getKeyboard?.();
    if (reg?.hasMouse?.() !== false) ms = reg?.getMouse?.();
  } catch {
    /* no provider registered: the keyboard/mouse API it is */
  }
  if (hasMethods<NutKeyboardProvider>(kb, KEYBOARD_PROVIDER_METHODS) && hasMethods<NutMouseProvider>(ms, MOUSE_PROVIDER_METHODS)) {
    const k = kb;
    const m = ms;
    return {
      via: 'provider',
      pressKey: (key) => k.pressKey(key),
      releaseKey: (key) => k.releaseKey(key),
      type: (text) => k.type(text),
      setPosition: (x, y) => m.setMousePosition(new nut.Point(x, y)),
      pressButton: (b) => m.pressButton(b),
      releaseButton: (b) => m.releaseButton(b),
      scroll: (method) => m[method](1),
    };
  }
  const { keyboard, mouse } = nut;
  return {
    via: 'nut-js',
    pressKey: (key) => keyboard.pressKey(key),
    releaseKey: (key) => keyboard.releaseKey(key),
    type: (text) => keyboard.type(text),
    setPosition: (x, y) => mouse.setPosition(new nut.Point(x, y)),
    pressButton: (b) => mouse.pressButton(b),
    releaseButton: (b) => mouse.releaseButton(b),
    scroll: (method) => mouse[method](1),
  };
}

function isNutApi(m: unknown): m is NutApi {
  if (!m || typeof m !== 'object') return false;
  const o = m as Record<string, unknown>;
  const kb = o['keyboard'] as Record<string, unknown> | undefined;
  const mouse = o['mouse'] as Record<string, unknown> | undefined;
  return (
    typeof kb?.['pressKey'] === 'function' &&
    typeof kb['releaseKey'] === 'function' &&
    typeof kb['type'] === 'function' &&
    typeof mouse?.['setPosition'] === 'function' &&
    typeof mouse['pressButton'] === 'function' &&
    typeof o['Key'] === 'object' &&
    typeof o['Button'] === 'object' &&
    typeof o['Point'] === 'function'
  );
}

export const NUTJS_PACKAGE = '@nut-tree-fork/nut-js';

export interface NutJsInputOptions {
  /** Module to load (default '@nut-tree-fork/nut-js'); for tests and forks with the same API. */
  moduleId?: string;
  /** The platform libnut runs on (default process.platform); decides the X11 work-arounds. */
  platform?: NodeJS.Platform;
}

/** Counters, for tests and diagnostics. */
export interface NutJsInputStats {
  /** Key presses and releases handed to nut-js (added Shifts included). */
  keyEvents: number;
  /** Characters typed with keyboard.type() because no key maps to them. */
  typed: number;
  /** Key events dropped (no key and no character). */
  ignored: number;
  /** Pointer moves, button presses/releases and wheel steps handed to nut-js. */
  pointerEvents: number;
}

/** Pointer buttons nut-js can hold: RFB mask bit → nut-js Button member. */
const MASK_BUTTONS: ReadonlyArray<[bit: number, button: 'LEFT' | 'MIDDLE' | 'RIGHT']> = [
  [0, 'LEFT'],
  [1, 'MIDDLE'],
  [2, 'RIGHT'],
];
/** Wheel bits → the nut-js scroll call one step of that bit makes. */
const WHEEL_BITS: ReadonlyArray<[bit: number, method: ScrollMethod]> = [
  [3, 'scrollUp'],
  [4, 'scrollDown'],
  [5, 'scrollLeft'],
  [6, 'scrollRight'],
];
/**
 * libnut on X11 turns scrollRight into button 6 (X's "left") and scrollLeft
 * into button 7, the other way round from X's convention; on Linux the
 * horizontal calls are swapped so that RFB's left/right arrive as left/right.
 */
const WHEEL_BITS_X11: ReadonlyArray<[bit: number, method: ScrollMethod]> = [
  [3, 'scrollUp'],
  [4, 'scrollDown'],
  [5, 'scrollRight'],
  [6, 'scrollLeft'],
];
const WHEEL_MASK = 0x78;

interface PressedKey {
  /** nut-js Key value pressed. */
  key: number;
  name: NutKeyName;
}

/**
 * Keyboard and pointer input through nut-js (`@nut-tree-fork/nut-js`, an
 * optional dependency, loaded by start()): the cross-platform backend for
 * Windows, macOS, and desktops where this process is not an X11 client of
 * its own. nut-js waits 300 ms (keyboard) / 100 ms (mouse) around every
 * action by default; start() sets those delays, and libnut's own keyboard
 * and mouse delays, to 0, and events go straight to nut-js's providers
 * (libnut) where registered, skipping the sleep(0) nut-js still does (see
 * makeDriver).
 *
 * Keys. A keysym is pressed as the key a US layout gives it, with Shift
 * pressed around the key when the character needs it and the client holds
 * no Shift (so "A" alone types A, and Shift + "a" types A too). A held Shift
 * is never released for an unshifted character, and Caps Lock's state is not
 * known here. nut-js names keys, not keysyms, so on a desktop with another
 * layout the punctuation keys give that layout's characters.
 *
 * A keysym with no key but a character (é, €, ☺) is typed on its key-down
 * with keyboard.type(), and its key-up is ignored. That is best effort and
 * depends on the platform's typing support: Windows and macOS send the
 * Unicode character itself. On X11 libnut types through libxdo, which uses
 * the character's key if the keyboard map had one when libxdo first looked
 * (it caches the map), and otherwise binds it to a scratch keycode for a
 * moment and unbinds it at once, so the application may see the wrong
 * character or none. Use the X11 backend on X11 desktops. Keysyms with
 * neither a key nor a character (dead keys, multimedia keys, …) are dropped,
 * and so, on Linux, are the keys libnut would end the process for (see
 * LINUX_UNSAFE_KEYS). Pause has no key name in libnut 2.7 and does nothing.
 *
 * Pointer. The position is set directly (no animated move); buttons 1–3 are
 * pressed and released on mask edges; each rising wheel bit (3–6) is one
 * scroll step. Back/forward (bits 7–8) have no nut-js equivalent and are
 * ignored.
 *
 * On X11 libnut opens the display named by $DISPLAY when it is first used,
 * once per process. Calls run one at a time, in call order; libnut's calls
 * are synchronous and wait for the X server (XSync) before returning.
 */
export class NutJsInput implements InputSink {
  readonly name = 'nut-js';
  private readonly moduleId: string;
  private readonly linux: boolean;
  private readonly wheelBits: ReadonlyArray<[bit: number, method: ScrollMethod]>;
  private readonly log: Logger;
  private nut: NutApi | null = null;
  private driver: Driver | null = null;
  private tail: Promise<void> = Promise.resolve();
  private stopped = false;
  /** keysym → the key it pressed. */
  private readonly pressed = new Map<number, PressedKey>();
  /** nut-js key value → how many pressed keysyms hold it. */
  private readonly keyHolds = new Map<number, number>();
  /** Keysyms typed as characters on key-down whose key-up is still to come. */
  private readonly typedDown = new Set<number>();
  private buttons = 0;
  private lastX = Number.NaN;
  private lastY = Number.NaN;
  private readonly counters: NutJsInputStats = { keyEvents: 0, typed: 0, ignored: 0, pointerEvents: 0 };

  constructor(options: NutJsInputOptions = {}) {
    this.moduleId = options.moduleId ?? NUTJS_PACKAGE;
    this.linux = (options.platform ?? process.platform) === 'linux';
    this.wheelBits = this.linux ? WHEEL_BITS_X11 : WHEEL_BITS;
    this.log = getLogger('nutjs-input');
  }

  get stats(): Readonly<NutJsInputStats> {
    return { ...this.counters };
  }

  /** How events go out once started: nut-js's provider layer, or its keyboard/mouse API. */
  get via(): 'provider' | 'nut-js' | null {
    return this.driver?.via ?? null;
  }

  async start(): Promise<void> {
    if (this.nut) throw new Error('NutJsInput already started');
    let loaded: unknown;
    try {
      loaded = await import(this.moduleId);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      throw new Error(
        `nut-js input is not available: cannot load ${this.moduleId} (${why}). ` +
          `Install the optional dependency (npm install ${NUTJS_PACKAGE}); on Linux it also needs libXtst (Debian: libxtst6).`,
        { cause: err },
      );
    }
    // a CommonJS package: named exports, or everything under default
    const mod = isNutApi(loaded) ? loaded : (loaded as { default?: unknown } | null)?.default;
    if (!isNutApi(mod)) throw new Error(`nut-js input is not available: ${this.moduleId} does not have the nut-js keyboard/mouse API`);
    const { keyboard, mouse, providerRegistry } = mod;
    // nut-js sleeps autoDelayMs before every action (300 ms keyboard, 100 ms mouse by default)
    keyboard.config.autoDelayMs = 0;
    mouse.config.autoDelayMs = 0;
    mouse.config.mouseSpeed = Number.MAX_SAFE_INTEGER; // only animated moves use it; we set positions
    // ...and its keyboard hands libnut its 300 ms as the native delay after every key event
    try {
      if (providerRegistry?.hasKeyboard?.() !== false) providerRegistry?.getKeyboard?.()?.setKeyboardDelay?.(0);
      if (providerRegistry?.hasMouse?.() !== false) providerRegistry?.getMouse?.()?.setMouseDelay?.(0);
    } catch (err) {
      this.log.debug({ err }, 'could not set the native input delays');
    }
    this.nut = mod;
    this.driver = makeDriver(mod);
    this.stopped = false;
    this.log.debug({ module: this.moduleId, via: this.driver.via }, 'nut-js input ready');
  }

  key(keysym: number, down: boolean): Promise<void> {
    return this.enqueue(() => this.doKey(keysym >>> 0, down));
  }

  pointer(x: number, y: number, buttons: number): Promise<void> {
    return this.enqueue(() => this.doPointer(x, y, buttons >>> 0));
  }

  /** Resolves once every call so far has been handed to nut-js. */
  async flush(): Promise<void> {
    await this.tail;
  }

  async stop(): Promise<void> {
    if (this.stopped || !this.driver) {
      this.stopped = true;
      return;
    }
    this.stopped = true;
    await this.tail;
    const d = this.live();
    try {
      // let go of whatever is still down
      for (const key of this.keyHolds.keys()) await d.releaseKey(key);
      for (const [bit, name] of MASK_BUTTONS) if (this.buttons & (1 << bit)) await d.releaseButton(this.buttonValue(name));
    } catch (err) {
      this.log.debug({ err }, 'releasing held input failed');
    }
    this.keyHolds.clear();
    this.pressed.clear();
    this.typedDown.clear();
    this.buttons = 0;
    this.lastX = Number.NaN;
    this.lastY = Number.NaN;
    this.nut = null;
    this.driver = null;
  }

  // ---- the queue ----

  private enqueue(job: () => Promise<void>): Promise<void> {
    const run = this.tail.then(() => {
      if (this.stopped || !this.driver) throw new Error('NutJsInput is not started');
      return job();
    });
    this.tail = run.catch(() => undefined);
    return run;
  }

  private live(): Driver {
    if (!this.driver) throw new Error('NutJsInput is not started');
    return this.driver;
  }

  private api(): NutApi {
    if (!this.nut) throw new Error('NutJsInput is not started');
    return this.nut;
  }

  private keyValue(name: NutKeyName): number {
    const v = this.api().Key[name];
    if (typeof v !== 'number') throw new Error(`nut-js has no Key.${name}`);
    return v;
  }

  private buttonValue(name: 'LEFT' | 'MIDDLE' | 'RIGHT'): number {
    const v = this.api().Button[name];
    if (typeof v !== 'number') throw new Error(`nut-js has no Button.${name}`);
    return v;
  }

  // ---- keys ----

  private shiftHeld(): boolean {
    for (const p of this.pressed.values()) if (SHIFT_KEYS.includes(p.name)) return true;
    return false;
  }

  private async doKey(keysym: number, down: boolean): Promise<void> {
    const d = this.live();
    const plan = nutKeyForKeysym(keysym);
    if (plan && this.linux && LINUX_UNSAFE_KEYS.has(plan.key)) {
      if (down) {
        this.counters.ignored++;
        this.log.debug({ keysym: keysymName(keysym), key: plan.key }, 'key not pressed through libnut on Linux: dropped');
      }
      return;
    }
    if (down) {
      if (!plan) return this.typeCharacter(keysym);
      const key = this.keyValue(plan.key);
      const addShift = plan.shift && !this.shiftHeld();
      if (addShift) {
        await d.pressKey(this.keyValue('LeftShift'));
        this.counters.keyEvents++;
      }
      try {
        await d.pressKey(key);
        this.counters.keyEvents++;
      } finally {
        if (addShift) {
          await d.releaseKey(this.keyValue('LeftShift'));
          this.counters.keyEvents++;
        }
      }
      // a repeat of a keysym already down (autorepeat) holds nothing more
      if (!this.pressed.has(keysym)) {
        this.pressed.set(keysym, { key, name: plan.key });
        this.keyHolds.set(key, (this.keyHolds.get(key) ?? 0) + 1);
      }
      return;
    }
    if (this.typedDown.delete(keysym)) return;
    let entry = this.pressed.get(keysym);
    let held = keysym;
    if (!entry && plan) {
      // released under another keysym than it was pressed with ("a" down, "A" up): same key
      const key = this.keyValue(plan.key);
      for (const [k, p] of this.pressed) {
        if (p.key === key) {
          entry = p;
          held = k;
          break;
        }
      }
    }
    if (!entry) return; // not down because of us
    this.pressed.delete(held);
    const left = (this.keyHolds.get(entry.key) ?? 1) - 1;
    if (left > 0) {
      this.keyHolds.set(entry.key, left); // another keysym still holds this key
      return;
    }
    this.keyHolds.delete(entry.key);
    await d.releaseKey(entry.key);
    this.counters.keyEvents++;
  }

  private async typeCharacter(keysym: number): Promise<void> {
    const cp = keysymToCodepoint(keysym);
    if (cp === null) {
      this.counters.ignored++;
      this.log.debug({ keysym: keysymName(keysym) }, 'keysym has no key or character for nut-js: dropped');
      return;
    }
    this.typedDown.add(keysym);
    this.counters.typed++;
    await this.live().type(String.fromCodePoint(cp));
  }

  // ---- pointer ----

  private async doPointer(x: number, y: number, buttons: number): Promise<void> {
    const d = this.live();
    const px = Math.max(0, Math.round(Number.isFinite(x) ? x : 0));
    const py = Math.max(0, Math.round(Number.isFinite(y) ? y : 0));
    if (px !== this.lastX || py !== this.lastY) {
      await d.setPosition(px, py);
      this.lastX = px;
      this.lastY = py;
      this.counters.pointerEvents++;
    }
    const before = this.buttons;
    for (const [bit, name] of MASK_BUTTONS) {
      const m = 1 << bit;
      if ((before & m) === (buttons & m)) continue;
      if (buttons & m) await d.pressButton(this.buttonValue(name));
      else await d.releaseButton(this.buttonValue(name));
      this.buttons ^= m;
      this.counters.pointerEvents++;
    }
    for (const [bit, method] of this.wheelBits) {
      const m = 1 << bit;
      if (buttons & m && !(before & m)) {
        await d.scroll(method);
        this.counters.pointerEvents++;
      }
    }
    this.buttons = (this.buttons & ~WHEEL_MASK) | (buttons & WHEEL_MASK);
  }
}

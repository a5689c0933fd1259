import type { Logger } from 'pino';
import { getLogger } from '../base/logger.js';
import type { InputSink } from './input.js';
import { keysymName, keysymToCodepoint } from './keysym-unicode.js';
import { loadNutJs, makeDriver, NUTJS_PACKAGE, type Driver, type NutApi, type ScrollMethod } from './nutjs-driver.js';
import { LINUX_UNSAFE_KEYS, nutKeyForKeysym, SHIFT_KEYS, type NutKeyName } from './nutjs-keys.js';

export { NUTJS_PACKAGE } from './nutjs-driver.js';
export { nutKeyForKeysym, type NutKeyName, type NutKeyPlan } from './nutjs-keys.js';

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
 * loadNutJs and makeDriver in nutjs-driver.ts).
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
 * LINUX_UNSAFE_KEYS in nutjs-keys.ts). Pause has no key name in libnut 2.7 and does nothing.
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
    const mod = await loadNutJs(this.moduleId, this.log);
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

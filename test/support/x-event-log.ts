import type { KeyButtonEvent, MappingNotifyEvent, XEvent } from 'x11';
import { openX11, type X11Connection } from '../../src/main/desktop/x11/x11-connection.js';

/** One input event the logging window received. */
export interface LoggedEvent {
  type: 'KeyPress' | 'KeyRelease' | 'ButtonPress' | 'ButtonRelease' | 'MotionNotify';
  /** Keycode (key events) or button number (button events); 0 for motion. */
  detail: number;
  /** Modifier and button mask before the event (Shift 0x1, Lock 0x2, Control 0x4, Mod1 0x8 … Mod5 0x80, Button1 0x100 …). */
  state: number;
  /** Position in the window and on the root. */
  x: number;
  y: number;
  rootX: number;
  rootY: number;
  /** Key events: the keysym the key gives in `state` by the keyboard mapping at the time (see resolve). */
  keysym?: number;
}

const EVENT_NAMES = new Set(['KeyPress', 'KeyRelease', 'ButtonPress', 'ButtonRelease', 'MotionNotify']);
const EVENT_MASK =
  0x1 | // KeyPress
  0x2 | // KeyRelease
  0x4 | // ButtonPress
  0x8 | // ButtonRelease
  0x40; // PointerMotion
const XK_ISO_Level3_Shift = 0xfe03;
const XK_Mode_switch = 0xff7e;

export interface XEventLogOptions {
  /** Window geometry (default: the whole screen). */
  x?: number;
  y?: number;
  width?: number;
  height?: number;
  /** Give the window the keyboard focus once mapped (default true). */
  focus?: boolean;
}

/**
 * A small X client for tests: maps a plain window, takes the keyboard focus
 * and records the key, button and motion events it gets. Key events also
 * carry a keysym, looked up plainly in the core keyboard mapping (re-read on
 * every MappingNotify, before later events are looked up): column 0/1 by
 * Shift, 2/3 when Mode_switch's modifier is on, 4/5 when ISO_Level3_Shift's
 * is, and Caps Lock upper-casing a lower-case column-0 letter (a rough
 * stand-in for Xlib, good enough to check which key and modifiers arrived).
 */
export class XEventLog {
  readonly events: LoggedEvent[] = [];
  private rows: number[][] = [];
  private modifiers: number[][] = [];
  private chain: Promise<void> = Promise.resolve();
  private waiters: Array<() => void> = [];

  private constructor(
    private readonly conn: X11Connection,
    readonly window: number,
  ) {}

  static async open(display: string, options: XEventLogOptions = {}): Promise<XEventLog> {
    const conn = await openX11(display, { shm: false });
    const { client, screen, root } = conn;
    const window = client.AllocID();
    const log = new XEventLog(conn, window);
    await log.loadMapping();
    client.on('event', (ev: XEvent) => {
      log.chain = log.chain.then(() => log.handle(ev)).catch(() => undefined);
    });
    client.CreateWindow(window, root, options.x ?? 0, options.y ?? 0, options.width ?? screen.pixel_width, options.height ?? screen.pixel_height, 0, 0, 1, 0, {
      backgroundPixel: screen.white_pixel,
      eventMask: EVENT_MASK,
    });
    client.MapWindow(window);
    await conn.sync();
    if (options.focus !== false) await log.focus();
    return log;
  }

  /** Give this window the keyboard focus (revert to PointerRoot). */
  async focus(): Promise<void> {
    this.conn.client.SetInputFocus(this.window, 1);
    await this.conn.sync();
  }

  /** Forget what was recorded so far. */
  clear(): void {
    this.events.length = 0;
  }

  /** Key events only, as compact tuples for assertions: [type, keycode, state, keysym]. */
  keys(): Array<[string, number, number, number | undefined]> {
    return this.events.filter((e) => e.type === 'KeyPress' || e.type === 'KeyRelease').map((e) => [e.type, e.detail, e.state, e.keysym]);
  }

  /** Keysyms of the key presses, in order. */
  pressedKeysyms(): number[] {
    return this.events.filter((e) => e.type === 'KeyPress').map((e) => e.keysym ?? 0);
  }

  /** Wait (bounded) until `count` events matching `pred` have been recorded. */
  async waitFor(pred: (e: LoggedEvent) => boolean, count = 1, timeoutMs = 5000): Promise<LoggedEvent[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hits = this.events.filter(pred);
      if (hits.length >= count) return hits;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${count} event(s); have ${hits.length} of ${this.events.length}: ${JSON.stringify(this.events.slice(-10))}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(done, Math.min(left, 200));
        function done(): void {
          clearTimeout(t);
          resolve();
        }
        this.waiters.push(done);
      });
    }
  }

  /** Round trip on the logger's own connection, then let events queued so far be handled. */
  async settle(): Promise<void> {
    await this.conn.sync();
    await this.chain;
  }

  async close(): Promise<void> {
    try {
      this.conn.client.DestroyWindow(this.window);
      await this.conn.sync();
    } catch {
      /* closing anyway */
    }
    await this.conn.close();
  }

  private async handle(ev: XEvent): Promise<void> {
    if (ev.name === 'MappingNotify') {
      const m = ev as MappingNotifyEvent;
      if (m.request === 0 || m.request === 1) await this.loadMapping();
      return;
    }
    if (!ev.name || !EVENT_NAMES.has(ev.name)) return;
    const e = ev as KeyButtonEvent;
    const type = ev.name as LoggedEvent['type'];
    const logged: LoggedEvent = { type, detail: e.keycode, state: e.buttons, x: e.x, y: e.y, rootX: e.rootx, rootY: e.rooty };
    if (type === 'KeyPress' || type === 'KeyRelease') logged.keysym = this.resolve(e.keycode, e.buttons);
    this.events.push(logged);
    for (const w of this.waiters.splice(0)) w();
  }

  private async loadMapping(): Promise<void> {
    const { client, display } = this.conn;
    const min = display.min_keycode;
    const [rows, modifiers] = await Promise.all([
      this.conn.request<number[][]>((cb) => client.GetKeyboardMapping(min, display.max_keycode - min + 1, cb)),
      this.conn.request<number[][]>((cb) => client.GetModifierMapping(cb)),
    ]);
    this.rows = rows;
    this.modifiers = modifiers;
  }

  /** The modifier bit of the first key whose first keysym is `keysym`, or 0. */
  private modBit(keysym: number): number {
    const min = this.conn.display.min_keycode;
    for (let m = 0; m < 8; m++) {
      for (const kc of this.modifiers[m] ?? []) if (kc && this.rows[kc - min]?.[0] === keysym) return 1 << m;
    }
    return 0;
  }

  /** The keysym of `keycode` in `state` (see the class comment). */
  resolve(keycode: number, state: number): number {
    const row = this.rows[keycode - this.conn.display.min_keycode] ?? [];
    const shift = (state & 1) !== 0;
    const lock = (state & 2) !== 0;
    const level3Bit = this.modBit(XK_ISO_Level3_Shift);
    const groupBit = this.modBit(XK_Mode_switch);
    let base = 0;
    if (level3Bit && state & level3Bit && (row[4] || row[5])) base = 4;
    else if (groupBit && state & groupBit && (row[2] || row[3]) && !(level3Bit === groupBit)) base = 2;
    const lo = row[base] ?? 0;
    const hi = row[base + 1] ?? 0;
    if (!hi) return lo;
    // an ASCII/Latin-1 letter pair: Lock flips the level like Shift
    const letter = lo !== hi && String.fromCharCode(lo).toUpperCase() === String.fromCharCode(hi) && lo < 0x100 && hi < 0x100;
    const upper = letter ? shift !== lock : shift;
    return upper ? hi : lo;
  }
}

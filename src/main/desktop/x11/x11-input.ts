import type { Logger } from 'pino';
import type { MappingNotifyEvent, QueryPointerReply, XEvent } from 'x11';
import { getLogger } from '../../base/logger.js';
import type { InputSink } from '../input.js';
import { Keymap, XK } from './keymap.js';
import { SpareKeycodes } from './spare-keycodes.js';
import { openX11, X11Error, type X11Connection } from './x11-connection.js';
import { keycodeForXtScancode } from './xt-scancodes.js';
import { XTestEvents, type X11InputStats } from './xtest-events.js';
import { XTestKeyboard } from './xtest-keyboard.js';
import { XTestPointer } from './xtest-pointer.js';

export type { X11InputStats } from './xtest-events.js';

export interface X11InputOptions {
  /** X display, e.g. ":99" (default: $DISPLAY, else ":0"). */
  display?: string;
  /** Bound on connecting (default 5000 ms). */
  connectTimeoutMs?: number;
  /**
   * How long a spare keycode keeps a borrowed keysym after its key went up
   * before its empty mapping is put back (default 200 ms). Applications look
   * the keysym up when they process the key event, which may be a little
   * later than the server sent it, so the mapping must outlive the event.
   */
  spareHoldMs?: number;
  /** How many spare (empty) keycodes to rotate among (default 8). */
  spareCount?: number;
}

const MAPPING_MODIFIER = 0;
const MAPPING_KEYBOARD = 1;

/**
 * Keyboard and pointer input into an X display through XTEST.
 *
 * Keysyms are typed with the key the server's keyboard mapping gives them,
 * with Shift, AltGr (ISO_Level3_Shift) or Mode_switch pressed or released
 * around the key as the keysym needs, given what the client holds (and Caps
 * Lock / NumLock as far as we know them). A keysym no key produces is put
 * on a spare keycode (one without keysyms) for the moment: mapped with
 * ChangeKeyboardMapping, pressed, and given its empty mapping back a little
 * after its release. Modifier keysyms press their own keys. (XTestKeyboard,
 * SpareKeycodes.) QEMU scancodes press the key at that place on an evdev
 * keyboard, else go the keysym way (xt-scancodes.ts). The pointer:
 * XTestPointer.
 *
 * Requests are pipelined: an event costs no round trip; only a keyboard
 * mapping changed by someone else (MappingNotify) is fetched again, before
 * the next key. Events run one at a time, in call order.
 */
export class X11Input implements InputSink {
  readonly name = 'x11';
  readonly displayName: string;
  private readonly options: X11InputOptions;
  private readonly log: Logger;
  private conn: X11Connection | null = null;
  private readonly events: XTestEvents;
  private keymap: Keymap | null = null;
  private stale = false;
  private evdev = false;
  private readonly spares: SpareKeycodes;
  private readonly keyboard: XTestKeyboard;
  private readonly mouse: XTestPointer;
  /** scancode → keycode pressed (−1: it went the keysym way). */
  private readonly pressedScancodes = new Map<number, number>();
  private tail: Promise<void> = Promise.resolve();
  private stopped = false;
  private readonly counters: X11InputStats = { fakeEvents: 0, remaps: 0, restores: 0, refreshes: 0, ignored: 0 };

  constructor(options: X11InputOptions = {}) {
    this.options = options;
    this.displayName = options.display ?? process.env['DISPLAY'] ?? ':0';
    this.log = getLogger('x11-input');
    this.events = new XTestEvents(this.counters);
    this.spares = new SpareKeycodes(
      {
        conn: () => this.conn,
        live: () => this.live(),
        keymap: () => this.keymap!,
        isHeld: (keycode) => this.keyboard.isHeld(keycode),
        heldState: () => this.keyboard.heldState(),
        enqueue: (job) => this.enqueue(job),
        stopped: () => this.stopped,
        counters: this.counters,
        log: this.log,
      },
      Math.max(0, options.spareHoldMs ?? 200),
      Math.max(0, options.spareCount ?? 8),
    );
    this.keyboard = new XTestKeyboard(this.events, () => this.keymap, this.spares, this.counters, this.log);
    this.mouse = new XTestPointer(this.events, this.log);
  }

  get stats(): Readonly<X11InputStats> {
    return { ...this.counters };
  }

  /** The spare keycodes in rotation (for tests and diagnostics). */
  get spareKeycodes(): readonly number[] {
    return this.spares.keycodes;
  }

  async start(): Promise<void> {
    if (this.conn) throw new Error('X11Input already started');
    this.stopped = false;
    const conn = await openX11(this.displayName, {
      shm: false,
      ...(this.options.connectTimeoutMs !== undefined ? { timeoutMs: this.options.connectTimeoutMs } : {}),
    });
    this.conn = conn;
    try {
      const xtest = await conn.extension('xtest');
      if (!xtest) throw new X11Error(`X display ${this.displayName} has no XTEST extension (needed to inject input)`);
      this.events.attach(xtest, conn.root);
      conn.onError((err) => this.log.debug({ err }, 'X error from an input request'));
      conn.client.on('event', this.onEvent);
      const [pointer, buttonMap] = await Promise.all([
        conn.request<QueryPointerReply>((cb) => conn.client.QueryPointer(conn.root, cb)),
        conn.request<number[]>((cb) => conn.client.GetPointerMapping(cb)),
        this.loadKeymap(),
      ]);
      this.mouse.followServer(pointer.rootX, pointer.rootY, buttonMap.length);
      this.keyboard.followServerLocks(pointer.keyMask);
      this.log.debug(
        {
          spares: this.spareKeycodes,
          evdev: this.evdev,
          buttons: this.mouse.buttonCount,
          capsLock: this.keyboard.capsLock.on,
          numLock: this.keyboard.numLock.on,
        },
        'X11 input ready',
      );
    } catch (err) {
      await this.teardown();
      throw err;
    }
  }

  key(keysym: number, down: boolean): Promise<void> {
    return this.enqueue(() => this.doKey(keysym >>> 0, down));
  }

  scancode(scancode: number, keysym: number, down: boolean): Promise<void> {
    return this.enqueue(() => this.doScancode(scancode >>> 0, keysym >>> 0, down));
  }

  pointer(x: number, y: number, buttons: number): Promise<void> {
    return this.enqueue(() => {
      this.live();
      this.mouse.event(x, y, buttons);
    });
  }

  /** Resolves once every event so far has been processed by the server (one round trip). */
  async flush(): Promise<void> {
    await this.enqueue(async () => {
      await this.live().sync();
    });
  }

  /** Give every borrowed spare keycode its empty mapping back now (keys still down keep theirs). */
  async restoreSpares(): Promise<void> {
    await this.enqueue(async () => {
      this.spares.restoreAll();
      await this.live().sync();
    });
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.tail.catch(() => undefined);
    const conn = this.conn;
    if (conn && !conn.closed) {
      try {
        // let go of whatever is still down, then put the spares back
        this.keyboard.releaseAll();
        this.mouse.releaseAll();
        this.spares.restoreAll();
        await conn.sync();
      } catch (err) {
        this.log.debug({ err }, 'cleaning up X input state failed');
      }
    }
    await this.teardown();
  }

  // ---- the queue ----

  private enqueue(job: () => Promise<void> | void): Promise<void> {
    const run = this.tail.then(job);
    this.tail = run.catch(() => undefined);
    return run;
  }

  private live(): X11Connection {
    const conn = this.conn;
    if (!conn || !this.events.attached) throw new X11Error('X11 input is not started');
    if (conn.closed) throw new X11Error(`X connection to ${this.displayName} is closed`);
    return conn;
  }

  // ---- keys ----

  private async doKey(keysym: number, down: boolean): Promise<void> {
    this.live();
    if (this.stale) await this.refresh();
    await this.keyboard.key(keysym, down);
  }

  /** A QEMU key event: the key at the scancode's place when the server's keycodes tell it, else the keysym. */
  private async doScancode(scancode: number, keysym: number, down: boolean): Promise<void> {
    this.live();
    if (this.stale) await this.refresh();
    if (!down) {
      const kc = this.pressedScancodes.get(scancode);
      this.pressedScancodes.delete(scancode);
      if (kc === undefined) {
        const direct = this.keycodeForScancode(scancode);
        if (direct && this.keyboard.isHeld(direct)) this.keyboard.rawKey(direct, false);
        else await this.doKey(keysym, false);
      } else if (kc < 0) await this.doKey(keysym, false);
      else this.keyboard.rawKey(kc, false);
      return;
    }
    const kc = this.keycodeForScancode(scancode);
    if (!kc) {
      this.pressedScancodes.set(scancode, -1);
      await this.doKey(keysym, true);
      return;
    }
    this.pressedScancodes.set(scancode, kc);
    this.keyboard.rawKey(kc, true);
  }

  private keycodeForScancode(scancode: number): number {
    return keycodeForXtScancode(scancode, this.keymap!, this.evdev, (kc) => this.spares.has(kc));
  }

  // ---- the keyboard mapping ----

  private readonly onEvent = (ev: XEvent): void => {
    if (ev.name !== 'MappingNotify') return;
    const m = ev as MappingNotifyEvent;
    if (m.request === MAPPING_KEYBOARD) {
      if (!this.spares.isOwnChange(m.firstKeyCode, m.count)) this.stale = true;
    } else if (m.request === MAPPING_MODIFIER) {
      this.stale = true;
    }
  };

  /** Fetch the keyboard and modifier mappings (one round trip). */
  private async loadKeymap(): Promise<void> {
    const conn = this.conn!;
    const { min_keycode: min, max_keycode: max } = conn.display;
    this.stale = false;
    const [rows, modifiers] = await Promise.all([
      conn.request<number[][]>((cb) => conn.client.GetKeyboardMapping(min, max - min + 1, cb)),
      conn.request<number[][]>((cb) => conn.client.GetModifierMapping(cb)),
    ]);
    const keymap = new Keymap(min, rows, modifiers);
    this.keymap = keymap;
    // evdev keycodes are Linux input codes + 8: Up is 111, Left 113
    this.evdev = keymap.row(111).includes(XK.Up) || keymap.row(113).includes(XK.Left);
    this.spares.adopt(keymap);
  }

  private async refresh(): Promise<void> {
    this.counters.refreshes++;
    await this.loadKeymap();
    this.log.debug('keyboard mapping reloaded');
  }

  private async teardown(): Promise<void> {
    this.spares.clearTimers();
    const conn = this.conn;
    if (conn) conn.client.removeListener('event', this.onEvent);
    this.conn = null;
    this.events.detach();
    this.keymap = null;
    this.keyboard.forget();
    this.pressedScancodes.clear();
    if (conn) await conn.close();
  }
}

import type { Logger } from 'pino';
import type { MappingNotifyEvent, QueryPointerReply, XEvent, XTestExt } from 'x11';
import { getLogger } from '../../base/logger.js';
import type { InputSink } from '../input.js';
import { canonicalKeysym, keysymName } from '../keysym-unicode.js';
import { EVDEV_KEYCODE_OFFSET, isModifierKeysym, Keymap, type KeyPlan, type ModState, NoSymbol, XK, xtScancodeToLinux } from './keymap.js';
import { openX11, X11Error, type X11Connection } from './x11-connection.js';

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

/** Counters, for tests and diagnostics. */
export interface X11InputStats {
  /** XTEST events sent (keys, buttons and motion, fakes included). */
  fakeEvents: number;
  /** Spare keycodes mapped to a keysym. */
  remaps: number;
  /** Spare keycodes given their empty mapping back. */
  restores: number;
  /** Keyboard mappings fetched after someone else changed them. */
  refreshes: number;
  /** Keysyms that nothing could type (dropped). */
  ignored: number;
}

interface Spare {
  keycode: number;
  /** The row before we borrowed it (all NoSymbol). */
  original: number[];
  /** The row we gave it, or null while it has its original one. */
  mapped: number[] | null;
  /** When its key last went up (ms, performance.now()). */
  releasedAt: number;
  timer: NodeJS.Timeout | null;
}

const XTEST = { KeyPress: 2, KeyRelease: 3, ButtonPress: 4, ButtonRelease: 5, MotionNotify: 6 } as const;
const MAPPING_MODIFIER = 0;
const MAPPING_KEYBOARD = 1;
/** Pointer buttons RFB's mask can carry: bits 0–6 → buttons 1–7, bits 7–8 → 8 (back) and 9 (forward). */
const MASK_BUTTONS = 9;
const LOCK_MASK = 1 << 1;
/** KEYSYM values have their top three bits clear. */
const MAX_KEYSYM = 0x1fffffff;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function clamp16(v: number): number {
  const n = Math.round(Number.isFinite(v) ? v : 0);
  return n < -32768 ? -32768 : n > 32767 ? 32767 : n;
}

/**
 * Keyboard and pointer input into an X display through XTEST.
 *
 * Keysyms are typed with the key the server's keyboard mapping gives them,
 * with Shift, AltGr (ISO_Level3_Shift) or Mode_switch pressed or released
 * around the key as the keysym needs, given what the client holds (and Caps
 * Lock / NumLock as far as we know them). A keysym no key produces is put
 * on a spare keycode (one without keysyms) for the moment: mapped with
 * ChangeKeyboardMapping, pressed, and given its empty mapping back a little
 * after its release. Modifier keysyms press their own keys.
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
  private readonly spareHoldMs: number;
  private conn: X11Connection | null = null;
  private xtest: XTestExt | null = null;
  private keymap: Keymap | null = null;
  private stale = false;
  private evdev = false;
  private buttonCount = MASK_BUTTONS;
  private spares: Spare[] = [];
  /** Keycodes down because of us (fakes excluded), with how many presses. */
  private readonly held = new Map<number, number>();
  /** keysym → keycode it was pressed with, so its release lets go of the same key. */
  private readonly pressedKeysyms = new Map<number, number>();
  /** scancode → keycode pressed (−1: it went the keysym way). */
  private readonly pressedScancodes = new Map<number, number>();
  /** Our idea of the locks (from the server at start, then from the lock keys we press). */
  private lockOn = false;
  private numLockOn = false;
  private lockReleaseClears = false;
  private numLockReleaseClears = false;
  /** ChangeKeyboardMapping requests of ours whose MappingNotify has not come back, per keycode. */
  private readonly ownChanges = new Map<number, number>();
  private buttons = 0;
  private lastX = Number.NaN;
  private lastY = Number.NaN;
  private tail: Promise<void> = Promise.resolve();
  private stopped = false;
  private readonly counters: X11InputStats = { fakeEvents: 0, remaps: 0, restores: 0, refreshes: 0, ignored: 0 };

  constructor(options: X11InputOptions = {}) {
    this.options = options;
    this.displayName = options.display ?? process.env['DISPLAY'] ?? ':0';
    this.spareHoldMs = Math.max(0, options.spareHoldMs ?? 200);
    this.log = getLogger('x11-input');
  }

  get stats(): Readonly<X11InputStats> {
    return { ...this.counters };
  }

  /** The spare keycodes in rotation (for tests and diagnostics). */
  get spareKeycodes(): readonly number[] {
    return this.spares.map((s) => s.keycode);
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
      this.xtest = xtest;
      conn.onError((err) => this.log.debug({ err }, 'X error from an input request'));
      conn.client.on('event', this.onEvent);
      const [pointer, buttonMap] = await Promise.all([
        conn.request<QueryPointerReply>((cb) => conn.client.QueryPointer(conn.root, cb)),
        conn.request<number[]>((cb) => conn.client.GetPointerMapping(cb)),
        this.loadKeymap(),
      ]);
      this.buttonCount = buttonMap.length;
      const keymap = this.keymap!;
      this.lockOn = (pointer.keyMask & LOCK_MASK) !== 0;
      this.numLockOn = (pointer.keyMask & keymap.numLockMask) !== 0;
      this.lastX = pointer.rootX;
      this.lastY = pointer.rootY;
      this.log.debug(
        { spares: this.spareKeycodes, evdev: this.evdev, buttons: this.buttonCount, capsLock: this.lockOn, numLock: this.numLockOn },
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
    return this.enqueue(() => this.doPointer(x, y, buttons));
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
      for (const s of this.spares) this.restoreSpare(s, true);
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
        for (const kc of [...this.held.keys()]) this.rawKey(kc, false);
        for (let b = 1; b <= MASK_BUTTONS; b++) if (this.buttons & (1 << (b - 1))) this.fakeButton(b, false);
        this.buttons = 0;
        for (const s of this.spares) this.restoreSpare(s, true);
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
    if (!conn || !this.xtest) throw new X11Error('X11 input is not started');
    if (conn.closed) throw new X11Error(`X connection to ${this.displayName} is closed`);
    return conn;
  }

  // ---- keyboard ----

  private async doKey(keysym: number, down: boolean): Promise<void> {
    this.live();
    if (this.stale) await this.refresh();
    if (keysym === NoSymbol || keysym === XK.VoidSymbol) return;
    if (keysym > MAX_KEYSYM) {
      if (down) {
        this.counters.ignored++;
        this.log.debug({ code: keysym }, 'not a keysym (top bits set); ignored');
      }
      return;
    }
    if (!down) {
      this.releaseKeysym(keysym);
      return;
    }
    const keymap = this.keymap!;
    const held = this.heldState();
    let plan: KeyPlan | null = null;
    if (isModifierKeysym(keysym)) {
      const kc = keymap.modifierKey(canonicalKeysym(keysym));
      if (kc) plan = { keycode: kc, shift: held.shift, level3: held.level3, group2: held.group2, toggleLock: false, toggleNumLock: false, cost: 0 };
    }
    const repeatOf = this.pressedKeysyms.get(keysym);
    if (!plan && repeatOf !== undefined) {
      // auto-repeat: the same key again
      const again = keymap.plan(keysym, held, { onlyKeycode: repeatOf });
      if (again) plan = again;
    }
    if (!plan && keysym === XK.Tab && held.shift) {
      // Shift+Tab is ISO_Left_Tab on X; RFB clients send Tab with Shift held
      const left = keymap.plan(XK.ISO_Left_Tab, held);
      if (left && left.cost === 0) plan = left;
    }
    plan ??= keymap.plan(keysym, held);
    if (!plan || plan.cost >= 3) {
      // no key (or only an awkward lock dance) types it: borrow a spare keycode
      const spare = await this.planOnSpare(keysym);
      if (spare && (!plan || spare.cost < plan.cost)) plan = spare;
      else if (spare) this.scheduleRestoreOf(spare.keycode); // mapped for nothing: give it back in time
    }
    if (!plan) {
      this.counters.ignored++;
      this.log.debug({ keysym: keysymName(keysym), code: keysym }, 'no key can type this keysym; ignored');
      return;
    }
    this.execute(plan);
    this.pressedKeysyms.set(keysym, plan.keycode);
  }

  private releaseKeysym(keysym: number): void {
    let kc = this.pressedKeysyms.get(keysym);
    if (kc !== undefined) {
      this.pressedKeysyms.delete(keysym);
    } else {
      // released under another keysym than it was pressed with (e.g. Shift changed in between)
      const keymap = this.keymap!;
      const target = canonicalKeysym(keysym);
      for (const [ks, code] of this.pressedKeysyms) {
        if (canonicalKeysym(ks) === target || keymap.row(code).includes(target)) {
          kc = code;
          this.pressedKeysyms.delete(ks);
          break;
        }
      }
      if (kc === undefined) {
        this.log.debug({ keysym: keysymName(keysym) }, 'release of a key that is not down; ignored');
        return;
      }
    }
    // another keysym may still hold the same key (pressed twice under two names)
    for (const code of this.pressedKeysyms.values()) if (code === kc) return;
    this.rawKey(kc, false);
  }

  private async doScancode(scancode: number, keysym: number, down: boolean): Promise<void> {
    this.live();
    if (this.stale) await this.refresh();
    if (!down) {
      const kc = this.pressedScancodes.get(scancode);
      this.pressedScancodes.delete(scancode);
      if (kc === undefined) {
        const direct = this.keycodeForScancode(scancode);
        if (direct && this.held.has(direct)) this.rawKey(direct, false);
        else await this.doKey(keysym, false);
      } else if (kc < 0) await this.doKey(keysym, false);
      else this.rawKey(kc, false);
      return;
    }
    const kc = this.keycodeForScancode(scancode);
    if (!kc) {
      this.pressedScancodes.set(scancode, -1);
      await this.doKey(keysym, true);
      return;
    }
    this.pressedScancodes.set(scancode, kc);
    this.rawKey(kc, true);
  }

  /** The X keycode of an XT scancode on an evdev keyboard, or 0 (unknown, or a key the map leaves empty). */
  private keycodeForScancode(scancode: number): number {
    const linux = xtScancodeToLinux(scancode);
    if (!linux) return 0;
    // non-evdev (xfree86) keycodes agree with evdev on the main block only
    if (!this.evdev && linux > 0x58) return 0;
    const kc = linux + EVDEV_KEYCODE_OFFSET;
    const keymap = this.keymap!;
    if (!keymap.has(kc) || keymap.isEmpty(kc) || this.spares.some((s) => s.keycode === kc)) return 0;
    return kc;
  }

  /** Modifier state for choosing a key: what is held down through us, and the locks. */
  private heldState(): ModState {
    const keymap = this.keymap!;
    const state: ModState = { shift: false, lock: this.lockOn, numLock: this.numLockOn, level3: false, group2: false };
    for (const kc of this.held.keys()) {
      const role = keymap.roleOf(kc);
      if (role === 'shift') state.shift = true;
      else if (role === 'level3') state.level3 = true;
      else if (role === 'group2') state.group2 = true;
    }
    return state;
  }

  /** Press plan.keycode with the modifiers the plan wants, putting the others back right after. */
  private execute(plan: KeyPlan): void {
    const keymap = this.keymap!;
    const held = this.heldState();
    if (plan.toggleNumLock) this.tap(keymap.numLockKey);
    if (plan.toggleLock) this.tap(keymap.capsLockKey);
    const undo: Array<[number, boolean]> = [];
    const wanted: Array<[boolean, boolean, 'shift' | 'level3' | 'group2', number]> = [
      [plan.shift, held.shift, 'shift', keymap.shiftKey],
      [plan.level3, held.level3, 'level3', keymap.level3Key],
      [plan.group2, held.group2, 'group2', keymap.modeSwitchKey],
    ];
    // let go of what must be up first, then press what must be down
    for (const [want, have, role] of wanted) {
      if (want || !have) continue;
      for (const kc of this.held.keys()) {
        if (keymap.roleOf(kc) !== role) continue;
        this.fakeKey(kc, false);
        undo.push([kc, true]);
      }
    }
    for (const [want, have, , key] of wanted) {
      if (!want || have) continue;
      this.fakeKey(key, true);
      undo.push([key, false]);
    }
    const spare = this.spares.find((s) => s.keycode === plan.keycode);
    if (spare?.timer) {
      clearTimeout(spare.timer);
      spare.timer = null;
    }
    this.rawKey(plan.keycode, true);
    for (let i = undo.length - 1; i >= 0; i--) this.fakeKey(undo[i]![0], undo[i]![1]);
    if (plan.toggleLock) this.tap(keymap.capsLockKey);
  }

  /** Map `keysym` onto a spare keycode and plan its press there; null when no spare is free. */
  private async planOnSpare(keysym: number): Promise<KeyPlan | null> {
    const free = this.spares.filter((s) => !this.held.has(s.keycode));
    if (free.length === 0) return null;
    // the longest-unused one, preferring one with its own mapping back already
    free.sort((a, b) => Number(a.mapped !== null) - Number(b.mapped !== null) || a.releasedAt - b.releasedAt);
    const spare = free[0]!;
    if (spare.mapped !== null) {
      // still lent to another keysym an application may be about to look up: give it its time
      const wait = spare.releasedAt + this.spareHoldMs - performance.now();
      if (wait > 0) await sleep(wait);
      if (this.held.has(spare.keycode) || this.conn?.closed) return null;
    }
    if (spare.timer) {
      clearTimeout(spare.timer);
      spare.timer = null;
    }
    const row = Keymap.spareRow(canonicalKeysym(keysym));
    this.changeRow(spare.keycode, row, true);
    spare.mapped = row;
    this.counters.remaps++;
    const keymap = this.keymap!;
    const plan = keymap.plan(keysym, this.heldState(), { onlyKeycode: spare.keycode });
    if (plan) return plan;
    // typed as well as it can be (say, Caps Lock on with no Caps Lock key to tap)
    const held = this.heldState();
    return { keycode: spare.keycode, shift: held.shift, level3: held.level3, group2: held.group2, toggleLock: false, toggleNumLock: false, cost: 10 };
  }

  private changeRow(keycode: number, row: number[], ours: boolean): void {
    const conn = this.live();
    conn.client.ChangeKeyboardMapping(keycode, row.length, row);
    this.ownChanges.set(keycode, (this.ownChanges.get(keycode) ?? 0) + 1);
    this.keymap!.setRow(keycode, row, ours);
  }

  private scheduleRestoreOf(keycode: number): void {
    const spare = this.spares.find((s) => s.keycode === keycode);
    if (spare && spare.mapped !== null && !this.held.has(keycode)) this.scheduleRestore(spare);
  }

  private scheduleRestore(spare: Spare, releasedAt = performance.now()): void {
    spare.releasedAt = releasedAt;
    if (spare.timer) clearTimeout(spare.timer);
    spare.timer = setTimeout(() => {
      spare.timer = null;
      if (this.stopped) return;
      void this.enqueue(() => this.restoreSpare(spare, false)).catch((err: unknown) => this.log.debug({ err }, 'restoring a spare keycode failed'));
    }, Math.max(1, releasedAt + this.spareHoldMs - performance.now()));
    spare.timer.unref?.();
  }

  private restoreSpare(spare: Spare, now: boolean): void {
    if (spare.timer) {
      clearTimeout(spare.timer);
      spare.timer = null;
    }
    if (spare.mapped === null || this.held.has(spare.keycode)) return;
    if (!now && performance.now() - spare.releasedAt < this.spareHoldMs - 1) {
      this.scheduleRestore(spare, spare.releasedAt); // woke early: wait out the rest
      return;
    }
    const conn = this.conn;
    if (!conn || conn.closed) return;
    this.changeRow(spare.keycode, spare.original, false);
    spare.mapped = null;
    this.counters.restores++;
  }

  // ---- pointer ----

  private doPointer(x: number, y: number, mask: number): void {
    this.live();
    const px = clamp16(x);
    const py = clamp16(y);
    const changed = (mask ^ this.buttons) & ((1 << MASK_BUTTONS) - 1);
    if (px !== this.lastX || py !== this.lastY || changed === 0) {
      this.xtest!.FakeInput(XTEST.MotionNotify, 0, 0, this.conn!.root, px, py);
      this.counters.fakeEvents++;
      this.lastX = px;
      this.lastY = py;
    }
    if (changed === 0) return;
    for (let bit = 0; bit < MASK_BUTTONS; bit++) {
      const b = 1 << bit;
      if (!(changed & b)) continue;
      const down = (mask & b) !== 0;
      if (bit + 1 > this.buttonCount) {
        this.log.debug({ button: bit + 1, buttons: this.buttonCount }, 'the X pointer has no such button; ignored');
      } else {
        this.fakeButton(bit + 1, down);
      }
      this.buttons = down ? this.buttons | b : this.buttons & ~b;
    }
  }

  private fakeButton(button: number, down: boolean): void {
    this.xtest!.FakeInput(down ? XTEST.ButtonPress : XTEST.ButtonRelease, button, 0, 0, 0, 0);
    this.counters.fakeEvents++;
  }

  // ---- raw keys ----

  /** A key the client (or we, for it) holds: tracked, locks followed, spares scheduled. */
  private rawKey(keycode: number, down: boolean): void {
    const n = this.held.get(keycode) ?? 0;
    if (down) this.held.set(keycode, n + 1);
    else if (n > 0) this.held.delete(keycode);
    this.fakeKey(keycode, down);
    if (!down) this.scheduleRestoreOf(keycode);
  }

  /** One XTEST key event, following the lock keys. */
  private fakeKey(keycode: number, down: boolean): void {
    if (!keycode) return;
    this.xtest!.FakeInput(down ? XTEST.KeyPress : XTEST.KeyRelease, keycode, 0, 0, 0, 0);
    this.counters.fakeEvents++;
    const role = this.keymap?.roleOf(keycode);
    // LockMods: a press locks at once; the release unlocks when it was locked before the press
    if (role === 'lock') {
      if (down) {
        this.lockReleaseClears = this.lockOn;
        this.lockOn = true;
      } else if (this.lockReleaseClears) {
        this.lockOn = false;
        this.lockReleaseClears = false;
      }
    } else if (role === 'numlock') {
      if (down) {
        this.numLockReleaseClears = this.numLockOn;
        this.numLockOn = true;
      } else if (this.numLockReleaseClears) {
        this.numLockOn = false;
        this.numLockReleaseClears = false;
      }
    }
  }

  private tap(keycode: number): void {
    this.fakeKey(keycode, true);
    this.fakeKey(keycode, false);
  }

  // ---- the keyboard mapping ----

  private readonly onEvent = (ev: XEvent): void => {
    if (ev.name !== 'MappingNotify') return;
    const m = ev as MappingNotifyEvent;
    if (m.request === MAPPING_KEYBOARD) {
      const own = this.ownChanges.get(m.firstKeyCode) ?? 0;
      if (m.count === 1 && own > 0) {
        if (own === 1) this.ownChanges.delete(m.firstKeyCode);
        else this.ownChanges.set(m.firstKeyCode, own - 1);
        return;
      }
      this.stale = true;
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
    this.evdev = keymap.row(111).includes(XK.Up) || keymap.row(113).includes(XK.Left);
    // our spares: keep those still ours (mapped as we left them, or empty again), then top up
    const kept: Spare[] = [];
    for (const s of this.spares) {
      const row = keymap.row(s.keycode);
      if (s.mapped && row[0] === s.mapped[0] && row[1] === s.mapped[1]) {
        keymap.setRow(s.keycode, s.mapped, true);
        kept.push(s);
      } else if (keymap.isEmpty(s.keycode)) {
        s.mapped = null;
        kept.push(s);
      } else if (s.timer) {
        clearTimeout(s.timer);
      }
    }
    const want = Math.max(0, this.options.spareCount ?? 8);
    const empty = keymap.emptyKeycodes().filter((kc) => !kept.some((s) => s.keycode === kc) && !this.held.has(kc));
    while (kept.length < want && empty.length > 0) {
      const kc = empty.pop()!; // from the top: keycodes no real keyboard sends
      kept.push({ keycode: kc, original: new Array<number>(keymap.keysymsPerKeycode).fill(NoSymbol), mapped: null, releasedAt: 0, timer: null });
    }
    this.spares = kept;
  }

  private async refresh(): Promise<void> {
    this.counters.refreshes++;
    await this.loadKeymap();
    this.log.debug('keyboard mapping reloaded');
  }

  private async teardown(): Promise<void> {
    for (const s of this.spares) if (s.timer) clearTimeout(s.timer);
    const conn = this.conn;
    if (conn) conn.client.removeListener('event', this.onEvent);
    this.conn = null;
    this.xtest = null;
    this.keymap = null;
    this.held.clear();
    this.pressedKeysyms.clear();
    this.pressedScancodes.clear();
    if (conn) await conn.close();
  }
}

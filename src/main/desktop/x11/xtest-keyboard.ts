import type { Logger } from 'pino';
import { canonicalKeysym, keysymName } from '../keysym-unicode.js';
import { isModifierKeysym, type Keymap, type KeyPlan, type ModState, NoSymbol, XK } from './keymap.js';
import type { SpareKeycodes } from './spare-keycodes.js';
import type { X11InputStats, XTestEvents } from './xtest-events.js';

const LOCK_MASK = 1 << 1;
/** KEYSYM values have their top three bits clear. */
const MAX_KEYSYM = 0x1fffffff;

/**
 * Caps Lock or NumLock as far as we can tell: XKB's LockMods action locks on
 * the press and, when it was locked before the press, unlocks on the release.
 */
class LockFollower {
  on = false;
  private releaseClears = false;

  press(): void {
    this.releaseClears = this.on;
    this.on = true;
  }

  release(): void {
    if (!this.releaseClears) return;
    this.on = false;
    this.releaseClears = false;
  }
}

/**
 * Keysyms typed with XTEST: each with the key the server's keyboard mapping
 * gives it, with Shift, AltGr (ISO_Level3_Shift) or Mode_switch pressed or
 * released around the key as the keysym needs, given what the client holds
 * (and Caps Lock / NumLock as far as we know them). A keysym no key types
 * well goes on a spare keycode. Modifier keysyms press their own keys.
 *
 * Keeps what is down through us: the keys (so a release lets go of the key
 * the press used, and nothing stays down at the end) and the locks.
 */
export class XTestKeyboard {
  /** Keycodes down because of us (fakes excluded), with how many presses. */
  private readonly held = new Map<number, number>();
  /** keysym → keycode it was pressed with, so its release lets go of the same key. */
  private readonly pressedKeysyms = new Map<number, number>();
  /** Our idea of the locks (from the server at start, then from the lock keys we press). */
  readonly capsLock = new LockFollower();
  readonly numLock = new LockFollower();

  constructor(
    private readonly events: XTestEvents,
    /** The server's keyboard mapping as last loaded (null before start). */
    private readonly keymap: () => Keymap | null,
    private readonly spares: SpareKeycodes,
    private readonly counters: X11InputStats,
    private readonly log: Logger,
  ) {}

  isHeld(keycode: number): boolean {
    return this.held.has(keycode);
  }

  /** Take the lock states from the server's modifier state (`keyMask` of QueryPointer). */
  followServerLocks(keyMask: number): void {
    this.capsLock.on = (keyMask & LOCK_MASK) !== 0;
    this.numLock.on = (keyMask & this.keymap()!.numLockMask) !== 0;
  }

  async key(keysym: number, down: boolean): Promise<void> {
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
    const keymap = this.keymap()!;
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
      const spare = await this.spares.plan(keysym);
      if (spare && (!plan || spare.cost < plan.cost)) plan = spare;
      else if (spare) this.spares.scheduleRestoreOf(spare.keycode); // mapped for nothing: give it back in time
    }
    if (!plan) {
      this.counters.ignored++;
      this.log.debug({ keysym: keysymName(keysym), code: keysym }, 'no key can type this keysym; ignored');
      return;
    }
    this.execute(plan);
    this.pressedKeysyms.set(keysym, plan.keycode);
  }

  /** A key the client (or we, for it) holds: tracked, locks followed, spares scheduled. */
  rawKey(keycode: number, down: boolean): void {
    const n = this.held.get(keycode) ?? 0;
    if (down) this.held.set(keycode, n + 1);
    else if (n > 0) this.held.delete(keycode);
    this.fakeKey(keycode, down);
    if (!down) this.spares.scheduleRestoreOf(keycode);
  }

  /** Modifier state for choosing a key: what is held down through us, and the locks. */
  heldState(): ModState {
    const keymap = this.keymap()!;
    const state: ModState = { shift: false, lock: this.capsLock.on, numLock: this.numLock.on, level3: false, group2: false };
    for (const kc of this.held.keys()) {
      const role = keymap.roleOf(kc);
      if (role === 'shift') state.shift = true;
      else if (role === 'level3') state.level3 = true;
      else if (role === 'group2') state.group2 = true;
    }
    return state;
  }

  /** Let go of every key still down through us. */
  releaseAll(): void {
    for (const kc of [...this.held.keys()]) this.rawKey(kc, false);
  }

  /** Forget what is down (the connection is gone). */
  forget(): void {
    this.held.clear();
    this.pressedKeysyms.clear();
  }

  private releaseKeysym(keysym: number): void {
    let kc = this.pressedKeysyms.get(keysym);
    if (kc !== undefined) {
      this.pressedKeysyms.delete(keysym);
    } else {
      // released under another keysym than it was pressed with (e.g. Shift changed in between)
      const keymap = this.keymap()!;
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

  /** Press plan.keycode with the modifiers the plan wants, putting the others back right after. */
  private execute(plan: KeyPlan): void {
    const keymap = this.keymap()!;
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
    this.spares.keepMapped(plan.keycode);
    this.rawKey(plan.keycode, true);
    for (let i = undo.length - 1; i >= 0; i--) this.fakeKey(undo[i]![0], undo[i]![1]);
    if (plan.toggleLock) this.tap(keymap.capsLockKey);
  }

  /** One XTEST key event, following the lock keys. */
  private fakeKey(keycode: number, down: boolean): void {
    if (!keycode) return;
    this.events.key(keycode, down);
    const role = this.keymap()?.roleOf(keycode);
    const lock = role === 'lock' ? this.capsLock : role === 'numlock' ? this.numLock : null;
    if (lock) {
      if (down) lock.press();
      else lock.release();
    }
  }

  private tap(keycode: number): void {
    this.fakeKey(keycode, true);
    this.fakeKey(keycode, false);
  }
}

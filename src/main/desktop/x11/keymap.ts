import { canonicalKeysym, keysymCasePair, keysymVariants, upperKeysym, UNICODE_KEYSYM_BASE } from '../keysym-unicode.js';

/**
 * A model of the X server's keyboard: the core keyboard mapping (keysyms per
 * keycode), the modifier mapping, and which keysym a key press yields under
 * a given modifier state — enough to decide which key to press, and which
 * modifiers to press or release around it, to type a keysym.
 *
 * Columns of the core mapping as an XKB server presents it: 0/1 group 1
 * levels 1/2 (plain, Shift), 2/3 group 2 (reached with Mode_switch), 4/5
 * group 1 levels 3/4 (ISO_Level3_Shift, "AltGr"). Key types are inferred
 * from the symbols the way XKB does: a lower/upper-case pair is ALPHABETIC
 * (Caps Lock flips the level, Shift+Lock gives the lower case), keypad keys
 * are KEYPAD (NumLock without Shift gives level 2, Shift does nothing), the
 * rest TWO_LEVEL/ONE_LEVEL, where a Lock the type does not consume makes the
 * client upper-case the keysym (legacy keysyms only: Xlib leaves Unicode
 * keysyms alone).
 */

export const NoSymbol = 0;

export const XK = {
  BackSpace: 0xff08,
  Tab: 0xff09,
  Return: 0xff0d,
  Escape: 0xff1b,
  Delete: 0xffff,
  Up: 0xff52,
  Left: 0xff51,
  ISO_Left_Tab: 0xfe20,
  ISO_Level3_Shift: 0xfe03,
  Mode_switch: 0xff7e,
  Num_Lock: 0xff7f,
  Shift_L: 0xffe1,
  Shift_R: 0xffe2,
  Control_L: 0xffe3,
  Caps_Lock: 0xffe5,
  Shift_Lock: 0xffe6,
  Alt_L: 0xffe9,
  VoidSymbol: 0xffffff,
} as const;

/** Modifier rows of the core modifier mapping. */
export const ModIndex = { Shift: 0, Lock: 1, Control: 2, Mod1: 3, Mod2: 4, Mod3: 5, Mod4: 6, Mod5: 7 } as const;

/** Keysyms that are modifiers or lock keys: pressed as they are, never with other modifiers faked around them. */
export function isModifierKeysym(ks: number): boolean {
  return (
    (ks >= 0xffe1 && ks <= 0xffee) || // Shift_L … Hyper_R
    ks === XK.Mode_switch ||
    ks === XK.Num_Lock ||
    (ks >= 0xfe01 && ks <= 0xfe13) // ISO_Lock, ISO_Level2/3/5 shifts and latches, group shifts and locks
  );
}

export function isKeypadKeysym(ks: number): boolean {
  return ks >= 0xff80 && ks <= 0xffbd;
}

/** Keysym sets whose case pairs the X server itself knows (XKB's core-symbols → key-type guess). */
function serverKnowsCase(ks: number): boolean {
  if (ks >= UNICODE_KEYSYM_BASE) return false;
  const set = ks >> 8;
  return set === 0 || set === 1 || set === 2 || set === 3 || set === 6 || set === 7 || set === 0x13;
}

/**
 * What a client makes of a keysym when Lock is on but the key type did not
 * use it: Xlib upper-cases legacy keysyms, but leaves Unicode keysyms
 * (0x1000000 + code point) as they are.
 */
function lockUpper(ks: number): number {
  return ks >= UNICODE_KEYSYM_BASE ? ks : upperKeysym(ks);
}

/** The state a key is pressed in, as far as choosing its symbol goes. */
export interface ModState {
  shift: boolean;
  lock: boolean;
  numLock: boolean;
  level3: boolean;
  group2: boolean;
}

/** How to type one keysym: the key, and the modifiers it must be pressed with. */
export interface KeyPlan {
  keycode: number;
  /** Wanted state of these modifiers during the press (compare with what is held). */
  shift: boolean;
  level3: boolean;
  group2: boolean;
  /** Tap Caps Lock before and after the press (a lower-case letter Lock would upper-case). */
  toggleLock: boolean;
  /** Tap NumLock before the press and leave it (keypad keys: follow the client's NumLock). */
  toggleNumLock: boolean;
  cost: number;
}

export class Keymap {
  readonly minKeycode: number;
  readonly maxKeycode: number;
  /** keysyms of each keycode, index keycode − minKeycode */
  private rows: number[][];
  /** keycodes in each of the 8 modifier rows (zeros dropped) */
  private modifiers: number[][];
  /** keysym (as listed, and upper-cased) → keycodes whose row has it */
  private readonly index = new Map<number, Set<number>>();
  /** Keycodes whose rows we wrote ourselves: their key types follow the server's guess. */
  private readonly serverTyped = new Set<number>();
  /** The keys pressed to fake modifiers (0: none); modifier keys never change with setRow. */
  readonly shiftKey: number;
  readonly capsLockKey: number;
  readonly numLockKey: number;
  readonly level3Key: number;
  readonly modeSwitchKey: number;

  constructor(minKeycode: number, rows: number[][], modifiers: number[][]) {
    this.minKeycode = minKeycode;
    this.maxKeycode = minKeycode + rows.length - 1;
    this.rows = rows.map((r) => r.slice());
    this.modifiers = modifiers.map((r) => r.filter((kc) => kc !== 0));
    this.keysymsPerKeycode = Math.max(1, ...this.rows.map((r) => r.length));
    for (let kc = this.minKeycode; kc <= this.maxKeycode; kc++) this.indexRow(kc, true);
    const shiftRow = this.modifierKeycodes(ModIndex.Shift);
    this.shiftKey = shiftRow.find((kc) => this.row(kc)[0] === XK.Shift_L) ?? shiftRow.find((kc) => this.row(kc)[0] === XK.Shift_R) ?? shiftRow[0] ?? 0;
    this.capsLockKey = this.modifierKeycodes(ModIndex.Lock).find((kc) => this.row(kc)[0] === XK.Caps_Lock) ?? 0;
    const mapped = (ks: number): number => this.keycodesWithBase(ks).find((kc) => this.modifierOf(kc) >= 0) ?? 0;
    this.numLockKey = mapped(XK.Num_Lock);
    this.level3Key = mapped(XK.ISO_Level3_Shift);
    this.modeSwitchKey = mapped(XK.Mode_switch);
  }

  /** Keysyms per keycode, as the server reported the mapping. */
  readonly keysymsPerKeycode: number;

  has(keycode: number): boolean {
    return keycode >= this.minKeycode && keycode <= this.maxKeycode;
  }

  /** The keysyms of a keycode (empty outside the range). */
  row(keycode: number): readonly number[] {
    return this.rows[keycode - this.minKeycode] ?? [];
  }

  isEmpty(keycode: number): boolean {
    return this.has(keycode) && this.row(keycode).every((ks) => ks === NoSymbol);
  }

  /** Record a row we changed with ChangeKeyboardMapping (so no round trip is needed to learn it). */
  setRow(keycode: number, keysyms: readonly number[], ourOwn = true): void {
    if (!this.has(keycode)) return;
    const width = Math.max(keysyms.length, this.keysymsPerKeycode);
    const row = new Array<number>(width).fill(NoSymbol);
    for (let i = 0; i < keysyms.length; i++) row[i] = keysyms[i] ?? NoSymbol;
    // the server shows a one-group mapping in group 2's columns too
    if (keysyms.length <= 2 && width >= 4) {
      row[2] = row[0]!;
      row[3] = row[1]!;
    }
    this.indexRow(keycode, false);
    this.rows[keycode - this.minKeycode] = row;
    this.indexRow(keycode, true);
    if (ourOwn && keysyms.some((k) => k !== NoSymbol)) this.serverTyped.add(keycode);
    else this.serverTyped.delete(keycode);
  }

  /** Keycodes in a modifier row. */
  modifierKeycodes(mod: number): readonly number[] {
    return this.modifiers[mod] ?? [];
  }

  /** Which modifier row (0–7) a keycode belongs to, or −1. */
  modifierOf(keycode: number): number {
    for (let m = 0; m < 8; m++) if (this.modifiers[m]?.includes(keycode)) return m;
    return -1;
  }

  /** Keycodes whose first column is this keysym, modifier-mapped ones first. */
  keycodesWithBase(keysym: number): number[] {
    const out: number[] = [];
    for (let kc = this.minKeycode; kc <= this.maxKeycode; kc++) if (this.row(kc)[0] === keysym) out.push(kc);
    return out.sort((a, b) => Number(this.modifierOf(b) >= 0) - Number(this.modifierOf(a) >= 0) || a - b);
  }

  /**
   * The key to press for a modifier or lock keysym, or 0: the one listing it
   * in the lowest column, keys in the modifier mapping first.
   */
  modifierKey(keysym: number): number {
    let best = 0;
    let bestScore = Infinity;
    for (const kc of this.index.get(keysym) ?? []) {
      const column = this.row(kc).indexOf(keysym);
      if (column < 0) continue; // only there upper-cased
      const score = column + (this.modifierOf(kc) >= 0 ? 0 : 100) + (this.serverTyped.has(kc) ? 1000 : 0);
      if (score < bestScore || (score === bestScore && kc < best)) {
        best = kc;
        bestScore = score;
      }
    }
    return best;
  }

  /** The modifier bit NumLock sets (0 when there is no NumLock key). */
  get numLockMask(): number {
    const m = this.modifierOf(this.numLockKey);
    return m >= 0 ? 1 << m : 0;
  }

  /** The key's role when it is held, by its first keysym. */
  roleOf(keycode: number): 'shift' | 'lock' | 'numlock' | 'level3' | 'group2' | null {
    const base = this.row(keycode)[0] ?? NoSymbol;
    if (base === XK.ISO_Level3_Shift) return 'level3';
    if (base === XK.Mode_switch) return 'group2';
    if (base === XK.Num_Lock) return 'numlock';
    const mod = this.modifierOf(keycode);
    if (mod === ModIndex.Shift) return 'shift';
    if (mod === ModIndex.Lock && base === XK.Caps_Lock) return 'lock';
    return null;
  }

  /** Keycodes with no keysyms at all (spare keys to map characters onto). */
  emptyKeycodes(): number[] {
    const out: number[] = [];
    for (let kc = this.minKeycode; kc <= this.maxKeycode; kc++) if (this.isEmpty(kc) && this.modifierOf(kc) < 0) out.push(kc);
    return out;
  }

  /**
   * The keysym a press of `keycode` yields in `state` (NoSymbol when none),
   * following XKB's handling of the key types the symbols imply.
   */
  produce(keycode: number, state: ModState): number {
    const row = this.row(keycode);
    const col = (i: number): number => row[i] ?? NoSymbol;
    let base = state.group2 ? 2 : 0;
    if (col(base) === NoSymbol && col(base + 1) === NoSymbol) base = 0; // no group 2: wraps to group 1
    let lo = col(base);
    let hi = col(base + 1);
    if (state.level3 && (col(4) !== NoSymbol || col(5) !== NoSymbol)) {
      lo = col(4);
      hi = col(5);
      if (lo === NoSymbol) lo = hi;
    }
    if (lo === NoSymbol && hi === NoSymbol) return NoSymbol;
    if (hi === NoSymbol || hi === lo) {
      // one level: Lock is not consumed, the client upper-cases
      return state.lock ? lockUpper(lo) : lo;
    }
    if (isKeypadKeysym(lo) || isKeypadKeysym(hi)) {
      // KEYPAD ("pc"): NumLock alone selects level 2; Shift is not used
      return state.numLock && !state.shift ? hi : lo;
    }
    if (this.isAlphabetic(keycode, lo, hi)) {
      return state.shift !== state.lock ? hi : lo;
    }
    const ks = state.shift ? hi : lo;
    return state.lock ? lockUpper(ks) : ks;
  }

  /**
   * The cheapest way to type `keysym` from the `held` state: which key, and
   * which modifiers must be pressed or released around it. Null when no key
   * produces it.
   */
  plan(keysym: number, held: ModState, options: { onlyKeycode?: number } = {}): KeyPlan | null {
    const variants = keysymVariants(keysym);
    const candidates = new Set<number>();
    if (options.onlyKeycode !== undefined) candidates.add(options.onlyKeycode);
    else for (const v of variants) for (const kc of this.index.get(v) ?? []) candidates.add(kc);
    if (candidates.size === 0) return null;
    const canShift = this.shiftKey !== 0;
    const canLevel3 = this.level3Key !== 0;
    const canGroup2 = this.modeSwitchKey !== 0;
    const canLock = this.capsLockKey !== 0;
    const canNumLock = this.numLockKey !== 0;
    let best: KeyPlan | null = null;
    for (const keycode of [...candidates].sort((a, b) => a - b)) {
      for (let combo = 0; combo < 32; combo++) {
        const shift = (combo & 1) !== 0 ? !held.shift : held.shift;
        const level3 = (combo & 2) !== 0 ? !held.level3 : held.level3;
        const group2 = (combo & 4) !== 0 ? !held.group2 : held.group2;
        const toggleLock = (combo & 8) !== 0;
        const toggleNumLock = (combo & 16) !== 0;
        if (shift && !held.shift && !canShift) continue;
        if (level3 && !held.level3 && !canLevel3) continue;
        if (group2 && !held.group2 && !canGroup2) continue;
        if (toggleLock && !canLock) continue;
        if (toggleNumLock && !canNumLock) continue;
        const state: ModState = {
          shift,
          level3,
          group2,
          lock: toggleLock ? !held.lock : held.lock,
          numLock: toggleNumLock ? !held.numLock : held.numLock,
        };
        const got = this.produce(keycode, state);
        if (got === NoSymbol || !variants.includes(got)) continue;
        // faking Shift on a keypad key reads as Shift+Home etc. to applications: rather follow NumLock
        const keypad = this.isKeypadKey(keycode);
        let cost = 0;
        if (shift !== held.shift) cost += keypad ? 4 : 1;
        if (level3 !== held.level3) cost += 1;
        if (group2 !== held.group2) cost += 1;
        if (toggleLock) cost += 3;
        if (toggleNumLock) cost += 2;
        // prefer keys of the layout over spare keys we mapped, and lower columns
        if (this.serverTyped.has(keycode)) cost += 0.5;
        if (best === null || cost < best.cost) best = { keycode, shift, level3, group2, toggleLock, toggleNumLock, cost };
        if (cost === 0) return best;
      }
    }
    return best;
  }

  /**
   * The row to give a spare key so that it types `keysym`: a lower/upper pair
   * the server recognises as ALPHABETIC for letters it knows the case of
   * (so Caps Lock works as on a real key), else the keysym on both levels.
   */
  static spareRow(keysym: number): number[] {
    const pair = keysymCasePair(keysym);
    if (pair && serverKnowsCase(pair.lower) && serverKnowsCase(pair.upper)) return [pair.lower, pair.upper];
    return [keysym, keysym];
  }

  private isKeypadKey(keycode: number): boolean {
    const row = this.row(keycode);
    return isKeypadKeysym(row[0] ?? 0) || isKeypadKeysym(row[1] ?? 0);
  }

  private isAlphabetic(keycode: number, lo: number, hi: number): boolean {
    const pair = keysymCasePair(lo);
    if (!pair || canonicalKeysym(pair.lower) !== canonicalKeysym(lo) || canonicalKeysym(pair.upper) !== canonicalKeysym(hi)) return false;
    // keys we mapped get the server's type guess, which only knows the legacy sets
    if (this.serverTyped.has(keycode)) return serverKnowsCase(lo) && serverKnowsCase(hi);
    return true;
  }

  /** Add (or remove) a keycode's keysyms, and what Caps Lock turns them into, to the index. */
  private indexRow(keycode: number, add: boolean): void {
    const row = this.row(keycode);
    for (let i = 0; i < Math.min(row.length, 6); i++) {
      const ks = row[i]!;
      if (ks === NoSymbol) continue;
      for (const k of [ks, lockUpper(ks)]) {
        let set = this.index.get(k);
        if (add) {
          if (!set) this.index.set(k, (set = new Set()));
          set.add(keycode);
        } else if (set) {
          set.delete(keycode);
          if (set.size === 0) this.index.delete(k);
        }
      }
    }
  }
}

// XT scancodes have a module of their own; importers of this one keep finding them here.
export { EVDEV_KEYCODE_OFFSET, xtScancodeToLinux } from './xt-scancodes.js';

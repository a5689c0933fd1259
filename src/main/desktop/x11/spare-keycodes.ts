import type { Logger } from 'pino';
import { canonicalKeysym } from '../keysym-unicode.js';
import { Keymap, type KeyPlan, type ModState, NoSymbol } from './keymap.js';
import type { X11Connection } from './x11-connection.js';
import type { X11InputStats } from './xtest-events.js';

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

/** What the spare keycodes need of the input they serve. */
export interface SpareKeycodesHost {
  /** The connection, or null when there is none. */
  conn(): X11Connection | null;
  /** The open connection; throws when there is none. */
  live(): X11Connection;
  keymap(): Keymap;
  /** Whether a key is down through us. */
  isHeld(keycode: number): boolean;
  /** Modifier state for choosing a key. */
  heldState(): ModState;
  /** Run `job` in turn with the input events. */
  enqueue(job: () => void): Promise<void>;
  stopped(): boolean;
  readonly counters: X11InputStats;
  readonly log: Logger;
}

/**
 * Keycodes without keysyms, lent to keysyms no key of the layout types: a
 * spare is mapped with ChangeKeyboardMapping before its press, and given its
 * empty mapping back `holdMs` after its release. Applications look the
 * keysym up when they process the key event, which may be a little later
 * than the server sent it, so the mapping must outlive the event. `count`
 * spares rotate, the longest unused lent next.
 */
export class SpareKeycodes {
  private spares: Spare[] = [];
  /** ChangeKeyboardMapping requests of ours whose MappingNotify has not come back, per keycode. */
  private readonly ownChanges = new Map<number, number>();

  constructor(
    private readonly host: SpareKeycodesHost,
    private readonly holdMs: number,
    private readonly count: number,
  ) {}

  get keycodes(): readonly number[] {
    return this.spares.map((s) => s.keycode);
  }

  has(keycode: number): boolean {
    return this.spares.some((s) => s.keycode === keycode);
  }

  /** Whether a MappingNotify for `count` keycodes from `first` is the echo of a change of ours (each echo is taken once). */
  isOwnChange(first: number, count: number): boolean {
    const own = this.ownChanges.get(first) ?? 0;
    if (count !== 1 || own === 0) return false;
    if (own === 1) this.ownChanges.delete(first);
    else this.ownChanges.set(first, own - 1);
    return true;
  }

  /** Map `keysym` onto a spare keycode and plan its press there; null when no spare is free. */
  async plan(keysym: number): Promise<KeyPlan | null> {
    const free = this.spares.filter((s) => !this.host.isHeld(s.keycode));
    if (free.length === 0) return null;
    // the longest-unused one, preferring one with its own mapping back already
    free.sort((a, b) => Number(a.mapped !== null) - Number(b.mapped !== null) || a.releasedAt - b.releasedAt);
    const spare = free[0]!;
    if (spare.mapped !== null) {
      // still lent to another keysym an application may be about to look up: give it its time
      const wait = spare.releasedAt + this.holdMs - performance.now();
      if (wait > 0) await sleep(wait);
      if (this.host.isHeld(spare.keycode) || this.host.conn()?.closed) return null;
    }
    if (spare.timer) {
      clearTimeout(spare.timer);
      spare.timer = null;
    }
    const row = Keymap.spareRow(canonicalKeysym(keysym));
    this.changeRow(spare.keycode, row, true);
    spare.mapped = row;
    this.host.counters.remaps++;
    const keymap = this.host.keymap();
    const plan = keymap.plan(keysym, this.host.heldState(), { onlyKeycode: spare.keycode });
    if (plan) return plan;
    // typed as well as it can be (say, Caps Lock on with no Caps Lock key to tap)
    const held = this.host.heldState();
    return { keycode: spare.keycode, shift: held.shift, level3: held.level3, group2: held.group2, toggleLock: false, toggleNumLock: false, cost: 10 };
  }

  /** `keycode` is about to be pressed: if it is a spare, its mapping stays while it is down. */
  keepMapped(keycode: number): void {
    const spare = this.spares.find((s) => s.keycode === keycode);
    if (spare?.timer) {
      clearTimeout(spare.timer);
      spare.timer = null;
    }
  }

  /** `keycode` went up (or was mapped for nothing): if it is a lent spare, give it back in time. */
  scheduleRestoreOf(keycode: number): void {
    const spare = this.spares.find((s) => s.keycode === keycode);
    if (spare && spare.mapped !== null && !this.host.isHeld(keycode)) this.scheduleRestore(spare);
  }

  /** Give every lent spare its empty mapping back now (keys still down keep theirs). */
  restoreAll(): void {
    for (const s of this.spares) this.restore(s, true);
  }

  /**
   * The keyboard mapping was (re)loaded into `keymap`: keep the spares still
   * ours (mapped as we left them, or empty again), then top up from the
   * empty keycodes.
   */
  adopt(keymap: Keymap): void {
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
    const empty = keymap.emptyKeycodes().filter((kc) => !kept.some((s) => s.keycode === kc) && !this.host.isHeld(kc));
    while (kept.length < this.count && empty.length > 0) {
      const kc = empty.pop()!; // from the top: keycodes no real keyboard sends
      kept.push({ keycode: kc, original: new Array<number>(keymap.keysymsPerKeycode).fill(NoSymbol), mapped: null, releasedAt: 0, timer: null });
    }
    this.spares = kept;
  }

  /** No restore runs any more (the connection is going). */
  clearTimers(): void {
    for (const s of this.spares) if (s.timer) clearTimeout(s.timer);
  }

  private changeRow(keycode: number, row: number[], ours: boolean): void {
    const conn = this.host.live();
    conn.client.ChangeKeyboardMapping(keycode, row.length, row);
    this.ownChanges.set(keycode, (this.ownChanges.get(keycode) ?? 0) + 1);
    this.host.keymap().setRow(keycode, row, ours);
  }

  private scheduleRestore(spare: Spare, releasedAt = performance.now()): void {
    spare.releasedAt = releasedAt;
    if (spare.timer) clearTimeout(spare.timer);
    spare.timer = setTimeout(() => {
      spare.timer = null;
      if (this.host.stopped()) return;
      void this.host.enqueue(() => this.restore(spare, false)).catch((err: unknown) => this.host.log.debug({ err }, 'restoring a spare keycode failed'));
    }, Math.max(1, releasedAt + this.holdMs - performance.now()));
    spare.timer.unref?.();
  }

  private restore(spare: Spare, now: boolean): void {
    if (spare.timer) {
      clearTimeout(spare.timer);
      spare.timer = null;
    }
    if (spare.mapped === null || this.host.isHeld(spare.keycode)) return;
    if (!now && performance.now() - spare.releasedAt < this.holdMs - 1) {
      this.scheduleRestore(spare, spare.releasedAt); // woke early: wait out the rest
      return;
    }
    const conn = this.host.conn();
    if (!conn || conn.closed) return;
    this.changeRow(spare.keycode, spare.original, false);
    spare.mapped = null;
    this.host.counters.restores++;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

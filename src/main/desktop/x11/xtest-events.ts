import type { XTestExt } from 'x11';

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

const XTEST = { KeyPress: 2, KeyRelease: 3, ButtonPress: 4, ButtonRelease: 5, MotionNotify: 6 } as const;

/**
 * Input events faked with XTEST, each counted in `fakeEvents`. Requests
 * without replies: sending one costs no round trip. Usable between
 * `attach` (at start) and `detach`.
 */
export class XTestEvents {
  private xtest: XTestExt | null = null;
  private root = 0;

  constructor(private readonly counters: X11InputStats) {}

  attach(xtest: XTestExt, root: number): void {
    this.xtest = xtest;
    this.root = root;
  }

  detach(): void {
    this.xtest = null;
  }

  get attached(): boolean {
    return this.xtest !== null;
  }

  key(keycode: number, down: boolean): void {
    this.xtest!.FakeInput(down ? XTEST.KeyPress : XTEST.KeyRelease, keycode, 0, 0, 0, 0);
    this.counters.fakeEvents++;
  }

  button(button: number, down: boolean): void {
    this.xtest!.FakeInput(down ? XTEST.ButtonPress : XTEST.ButtonRelease, button, 0, 0, 0, 0);
    this.counters.fakeEvents++;
  }

  /** The pointer to (x, y) on the root window. */
  motion(x: number, y: number): void {
    this.xtest!.FakeInput(XTEST.MotionNotify, 0, 0, this.root, x, y);
    this.counters.fakeEvents++;
  }
}

/** Decisions are taken once per period of this length, over what happened in it. */
const PERIOD_MS = 1000;
/**
 * Held back for more than this share of a period: the link is what limits
 * the updates (what is in flight needs longer than the window allows to
 * arrive), so each update should cost less.
 */
const HELD_SHARE_DOWN = 0.25;
/**
 * A period with no holding and at most this share of the bandwidth used
 * leaves room for the next quality up (a level costs some 1.3–1.6× the one
 * below it); two such periods in a row step up.
 */
const USE_SHARE_UP = 0.5;
const ROOMY_PERIODS_UP = 2;

/**
 * How many steps below what the client asked its JPEG quality should go
 * (0: as asked), from how the link copes. The update scheduler tells it when
 * updates are held back by the link pacer's window and how many bytes each
 * update was; once a period it compares:
 *
 * - held back for a good part of the period: the link cannot carry the
 *   updates in the time it should, one step down (to at most `maxSteps`);
 * - never held back and the link less than half used, twice running: one
 *   step up, never above what the client asked.
 *
 * One step a period at most, so a change of quality shows in the figures
 * before the next is decided.
 */
export class QualityAdapter {
  steps = 0;
  private periodStart: number;
  private heldSince: number | null = null;
  private heldMs = 0;
  private bytes = 0;
  private roomy = 0;

  constructor(private readonly now: () => number = () => performance.now()) {
    this.periodStart = now();
  }

  /** The scheduler has something to send and the window is full (true), or it sent (false). */
  held(on: boolean): void {
    const now = this.now();
    if (on && this.heldSince === null) this.heldSince = now;
    else if (!on && this.heldSince !== null) {
      this.heldMs += now - this.heldSince;
      this.heldSince = null;
    }
  }

  /** An update of this many bytes went out. */
  sent(bytes: number): void {
    this.bytes += bytes;
  }

  /**
   * Decide, if a period has passed: `bandwidth` the link's estimate in bytes
   * per second (null: unknown, nothing changes), `maxSteps` how far the
   * client's quality may be lowered. True when `steps` changed.
   */
  evaluate(bandwidth: number | null, maxSteps: number): boolean {
    const now = this.now();
    const elapsed = now - this.periodStart;
    if (elapsed < PERIOD_MS) return false;
    let held = this.heldMs;
    if (this.heldSince !== null) {
      held += now - this.heldSince;
      this.heldSince = now;
    }
    const bytes = this.bytes;
    this.periodStart = now;
    this.heldMs = 0;
    this.bytes = 0;
    const before = this.steps;
    if (bandwidth === null || bandwidth <= 0) {
      this.roomy = 0;
    } else if (held > elapsed * HELD_SHARE_DOWN) {
      this.roomy = 0;
      this.steps = Math.min(maxSteps, this.steps + 1);
    } else if (held === 0 && bytes < bandwidth * (elapsed / 1000) * USE_SHARE_UP) {
      if (++this.roomy >= ROOMY_PERIODS_UP) {
        this.roomy = 0;
        this.steps = Math.max(0, this.steps - 1);
      }
    } else {
      this.roomy = 0;
    }
    this.steps = Math.min(this.steps, maxSteps);
    return this.steps !== before;
  }
}

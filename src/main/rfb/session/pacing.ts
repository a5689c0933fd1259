import { PseudoEncoding } from '../constants.js';
import { jpegQualityOf, jpegQualityRoom, lowerJpegQuality } from '../encodings/tight-jpeg.js';
import type { ClientParams } from './client-params.js';
import { LinkPacer, type LinkEstimate } from './link-pacer.js';
import { QualityAdapter } from './quality-adapter.js';

/**
 * Whether sessions pace their updates by the link: TRAYVNC_PACING=0 turns it
 * off (updates then wait only for the socket's back-pressure), anything else
 * or nothing leaves it on.
 */
export function pacingEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = env['TRAYVNC_PACING']?.trim().toLowerCase();
  return !(v === '0' || v === 'false' || v === 'off' || v === 'no');
}

/** One client's link figures and JPEG quality, for the control API. */
export interface PacingInfo extends LinkEstimate {
  /** The JPEG quality asked for and the one used now (lower while the link cannot carry it); null without JPEG. */
  jpegQuality: { scale: 'level' | 'fine'; asked: number; used: number } | null;
}

/**
 * What the update scheduler asks about pacing, in one place: whether an
 * update may go now (the LinkPacer's window), the fence to send after one,
 * what a fence reply means, and the encodings list with the JPEG quality the
 * link can carry (the QualityAdapter's steps). A client that did not list
 * Fence, or a server with pacing off, is never held here, and keeps its
 * quality as asked.
 */
export class Pacing {
  private readonly link: LinkPacer;
  private readonly quality: QualityAdapter;

  constructor(
    private readonly params: ClientParams,
    private readonly enabled: boolean,
    now: () => number = () => performance.now(),
  ) {
    this.link = new LinkPacer(now);
    this.quality = new QualityAdapter(now);
  }

  /** Whether this client's updates are paced: pacing is on and it takes fences. */
  get active(): boolean {
    return this.enabled && this.params.supports(PseudoEncoding.Fence);
  }

  /** Updates begin with `pos` bytes written (after ServerInit's turn). */
  start(pos: number): void {
    this.link.start(pos);
  }

  /**
   * Whether an update with something in it may go now, `pos` bytes written.
   * When not, the scheduler waits for the next fence reply, and the time it
   * waits counts against the JPEG quality.
   */
  mayUpdate(pos: number): boolean {
    if (!this.active || this.link.mayUpdate(pos)) return true;
    this.quality.held(true);
    return false;
  }

  /**
   * The fence to send while the window is full and no ping is on its way —
   * bytes written outside updates (a big clipboard text) filled it — so that
   * a reply comes to open it again; null when one is already on its way.
   */
  pingWhileHeld(pos: number): Buffer | null {
    return this.active && this.link.unanswered === 0 ? this.link.ping(pos) : null;
  }

  /** While our fences are unanswered the link is busy (no lossless refresh yet). */
  get linkBusy(): boolean {
    return this.active && this.link.measuring && this.link.unanswered > 0;
  }

  /**
   * An update of `bytes` was written, `pos` bytes in all: the fence to send
   * behind it (null: none).
   */
  afterUpdate(pos: number, bytes: number): Buffer | null {
    this.quality.held(false);
    this.quality.sent(bytes);
    return this.active ? this.link.ping(pos) : null;
  }

  /** A fence reply: true when it answered one of our pings (the window may have opened). */
  reply(payload: Buffer): boolean {
    return this.link.reply(payload);
  }

  /** Time to look at the quality again: true when the encoders should get `encodings()` anew. */
  adapt(): boolean {
    if (!this.active) return false;
    return this.quality.evaluate(this.link.bandwidth, jpegQualityRoom(this.params.encodings));
  }

  /** The client's SetEncodings list as the encoders should read it: its JPEG quality lowered as far as the link needs. */
  encodings(): number[] {
    const list = this.params.encodings;
    return this.active ? lowerJpegQuality(list, this.quality.steps) : [...list];
  }

  /** The figures, or null for a client that is not paced. */
  info(pos: number): PacingInfo | null {
    if (!this.active) return null;
    const asked = jpegQualityOf(this.params.encodings);
    const used = asked && jpegQualityOf(this.encodings());
    return { ...this.link.estimate(pos), jpegQuality: asked && used ? { scale: asked.scale, asked: asked.value, used: used.value } : null };
  }
}

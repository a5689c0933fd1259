import type { Rect } from '../../framebuffer/rect.js';
import type { PixelConverter } from '../pixel-format.js';
import { RECT_HEADER_BYTES, writeRectHeader } from '../server-messages.js';
import type { Encoder } from './encoder.js';
import { divergeStreams, type ClosableEncoderState } from './encoder-state.js';
import { OFFLOAD_MIN_PIXELS, type EncodeWorkers } from './encode-workers.js';
import { WORKER_ENCODINGS, type WorkerEncoding } from './encode-job.js';
import { maxPiece } from './units.js';
import type { SharedEncodes } from './shared-encodes.js';
import type { UpdateParts } from './update-parts.js';

/**
 * Units of an update whose bytes this connection's manager does not make on
 * this thread: taken from another viewer's encode (shared-encodes.ts) or made
 * by an encode worker (encode-workers.ts). Both are independent zlib chunks,
 * so this connection's own deflaters start afresh after them.
 */
export interface UnitTarget {
  readonly parts: UpdateParts;
  readonly state: ClosableEncoderState;
  readonly converter: PixelConverter;
  readonly compressLevel: number | undefined;
  /** The manager's settings, as shared-encodes.ts keys them. */
  readonly signature: string;
  /** Where the manager collects areas sent as an approximation. */
  readonly lossy: Rect[];
  /** The client's SetEncodings list as the manager has it (JPEG quality and all). */
  readonly encodings: readonly number[];
  /** EncodeInput.lossless: this update refreshes lossy areas. */
  readonly lossless: boolean;
}

/**
 * Units go to a worker in the encodings the workers run (encode-job.ts
 * WORKER_ENCODINGS): those whose encode() depends only on the pixels, the
 * client's format and the zlib level, never gives up, and whose pixel work is
 * heavy enough to be worth a worker: ZRLE's and TRLE's tile analysis (a 1080p
 * photo-like ZRLE frame: 109 ms on this thread, 76 ms with two workers on two
 * cores); Tight's cut, analysis and JPEG (the bench's 1080p Tight JPEG frame:
 * 25 ms to the last byte from this thread, 18 with two workers). Hextile
 * qualifies but gains nothing: 47.6 ms against 48.0 ms, at 1.5 times the
 * CPU, the hand-over costing what its work saves.
 */

/**
 * Send `unit` to an encode worker if its encoding may run there, it is big
 * enough to be worth the trip, and this connection's streams have begun
 * (the worker's zlib chunks are independent, like shared ones, so they
 * cannot open a stream) or its encoding can begin them (Tight). A unit sent
 * whole is offered to the shared cache like any unit; one the worker cuts
 * (Tight) is not, its rectangles being known only when they come. `slot`:
 * the workers' shared memory `px` lies in (EncodeWorkers.takeSlot), the
 * job's to give back once it is taken.
 */
export function offloadUnit(t: UnitTarget, workers: EncodeWorkers, enc: Encoder, unit: Rect, px: Uint32Array, share: SharedEncodes | null, busy = false, slot: Uint32Array | null = null): boolean {
  const how = WORKER_ENCODINGS.get(enc.encoding);
  const n = unit.w * unit.h;
  if (workers.size === 0 || !how || n < OFFLOAD_MIN_PIXELS) return false;
  const level = t.compressLevel ?? t.state.level;
  if (how.cuts) {
    if (share || !openStreams(t, enc.encoding, how, unit, px)) return false;
    const job = { encoding: enc.encoding, pf: t.converter.pf, level, x: unit.x, y: unit.y, w: unit.w, h: unit.h, busy, encodings: t.encodings, lossless: t.lossless };
    // Only this connection sends a cut unit's bytes: they may come in pooled memory.
    const result = workers.run(t.compressLevel === undefined ? job : { ...job, compressLevel: t.compressLevel }, px, slot, true);
    const bpp = t.converter.bpp;
    const stats = result.then(({ rects = [] }) =>
      rects.map((r) => {
        if (r.lossy) t.lossy.push({ x: r.x, y: r.y, w: r.w, h: r.h });
        return { encoding: r.encoding, pixels: r.w * r.h, bytes: r.bytes, rawBytes: r.w * r.h * bpp };
      }),
    );
    t.parts.group(
      result.then((r) => r.payload),
      stats,
    );
    divergeStreams(t.state, how.streams);
    return true;
  }
  const streams = how.streams;
  if (maxPiece(enc, unit) || !begun(t, streams)) return false;
  // The worker gets the slot `px` is in, or a copy of the scratch pixels (the scratch is reused for the next unit).
  // Pooled memory unless other viewers may send the payload too (several writes read it then).
  const payload = workers.run({ encoding: enc.encoding, pf: t.converter.pf, level, w: unit.w, h: unit.h, busy }, px, slot, share === null).then((r) => r.payload);
  const rawBytes = n * t.converter.bpp;
  writeRectHeader(t.parts.target, unit, enc.encoding);
  t.parts.pending({ encoding: enc.encoding, pixels: n, bytes: RECT_HEADER_BYTES, rawBytes }, payload);
  divergeStreams(t.state, streams);
  if (share) {
    share.misses++;
    share.put(t.signature, unit, [{ rect: unit, encoding: enc.encoding, payload, rawBytes }], streams);
  }
  return true;
}

/** Send `unit` as another viewer's manager encoded it, if the cache has it and this connection's streams can carry it. */
export function takeShared(t: UnitTarget, shared: SharedEncodes, unit: Rect): boolean {
  const entry = shared.get(t.signature, unit);
  if (!entry || !entry.streams.every((n) => t.state.existing(n)?.started)) return false;
  const parts = t.parts;
  for (const p of entry.parts) {
    const into = parts.target;
    writeRectHeader(into, p.rect, p.encoding);
    const stats = { encoding: p.encoding, pixels: p.rect.w * p.rect.h, bytes: RECT_HEADER_BYTES, rawBytes: p.rawBytes };
    if (p.lossy) t.lossy.push(p.rect);
    if (p.payload instanceof Promise) {
      parts.pending(stats, p.payload);
    } else {
      into.bytes(p.payload);
      parts.rect({ ...stats, bytes: RECT_HEADER_BYTES + p.payload.length });
    }
  }
  divergeStreams(t.state, entry.streams);
  shared.hits++;
  return true;
}

function begun(t: UnitTarget, streams: readonly string[]): boolean {
  return streams.every((name) => t.state.existing(name)?.started);
}

/**
 * Begin, with a rectangle of the unit's own pixels each, the streams of
 * `how` the connection has not used yet (a worker's chunks can only continue
 * a stream); false, having written nothing, when the encoding has no way to
 * (or the unit is too narrow for its openers, which all need the same room).
 */
function openStreams(t: UnitTarget, encoding: number, how: WorkerEncoding, unit: Rect, px: Uint32Array): boolean {
  const closed = how.streams.filter((name) => !t.state.existing(name)?.started);
  if (closed.length === 0) return true;
  if (!how.open) return false;
  for (const [i, name] of closed.entries()) {
    const o = how.open(name, px, unit, t.converter, t.state, t.compressLevel);
    if (!o) {
      if (i === 0) return false;
      throw new Error(`no opener for stream ${name} after one for ${closed[0]}`);
    }
    const into = t.parts.target;
    writeRectHeader(into, o.rect, encoding);
    into.bytes(o.payload);
    t.parts.rect({ encoding, pixels: o.rect.w * o.rect.h, bytes: RECT_HEADER_BYTES + o.payload.length, rawBytes: o.rect.w * o.rect.h * t.converter.bpp });
  }
  return true;
}

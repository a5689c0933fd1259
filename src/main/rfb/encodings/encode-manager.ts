import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { Frame } from '../../framebuffer/frame.js';
import { intersectRect, type Rect } from '../../framebuffer/rect.js';
import type { CopyOp } from '../../framebuffer/region.js';
import { Encoding } from '../constants.js';
import { NATIVE_FORMAT, PixelConverter } from '../pixel-format.js';
import { RECT_HEADER_BYTES, writeRectHeader } from '../server-messages.js';
import type { ByteWriter } from '../wire.js';
import type { EncodeInput, Encoder, Piece, RectClass } from './encoder.js';
import { divergeStreams, SharingEncoderState, type ClosableEncoderState } from './encoder-state.js';
import { hostLittleEndian } from './pixel-writer.js';
import { createEncoders } from './registry.js';
import { EncoderChoice } from './encoder-choice.js';
import { OFFLOAD_MIN_PIXELS, type EncodeWorkers } from './encode-workers.js';
import { encodingSignature, type SharedEncodes, type SharedPart } from './shared-encodes.js';
import { offloadUnit, takeShared, type UnitTarget } from './unit-reuse.js';
import { cutBlock, cutUnit, paintOverlay, splitUnits } from './units.js';
import { UpdateParts } from './update-parts.js';

/** What one written rectangle cost; `bytes` includes its 12-byte header, `rawBytes` is w*h*bytes-per-pixel. */
export interface RectStats {
  encoding: number;
  pixels: number;
  bytes: number;
  rawBytes: number;
}

/** Pixels of prepared work between yields to the event loop, with and without compression queued. */
const YIELD_PIXELS = 1 << 14;
const IDLE_YIELD_PIXELS = 1 << 16;
/**
 * What a unit sent to a worker costs this thread, against encoding it here
 * (a conversion and a copy): counted at this fraction towards the next yield.
 * Yielding after each one let the workers' answers and the socket writes run
 * between the hand-overs, and the workers waited 2–5 ms of a 20 ms frame.
 */
const OFFLOADED_COST = 32;

/**
 * Encodes every rectangle of an update, each in the encoding EncoderChoice
 * picks for it, here or on the encode workers, and writes the rectangles in
 * order; the only caller of encoders. One encodeRects() at a time per
 * manager: the zlib streams and scratch buffers are per connection.
 */
export class EncodeManager {
  private readonly state: ClosableEncoderState;
  private readonly choice: EncoderChoice;
  private converter = new PixelConverter(NATIVE_FORMAT);

  private scratch = new Uint32Array(0);
  private pieceScratch = new Uint32Array(0);
  private readonly parts = new UpdateParts();
  private busy = false;
  /** The server's cache of rectangles encoded for viewers with the same settings, if it keeps one. */
  private shared: SharedEncodes | null = null;
  private signature = '';
  /** The client's SetEncodings list as sent: with the pixel format, all that decides this manager's output. */
  private encodingList: readonly number[] = [];
  private workers: EncodeWorkers | null = null;

  /** `encoders` defaults to the registry's; Raw and CopyRect must be among them. */
  constructor(state: ClosableEncoderState, encoders: readonly Encoder[] = createEncoders()) {
    this.state = state;
    this.choice = new EncoderChoice(encoders);
  }

  /** The client's SetEncodings list, in its order of preference. Unknown numbers and pseudo-encodings are ignored. */
  setEncodings(list: readonly number[]): void {
    this.encodingList = [...list];
    this.choice.setEncodings(list);
    this.signatureChanged();
  }

  /** The client's pixel format, as a converter from the native frame. */
  setConverter(c: PixelConverter): void {
    this.converter = c;
    this.signatureChanged();
  }

  /** Take and offer encoded rectangles through the server's cache (null: encode everything alone). */
  shareThrough(shared: SharedEncodes | null): void {
    this.shared?.leave(this);
    this.shared = shared;
    this.signatureChanged();
  }

  /** Encode big units of the encodings that allow it on these worker threads (null: all on this thread). */
  offloadTo(workers: EncodeWorkers | null): void {
    this.workers = workers;
  }

  private signatureChanged(): void {
    this.signature = encodingSignature(this.converter.pf, this.encodingList);
    this.shared?.join(this, this.signature);
  }

  get pixelConverter(): PixelConverter {
    return this.converter;
  }

  /** Whether CopyRect rectangles will be sent (the client listed CopyRect). */
  get usesCopyRect(): boolean {
    return this.choice.usesCopyRect;
  }

  /** The zlib level the client asked for with a CompressLevel pseudo-encoding, if any. */
  get clientCompressLevel(): number | undefined {
    return this.choice.clientCompressLevel;
  }

  /** The encoding used for a w×h rectangle of the given class. */
  encodingFor(cls: RectClass, w = 64, h = 64): number {
    return this.choice.choose(cls, w, h, this.converter.bpp).encoding;
  }

  /**
   * Pixels to show instead of the frame's inside `rect` (native 0x00RRGGBB,
   * packed, rect.w per row) for the next encodeRects — the cursor composited
   * for clients that cannot draw it. Null for none.
   */
  overlay: { rect: Rect; pixels: Uint32Array } | null = null;

  /** Send the next encodeRects exactly, no JPEG: a lossless refresh of what was sent lossy. */
  lossless = false;
  /** Whether most of an area keeps changing (EncodeInput.busy); null: nothing does. */
  busyArea: ((r: Rect) => boolean) | null = null;
  /** Areas sent as an approximation since the last takeLossy(). */
  private lossyRects: Rect[] = [];

  /** The areas sent as an approximation (JPEG) since the last call, for the lossless refresh. */
  takeLossy(): Rect[] {
    const r = this.lossyRects;
    this.lossyRects = [];
    return r;
  }

  private convert(frame: Frame, r: Rect, scratch: Uint32Array): Uint32Array {
    const px = this.converter.convertRect(frame, r, scratch);
    if (this.overlay) paintOverlay(px, r, this.overlay, this.converter);
    return px;
  }

  /**
   * Write every rectangle of an update into `out`: for each, the 12-byte header
   * (x, y, w, h, encoding) and the payload. CopyRect entries come first when the
   * client takes CopyRect; otherwise their destinations are sent as changed
   * pixels from `frame`. Returns the number of rectangles written, for the
   * FramebufferUpdate header. `onRect` gets one call per rectangle, in order,
   * once the update is complete. With `send` the update is streamed (see
   * UpdateParts); with `tail`, the bytes after the first payload made
   * elsewhere (workers, the thread pool) go there in order, uncopied, to be
   * written after `out`.
   *
   * Big updates are encoded a unit at a time with yields to the event loop in
   * between (so deflate overlaps the next unit's work and input is not held
   * up): `frame` is read across those turns, so pixels grabbed into it
   * meanwhile may show up in this update; they are sent again with the next.
   */
  async encodeRects(
    frame: Frame,
    rects: readonly Rect[],
    copies: readonly CopyOp[],
    out: ByteWriter,
    onRect?: (s: RectStats) => void,
    send?: (chunk: Buffer) => void,
    tail?: Buffer[],
  ): Promise<number> {
    if (this.busy) throw new Error('EncodeManager.encodeRects called while a previous call is still running');
    this.busy = true;
    try {
      return await this.encodeAll(frame, rects, copies, out, onRect, send, tail);
    } finally {
      this.busy = false;
    }
  }

  private async encodeAll(
    frame: Frame,
    rects: readonly Rect[],
    copies: readonly CopyOp[],
    out: ByteWriter,
    onRect: ((s: RectStats) => void) | undefined,
    send: ((chunk: Buffer) => void) | undefined,
    tail: Buffer[] | undefined,
  ): Promise<number> {
    const bounds: Rect = { x: 0, y: 0, w: frame.width, h: frame.height };
    const bpp = this.converter.bpp;
    const parts = this.parts;
    parts.start(out, send, tail);
    let sinceYield = 0;
    // With compression queued, yield often: the thread pool starts the next
    // chunk only when the event loop collects the last one. Otherwise yield
    // now and then so input and other clients are not held up by a big frame.
    const timeToYield = (pixels: number): boolean => {
      // A unit is done: with a streamed update, what is complete goes out now.
      parts.drain();
      sinceYield += pixels;
      if (sinceYield < (parts.waiting ? YIELD_PIXELS : IDLE_YIELD_PIXELS)) return false;
      sinceYield = 0;
      return true;
    };

    const pixelRects: Rect[] = [];
    for (const c of copies) {
      const dst = intersectRect(c.dst, bounds);
      if (!dst) continue;
      const copyFrom = { x: c.srcX + (dst.x - c.dst.x), y: c.srcY + (dst.y - c.dst.y) };
      const srcInside = copyFrom.x >= 0 && copyFrom.y >= 0 && copyFrom.x + dst.w <= frame.width && copyFrom.y + dst.h <= frame.height;
      if (!this.choice.usesCopyRect || !srcInside) {
        pixelRects.push(dst);
        continue;
      }
      const input: EncodeInput = { rect: dst, pixels: NO_PIXELS, converter: this.converter, state: this.state, copyFrom };
      this.write(this.choice.copier, input, dst.w * dst.h * bpp);
    }
    for (const r of rects) {
      const c = intersectRect(r, bounds);
      if (c) pixelRects.push(c);
    }

    const units = pixelRects.flatMap(splitUnits);
    // With another viewer of the same settings, rectangles are taken from and offered to the server's cache.
    const sharing = this.shared?.hasPeers(this) ? this.shared : null;
    const rawOnly = this.choice.rawOnly;
    if (rawOnly && !send && !tail) {
      // Every unit goes as Raw, whose size is known: make room for all of it at
      // once instead of growing `out` (and copying it) a doubling at a time
      // (streamed or spilled into `tail`, `out` stays small: UpdateParts).
      out.ensure(units.reduce((sum, u) => sum + RECT_HEADER_BYTES + u.w * u.h * bpp, 0));
    }
    // A little-endian 32 bpp client's Raw pixels are their values as this host stores them.
    const direct = rawOnly && bpp === 4 && !this.converter.pf.bigEndian && hostLittleEndian;

    for (const unit of units) {
      const n = unit.w * unit.h;
      if (direct && this.rawIntoOutput(frame, unit, out)) {
        if (timeToYield(n)) await yieldToLoop();
        continue;
      }
      const share = sharing && !this.overlayTouches(unit) ? sharing : null;
      if (share && takeShared(this.unitTarget(), share, unit)) {
        if (timeToYield(n)) await yieldToLoop();
        continue;
      }
      // Pixels a worker may take are converted straight into the workers' shared memory: no copy to hand them over.
      const slot = this.workers && n >= OFFLOAD_MIN_PIXELS ? this.workers.takeSlot(n) : null;
      // The scratch only when there is no slot: a connection whose big units all go to the
      // workers never makes one (half a megabyte of fresh pages, some 0.5 ms of its first frame).
      if (!slot && this.scratch.length < n) this.scratch = new Uint32Array(Math.max(n, 4096));
      const px = this.convert(frame, unit, slot ?? this.scratch);
      const cls = this.choice.classify(px, n);
      const enc = this.choice.choose(cls, unit.w, unit.h, bpp);
      const busy = this.busyArea?.(unit) ?? false;
      // A solid unit costs less here than the trip to a worker.
      if (this.workers && cls !== 'solid' && offloadUnit(this.unitTarget(), this.workers, enc, unit, px, share, busy, slot)) {
        // Its work here was a conversion and a copy: hand the workers the next units before turning to their answers.
        if (timeToYield(n / OFFLOADED_COST)) await yieldToLoop();
        continue;
      }
      try {
        this.encodeHere(unit, px, enc, share, busy);
      } finally {
        if (slot) this.workers?.giveSlot(slot);
      }
      if (timeToYield(n)) await yieldToLoop();
    }

    const stats = await parts.finish(tail);
    if (onRect) for (const s of stats) onRect(s);
    return stats.length;
  }

  /** Encode `unit` (its pixels `px`) here, cut as `enc` wants it, and offer it to the shared cache through `share`. */
  private encodeHere(unit: Rect, px: Uint32Array, enc: Encoder, share: SharedEncodes | null, busy: boolean): void {
    const bpp = this.converter.bpp;
    const sharingState = share ? new SharingEncoderState(this.state) : null;
    const made: SharedPart[] = [];
    const pieces = cutUnit(enc, px, unit);
    const all: readonly Piece[] = pieces ?? [unit];
    for (const piece of all) {
      let pp = px;
      if (pieces) {
        const m = piece.w * piece.h;
        if (this.pieceScratch.length < m) this.pieceScratch = new Uint32Array(m);
        // Cut from the unit's converted pixels (cursor included) rather than converting again.
        pp = cutBlock(px, unit, piece, this.pieceScratch);
      }
      const rawBytes = piece.w * piece.h * bpp;
      const input: EncodeInput = { rect: piece, pixels: pp, converter: this.converter, state: sharingState ?? this.state, compressLevel: this.choice.clientCompressLevel, limit: rawBytes, lossless: this.lossless, busy, photo: piece.photo };
      const part = this.write(enc, input, rawBytes, sharingState !== null);
      if (part) made.push(part);
    }
    if (share && sharingState) {
      divergeStreams(this.state, sharingState.streams);
      share.misses++;
      if (sharingState.shareable) share.put(this.unitTarget().signature, unit, made, sharingState.streams);
    }
  }

  /**
   * One rectangle: its header and payload, or Raw when the chosen encoder
   * gives up. With `keep`, returns what was written for the shared cache.
   */
  private write(enc: Encoder, input: EncodeInput, rawBytes: number, keep = false): SharedPart | null {
    const parts = this.parts;
    const t = parts.target;
    const before = t.length;
    const pixels = input.rect.w * input.rect.h;
    writeRectHeader(t, input.rect, enc.encoding);
    let outcome = enc.encode(input, t);
    let encoding = enc.encoding;
    const lossy = enc.lossy === true && outcome !== 'too-big';
    if (lossy) this.lossyRects.push(input.rect);
    if (outcome === 'too-big') {
      t.truncate(before);
      writeRectHeader(t, input.rect, Encoding.Raw);
      outcome = this.choice.raw.encode(input, t);
      encoding = Encoding.Raw;
    }
    if (outcome === 'written' || outcome === 'too-big') {
      parts.rect({ encoding, pixels, bytes: t.length - before, rawBytes });
      return keep ? { rect: input.rect, encoding, payload: Buffer.from(t.view().subarray(before + RECT_HEADER_BYTES)), rawBytes, lossy } : null;
    }
    parts.pending({ encoding, pixels, bytes: t.length - before, rawBytes }, outcome);
    return keep ? { rect: input.rect, encoding, payload: outcome, rawBytes, lossy } : null;
  }

  /** Where shared and offloaded units go, with what decides their bytes. */
  private unitTarget(): UnitTarget {
    const { parts, state, converter, encodingList: encodings, lossless } = this;
    return { parts, state, converter, compressLevel: this.choice.clientCompressLevel, encodings, lossless, signature: lossless ? `${this.signature}|lossless` : this.signature, lossy: this.lossyRects };
  }

  /** Whether the cursor painted for this client lies in `r` (its pixels are then this client's own). */
  private overlayTouches(r: Rect): boolean {
    return !!this.overlay && intersectRect(this.overlay.rect, r) !== null;
  }

  /**
   * Write `unit` as Raw by converting the frame straight into `out`: no
   * scratch copy, no classification. Only for clients whose Raw pixels are
   * their values as this host stores them (`direct` in encodeAll), and only
   * where the payload starts 4-byte aligned in `out` (a typed-array view needs
   * it); returns false, having written nothing, otherwise.
   */
  private rawIntoOutput(frame: Frame, unit: Rect, out: ByteWriter): boolean {
    const n = unit.w * unit.h;
    const buf = out.raw(RECT_HEADER_BYTES + n * 4);
    const at = buf.byteOffset + out.length + RECT_HEADER_BYTES;
    if (at % 4 !== 0) return false;
    writeRectHeader(out, unit, Encoding.Raw);
    this.convert(frame, unit, new Uint32Array(buf.buffer, at, n));
    out.advance(n * 4);
    this.parts.rect({ encoding: Encoding.Raw, pixels: n, bytes: RECT_HEADER_BYTES + n * 4, rawBytes: n * 4 });
    return true;
  }
}

const NO_PIXELS = new Uint32Array(0);


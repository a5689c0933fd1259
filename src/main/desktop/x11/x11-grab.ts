import type { GetImageReply } from 'x11';
import type { Frame } from '../../framebuffer/frame.js';
import type { Rect } from '../../framebuffer/rect.js';
import { X11Error, type X11Connection } from './x11-connection.js';
import { copyPixels, maskInPlace, u32View } from './x11-pixels.js';
import type { ShmSegment } from './x11-shm.js';

const ZPIXMAP = 2;
const ALL_PLANES = 0xffffffff;
const DEFAULT_CORE_STRIP_BYTES = 256 * 1024;

/**
 * Areas of the root window read into a frame, by either transport: MIT-SHM
 * GetImage into a shared segment, or core GetImage over the socket in strips
 * of at most `coreStripBytes`. Either way several areas are pipelined, and
 * only an area that is not whole frame rows goes through a scratch buffer
 * (reused from grab to grab).
 */
export class X11Grabber {
  /** Aligned memory for areas that cannot be read straight into the frame. */
  private scratch: Uint8Array = new Uint8Array(0);
  private scratch32: Uint32Array = new Uint32Array(0);

  constructor(private readonly coreStripBytes: number | undefined) {}

  /** Read `rects` through `seg`, as many at once as fit in it. */
  async viaShm(root: number, frame: Frame, rects: Rect[], seg: ShmSegment): Promise<void> {
    let offset = 0;
    let batch: Array<Promise<void>> = [];
    for (const r of rects) {
      const bytes = r.w * r.h * 4;
      if (offset + bytes > seg.size) {
        await settleAll(batch); // the segment is full: wait before reusing it
        batch = [];
        offset = 0;
      }
      const at = offset;
      offset += bytes;
      batch.push(seg.getImage(root, r, at).then((size) => this.copyFromSegment(frame, r, seg, at, size)));
    }
    await settleAll(batch);
  }

  /** Read `rects` with core GetImage, cut into strips no larger than a request may be. */
  async viaCore(conn: X11Connection, root: number, frame: Frame, rects: Rect[]): Promise<void> {
    const budget = Math.max(4096, Math.min(conn.maxRequestBytes, this.coreStripBytes ?? DEFAULT_CORE_STRIP_BYTES));
    const jobs: Array<Promise<void>> = [];
    for (const r of rects) {
      const rowsPerStrip = Math.max(1, Math.floor(budget / (r.w * 4)));
      for (let y = r.y; y < r.y + r.h; y += rowsPerStrip) {
        const strip: Rect = { x: r.x, y, w: r.w, h: Math.min(rowsPerStrip, r.y + r.h - y) };
        jobs.push(
          conn
            .request<GetImageReply>((cb) => conn.client.GetImage(ZPIXMAP, root, strip.x, strip.y, strip.w, strip.h, ALL_PLANES, cb))
            .then((rep) => this.copyCoreStrip(frame, strip, rep.data)),
        );
      }
    }
    await settleAll(jobs);
  }

  /** Free the scratch memory (the screen is stopping). */
  release(): void {
    this.scratch = new Uint8Array(0);
    this.scratch32 = new Uint32Array(0);
  }

  private copyFromSegment(frame: Frame, r: Rect, seg: ShmSegment, offset: number, size: number): void {
    const bytes = r.w * r.h * 4;
    if (size < bytes) throw new X11Error(`MIT-SHM GetImage returned ${size} bytes for ${r.w}x${r.h}`);
    const px = frame.pixels;
    if (r.x === 0 && r.w === frame.stride) {
      // whole rows: read straight into the frame, then clear byte 3 in place
      const start = r.y * frame.stride;
      seg.read(new Uint8Array(px.buffer, px.byteOffset + start * 4, bytes), 0, bytes, offset);
      maskInPlace(px, start, start + r.w * r.h);
      return;
    }
    this.growScratch(seg.size);
    seg.read(this.scratch, offset, bytes, offset);
    copyPixels(this.scratch32, offset >>> 2, r.w, frame, r);
  }

  private copyCoreStrip(frame: Frame, s: Rect, data: Buffer): void {
    const bytes = s.w * s.h * 4;
    if (data.length < bytes) throw new X11Error(`GetImage returned ${data.length} bytes for ${s.w}x${s.h}`);
    let src = u32View(data);
    if (!src) {
      // unaligned reply body: copy into an aligned scratch first
      this.growScratch(bytes);
      this.scratch.set(data.subarray(0, bytes));
      src = this.scratch32;
    }
    copyPixels(src, 0, s.w, frame, s);
  }

  private growScratch(bytes: number): void {
    if (this.scratch.length >= bytes) return;
    this.scratch = new Uint8Array(bytes);
    this.scratch32 = new Uint32Array(this.scratch.buffer);
  }
}

/** Wait for all; then throw the first failure, if any (so nothing is left running behind a rejection). */
async function settleAll(jobs: Array<Promise<void>>): Promise<void> {
  const results = await Promise.allSettled(jobs);
  for (const r of results) if (r.status === 'rejected') throw r.reason;
}

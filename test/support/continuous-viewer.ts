import { PseudoEncoding } from '../../src/main/rfb/constants.js';
import { FakeDisplay, FakeSock, loadNoVncDecoders, type NoVncDecoder } from './novnc-decoder.js';
import { WireSocket } from './wire-socket.js';

/** A display that counts JPEG images without decoding them: the tests using it measure links, not pixels. */
class CountingDisplay extends FakeDisplay {
  override imageRect(x: number, y: number, w: number, h: number, mime: string, data: Uint8Array): void {
    if (mime !== 'image/jpeg') return super.imageRect(x, y, w, h, mime, data);
    this.images.jpeg++;
    this.jpegBytes += data.length;
  }
  jpegBytes = 0;
}

/**
 * A viewer that behaves as noVNC does with a server that has continuous
 * updates and fences: it asks for one full update, turns continuous updates
 * on once the server has said EndOfContinuousUpdates, answers every fence
 * request at once with the flags it supports (BlockBefore, BlockAfter) and
 * the same payload, and decodes with noVNC's own decoders (JPEG images are
 * counted, not decoded). After each update it calls `onUpdate`.
 */
export class ContinuousViewer {
  updates = 0;
  bytes = 0;
  fencesAnswered = 0;
  continuous = false;
  error: Error | null = null;
  onUpdate: ((v: ContinuousViewer) => void) | null = null;
  readonly display: CountingDisplay;
  private readonly sock = new FakeSock();
  private state: 'message' | 'rect' | 'body' = 'message';
  private rectsLeft = 0;
  private rect = { x: 0, y: 0, w: 0, h: 0, enc: 0 };

  private constructor(
    readonly conn: WireSocket,
    readonly width: number,
    readonly height: number,
    private readonly decoders: Map<number, NoVncDecoder>,
  ) {
    this.display = new CountingDisplay(width, height);
  }

  /** Connect (security None) and announce `encodings` (Fence, ContinuousUpdates and LastRect are added). */
  static async connect(port: number, encodings: number[]): Promise<ContinuousViewer> {
    const c = await WireSocket.connect(port);
    const { width, height } = await c.handshakeNone();
    const pf = Buffer.alloc(20);
    pf[4] = 32;
    pf[5] = 24;
    pf[7] = 1;
    pf.writeUInt16BE(255, 8);
    pf.writeUInt16BE(255, 10);
    pf.writeUInt16BE(255, 12);
    pf[15] = 8;
    pf[16] = 16; // noVNC's layout: red at 0, green at 8, blue at 16
    const list = [...encodings, PseudoEncoding.LastRect, PseudoEncoding.Fence, PseudoEncoding.ContinuousUpdates];
    const enc = Buffer.alloc(4 + 4 * list.length);
    enc[0] = 2;
    enc.writeUInt16BE(list.length, 2);
    list.forEach((e, i) => enc.writeInt32BE(e, 4 + 4 * i));
    const req = Buffer.from([3, 0, 0, 0, 0, 0, width >> 8, width & 255, height >> 8, height & 255]);
    c.write(Buffer.concat([pf, enc, req]));
    const v = new ContinuousViewer(c, width, height, await loadNoVncDecoders());
    c.takeOver((d) => v.onData(d));
    return v;
  }

  /** The pixel at (x, y) as 0xRRGGBB. */
  pixel(x: number, y: number): number {
    const o = (y * this.width + x) * 4;
    const p = this.display.rgba;
    return (p[o]! << 16) | (p[o + 1]! << 8) | p[o + 2]!;
  }

  close(): void {
    this.conn.destroy();
  }

  private onData(d: Buffer): void {
    if (this.error) return;
    this.sock.push(d);
    this.bytes += d.length;
    try {
      this.process();
    } catch (e) {
      this.error = e as Error;
    }
  }

  private process(): void {
    const s = this.sock;
    for (;;) {
      if (this.state === 'message') {
        if (s.rQwait('type', 1)) return;
        const type = s.rQpeek8();
        if (type === 0) {
          if (s.rQwait('update', 4)) return;
          s.rQskipBytes(2);
          this.rectsLeft = s.rQshift16();
          this.state = 'rect';
          if (this.rectsLeft === 0) this.finishUpdate();
        } else if (type === 150) {
          s.rQskipBytes(1);
          if (!this.continuous) this.enableContinuous();
        } else if (type === 248) {
          if (s.rQwait('fence', 9)) return;
          const len = s._rQ[s._rQi + 8]!;
          if (s.rQwait('fence', 9 + len)) return;
          s.rQskipBytes(4);
          const flags = s.rQshift32();
          s.rQskipBytes(1);
          const payload = s.rQshiftBytes(len);
          if (!(flags & 0x80000000)) throw new Error('unexpected fence response');
          this.answerFence(flags & 0x3, payload);
        } else {
          throw new Error(`unexpected server message ${type}`);
        }
      } else if (this.state === 'rect') {
        if (s.rQwait('rect', 12)) return;
        this.rect = { x: s.rQshift16(), y: s.rQshift16(), w: s.rQshift16(), h: s.rQshift16(), enc: s.rQshift32() | 0 };
        if (this.rect.enc === PseudoEncoding.LastRect) {
          this.finishUpdate();
          continue;
        }
        this.state = 'body';
      } else {
        const { x, y, w, h, enc } = this.rect;
        const dec = this.decoders.get(enc);
        if (!dec) throw new Error(`no decoder for encoding ${enc}`);
        if (!dec.decodeRect(x, y, w, h, s, this.display, 24)) return;
        if (--this.rectsLeft === 0) this.finishUpdate();
        else this.state = 'rect';
      }
    }
  }

  private finishUpdate(): void {
    this.state = 'message';
    this.updates++;
    this.onUpdate?.(this);
  }

  private enableContinuous(): void {
    this.continuous = true;
    const b = Buffer.from([150, 1, 0, 0, 0, 0, this.width >> 8, this.width & 255, this.height >> 8, this.height & 255]);
    this.conn.write(b);
  }

  private answerFence(flags: number, payload: Uint8Array): void {
    const b = Buffer.alloc(9 + payload.length);
    b[0] = 248;
    b.writeUInt32BE(flags, 4);
    b[8] = payload.length;
    b.set(payload, 9);
    this.conn.write(b);
    this.fencesAnswered++;
  }
}

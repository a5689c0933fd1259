import { WireSocket } from './wire-socket.js';

export interface Rect12 {
  x: number;
  y: number;
  w: number;
  h: number;
  encoding: number;
  payload: Buffer;
}

export interface ServerMessage {
  type: number;
  rects?: Rect12[];
  colourMap?: { first: number; colours: Array<[number, number, number]> };
  raw?: Buffer;
  extended?: boolean;
  fenceFlags?: number;
}

/**
 * A scripted viewer for session tests: None auth, chosen pixel format,
 * encodings limited to those whose payload length it can tell (Raw, the
 * size/name pseudo-encodings, CopyRect).
 */
export class TestViewer {
  width = 0;
  height = 0;
  name = '';
  bpp = 4;

  private constructor(readonly sock: WireSocket) {}

  /** A viewer on a connection whose handshake was done elsewhere (another security type), from its ServerInit. */
  static over(sock: WireSocket, init: { width: number; height: number; name: string }): TestViewer {
    const v = new TestViewer(sock);
    ({ width: v.width, height: v.height, name: v.name } = init);
    return v;
  }

  static async connect(port: number, shared = true, localAddress?: string): Promise<TestViewer> {
    const s = await WireSocket.connect(port, '127.0.0.1', localAddress);
    const v = new TestViewer(s);
    ({ width: v.width, height: v.height, name: v.name } = await s.handshakeNone(shared));
    return v;
  }

  setPixelFormat(f: { bpp: number; depth: number; bigEndian?: boolean; trueColour: boolean; max?: [number, number, number]; shift?: [number, number, number] }): void {
    const b = Buffer.alloc(20);
    b[4] = f.bpp;
    b[5] = f.depth;
    b[6] = f.bigEndian ? 1 : 0;
    b[7] = f.trueColour ? 1 : 0;
    const [rm, gm, bm] = f.max ?? [0, 0, 0];
    b.writeUInt16BE(rm, 8);
    b.writeUInt16BE(gm, 10);
    b.writeUInt16BE(bm, 12);
    const [rs, gs, bs] = f.shift ?? [0, 0, 0];
    b[14] = rs;
    b[15] = gs;
    b[16] = bs;
    this.bpp = f.bpp / 8;
    this.sock.write(b);
  }

  setEncodings(list: number[]): void {
    const b = Buffer.alloc(4 + 4 * list.length);
    b[0] = 2;
    b.writeUInt16BE(list.length, 2);
    list.forEach((e, i) => b.writeInt32BE(e, 4 + 4 * i));
    this.sock.write(b);
  }

  request(incremental: boolean, area?: { x: number; y: number; w: number; h: number }): void {
    const a = area ?? { x: 0, y: 0, w: this.width, h: this.height };
    const b = Buffer.alloc(10);
    b[0] = 3;
    b[1] = incremental ? 1 : 0;
    b.writeUInt16BE(a.x, 2);
    b.writeUInt16BE(a.y, 4);
    b.writeUInt16BE(a.w, 6);
    b.writeUInt16BE(a.h, 8);
    this.sock.write(b);
  }

  /** Read the next server message. */
  async next(timeoutMs = 5000): Promise<ServerMessage> {
    const s = this.sock;
    const type = (await s.read(1, timeoutMs))[0]!;
    switch (type) {
      case 0: {
        await s.read(1);
        const count = await s.u16();
        const rects: Rect12[] = [];
        for (let i = 0; i < count; i++) {
          const h = await s.read(12, timeoutMs);
          const r = { x: h.readUInt16BE(0), y: h.readUInt16BE(2), w: h.readUInt16BE(4), h: h.readUInt16BE(6), encoding: h.readInt32BE(8) };
          let payload: Buffer;
          if (r.encoding === 0) payload = await s.read(r.w * r.h * this.bpp, timeoutMs);
          else if (r.encoding === 1) payload = await s.read(4);
          else if (r.encoding === -223) payload = Buffer.alloc(0);
          else if (r.encoding === -307) payload = await s.read(await s.u32());
          else if (r.encoding === -239) payload = await s.read(r.w * r.h * this.bpp + ((r.w + 7) >> 3) * r.h); // pixels + mask
          else if (r.encoding === -308) {
            const n = await s.read(4);
            payload = Buffer.concat([n, await s.read(16 * n[0]!)]);
          } else throw new Error(`test viewer cannot read encoding ${r.encoding}`);
          if (r.encoding === -223 || r.encoding === -308) {
            this.width = r.w;
            this.height = r.h;
          }
          rects.push({ ...r, payload });
        }
        return { type, rects };
      }
      case 1: {
        await s.read(1);
        const first = await s.u16();
        const n = await s.u16();
        const colours: Array<[number, number, number]> = [];
        for (let i = 0; i < n; i++) colours.push([await s.u16(), await s.u16(), await s.u16()]);
        return { type, colourMap: { first, colours } };
      }
      case 2:
        return { type };
      case 3: {
        await s.read(3);
        const len = await s.s32();
        // A negative length is an Extended Clipboard message of |len| bytes.
        return len < 0 ? { type, raw: await s.read(-len), extended: true } : { type, raw: await s.read(len), extended: false };
      }
      case 150:
        return { type };
      case 248: {
        await s.read(3);
        const flags = await s.u32();
        return { type, fenceFlags: flags, raw: await s.read(await s.u8()) };
      }
      default:
        throw new Error(`unknown server message ${type}`);
    }
  }

  /** Read messages until a FramebufferUpdate arrives. */
  async nextUpdate(timeoutMs = 5000): Promise<Rect12[]> {
    for (;;) {
      const m = await this.next(timeoutMs);
      if (m.type === 0) return m.rects!;
    }
  }

  key(keysym: number, down: boolean): void {
    const b = Buffer.alloc(8);
    b[0] = 4;
    b[1] = down ? 1 : 0;
    b.writeUInt32BE(keysym, 4);
    this.sock.write(b);
  }

  pointer(x: number, y: number, buttons: number): void {
    const b = Buffer.alloc(6);
    b[0] = 5;
    b[1] = buttons;
    b.writeUInt16BE(x, 2);
    b.writeUInt16BE(y, 4);
    this.sock.write(b);
  }

  /** ClientCutText: Latin-1 text, or (extended) a raw Extended Clipboard payload sent with a negative length. */
  cutText(payload: Buffer, extended = false): void {
    const b = Buffer.alloc(8 + payload.length);
    b[0] = 6;
    b.writeInt32BE(extended ? -payload.length : payload.length, 4);
    payload.copy(b, 8);
    this.sock.write(b);
  }

  enableContinuousUpdates(enable: boolean): void {
    const b = Buffer.alloc(10);
    b[0] = 150;
    b[1] = enable ? 1 : 0;
    b.writeUInt16BE(this.width, 6);
    b.writeUInt16BE(this.height, 8);
    this.sock.write(b);
  }

  fence(flags: number, payload: Buffer): void {
    const b = Buffer.alloc(9 + payload.length);
    b[0] = 248;
    b.writeUInt32BE(flags >>> 0, 4);
    b[8] = payload.length;
    payload.copy(b, 9);
    this.sock.write(b);
  }

  close(): void {
    this.sock.destroy();
  }
}

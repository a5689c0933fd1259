// A minimal RFB 3.8 client for the benchmark: None security (or VNC
// Authentication when given a password), 32 bpp depth 24 little-endian true
// colour, one encoding list, and a parser that finds where each
// FramebufferUpdate ends without decoding pixels (Tight included). Large
// opaque payloads (Raw pixels, zlib/ZRLE/Tight data, RRE subrect arrays) are
// skipped as they arrive, never buffered, so the client's cost stays small.

import { connect } from 'node:net';
import { handshakeStep, vncAuthResponse } from './rfb-handshake.mjs';
import { ProtocolError, hextileTileLen, trleTileLen, tightRectLen } from './rfb-tiles.mjs';

export const ENC = {
  Raw: 0,
  CopyRect: 1,
  RRE: 2,
  CoRRE: 4,
  Hextile: 5,
  Zlib: 6,
  Tight: 7,
  TRLE: 15,
  ZRLE: 16,
  TightPNG: -260,
  DesktopSize: -223,
  LastRect: -224,
  Cursor: -239,
  ExtendedDesktopSize: -308,
};
const ENC_NAME = new Map(Object.entries(ENC).map(([k, v]) => [v, k]));
export { vncAuthResponse };
export const encName = (n) => ENC_NAME.get(n) ?? `enc(${n})`;
/** Pseudo-encodings: JPEG quality level 0-9 and compression level 0-9 (Tight and others). */
export const qualityLevel = (q) => -32 + q;
export const compressLevel = (c) => -256 + c;

const BPP = 4; // bytes per pixel of the format we set

/**
 * Connect, handshake and set the pixel format. `password`: use VNC
 * Authentication (type 2) instead of None; `localAddress`: the loopback
 * address (127.x.y.z) to connect from, so many viewers are not one address to
 * the server's per-address limits. Resolves with a client:
 *   { width, height, name, setEncodings(list), request(incremental, x?, y?, w?, h?), key(down, keysym),
 *     pointer(x, y, mask), nextUpdate(timeoutMs) -> Promise<update>, onUpdate, close(), pause(), resume(), bytesIn }
 * update = { bytes, rects, pixels, encodings: {name: count}, tight: {kind: count}, requestedAt, doneAt, ms }
 */
export function openRfb(port, { timeoutMs = 10000, password = null, localAddress = undefined } = {}) {
  return new Promise((resolve, reject) => {
    const sock = connect({ port, host: '127.0.0.1', ...(localAddress ? { localAddress } : {}) });
    sock.setNoDelay(true);
    let buf = Buffer.alloc(0);
    let off = 0;
    let skip = 0; // bytes to drop as they arrive (opaque payload)
    let phase = 'banner';
    let settled = false;
    let failure = null;
    const client = {
      width: 0,
      height: 0,
      name: '',
      serverVersion: '',
      lastRequestAt: 0,
      /** Record each rectangle's geometry and bytes in update.rectList. */
      keepRects: false,
      onUpdate: null,
      updates: 0,
      failed: () => failure,
      setEncodings(asked) {
        // LastRect as every real viewer sends it (noVNC, TigerVNC, libvncclient): a
        // server may then stream a big update while it encodes it.
        const list = asked.includes(ENC.LastRect) ? asked : [...asked, ENC.LastRect];
        const b = Buffer.alloc(4 + 4 * list.length);
        b[0] = 2;
        b.writeUInt16BE(list.length, 2);
        list.forEach((e, i) => b.writeInt32BE(e, 4 + 4 * i));
        sock.write(b);
      },
      request(incremental, x = 0, y = 0, w = client.width, h = client.height) {
        const b = Buffer.alloc(10);
        b[0] = 3;
        b[1] = incremental ? 1 : 0;
        b.writeUInt16BE(x, 2);
        b.writeUInt16BE(y, 4);
        b.writeUInt16BE(w, 6);
        b.writeUInt16BE(h, 8);
        client.lastRequestAt = performance.now();
        sock.write(b);
      },
      /** Resolve with the next completed update (or reject on timeout / error). */
      nextUpdate(ms = 10000) {
        return new Promise((res, rej) => {
          if (failure) return rej(failure);
          const t = setTimeout(() => {
            waiters.delete(w);
            rej(new Error(`no complete FramebufferUpdate within ${ms} ms (${describeState()})`));
          }, ms);
          const w = {
            res: (u) => {
              clearTimeout(t);
              res(u);
            },
            rej: (e) => {
              clearTimeout(t);
              rej(e);
            },
          };
          waiters.add(w);
        });
      },
      /** KeyEvent (RFC 6143 §7.5.4): press or release of an X keysym. */
      key(down, keysym) {
        const b = Buffer.alloc(8);
        b[0] = 4;
        b[1] = down ? 1 : 0;
        b.writeUInt32BE(keysym >>> 0, 4);
        sock.write(b);
      },
      /** PointerEvent (RFC 6143 §7.5.5). */
      pointer(x, y, mask = 0) {
        const b = Buffer.alloc(6);
        b[0] = 5;
        b[1] = mask;
        b.writeUInt16BE(x, 2);
        b.writeUInt16BE(y, 4);
        sock.write(b);
      },
      close() {
        sock.destroy();
      },
      /** Stop reading the socket (a stalled viewer: what the server sends piles up in the socket buffers, then in the server). */
      pause() {
        sock.pause();
      },
      resume() {
        sock.resume();
      },
      /** Bytes received so far, handshake included. */
      bytesIn: 0,
    };
    const waiters = new Set();

    const fail = (e) => {
      if (failure) return;
      failure = e instanceof Error ? e : new Error(String(e));
      for (const w of waiters) w.rej(failure);
      waiters.clear();
      if (!settled) {
        settled = true;
        reject(failure);
      }
      sock.destroy();
    };
    const handshakeTimer = setTimeout(() => fail(new Error(`RFB handshake timed out after ${timeoutMs} ms in phase ${phase}`)), timeoutMs);

    // ---- update parsing state ----
    let upd = null; // current update being received
    let rectsLeft = 0;
    let rect = null; // { x, y, w, h, enc, stage, ... }

    const describeState = () => `phase=${phase} rectsLeft=${rectsLeft} rect=${rect ? `${encName(rect.enc)} ${rect.w}x${rect.h}+${rect.x}+${rect.y} stage=${rect.stage}` : '-'} skip=${skip} buffered=${buf.length - off}`;

    const avail = () => buf.length - off;

    let pendingFinish = false; // the last rectangle is parsed; its payload is still arriving

    function finishRect() {
      if (rect.rec) rect.rec.bytes = upd.bytes - rect.rec.bytes;
      rect = null;
      rectsLeft--;
      if (rectsLeft === 0) {
        if (skip > 0) pendingFinish = true;
        else finishUpdate();
      }
    }

    function finishUpdate() {
      const now = performance.now();
      upd.doneAt = now;
      upd.ms = now - upd.requestedAt;
      const u = upd;
      upd = null;
      phase = 'msg';
      client.updates++;
      client.onUpdate?.(u);
      for (const w of waiters) w.res(u);
      waiters.clear();
    }

    /** Tile iteration for Hextile/TRLE (16×16, left to right, top to bottom). Returns false when waiting. */
    function stepTiles(lenOf) {
      while (rect.ty < rect.y + rect.h) {
        const tw = Math.min(16, rect.x + rect.w - rect.tx);
        const th = Math.min(16, rect.y + rect.h - rect.ty);
        const len = lenOf(buf, off, tw, th, rect);
        if (len < 0 || avail() < len) return false; // a tile is at most 1025 bytes: wait for all of it
        consume(len);
        rect.tx += 16;
        if (rect.tx >= rect.x + rect.w) {
          rect.tx = rect.x;
          rect.ty += 16;
        }
      }
      finishRect();
      return true;
    }

    function stepRect() {
      switch (rect.enc) {
        case ENC.Raw:
          skipPayload(rect.w * rect.h * BPP);
          finishRect();
          return true;
        case ENC.CopyRect:
          if (avail() < 4) return false;
          consume(4);
          finishRect();
          return true;
        case ENC.RRE:
        case ENC.CoRRE: {
          if (avail() < 4 + BPP) return false;
          const n = buf.readUInt32BE(off);
          consume(4 + BPP);
          rect.subrects = n;
          skipPayload(n * (BPP + (rect.enc === ENC.RRE ? 8 : 4)));
          finishRect();
          return true;
        }
        case ENC.Zlib:
        case ENC.ZRLE: {
          if (avail() < 4) return false;
          const n = buf.readUInt32BE(off);
          consume(4);
          skipPayload(n);
          finishRect();
          return true;
        }
        case ENC.Hextile:
          return stepTiles(hextileTileLen);
        case ENC.TRLE:
          return stepTiles(trleTileLen);
        case ENC.Tight:
        case ENC.TightPNG: {
          const t = tightRectLen(buf, off, rect.w, rect.h);
          if (!t) return false; // headers are small (at most ~780 bytes): wait for all of them
          consume(t.header);
          upd.tight[t.kind] = (upd.tight[t.kind] ?? 0) + 1;
          if (t.resets) upd.tight.resets = (upd.tight.resets ?? 0) + 1;
          skipPayload(t.payload);
          finishRect();
          return true;
        }
        case ENC.DesktopSize:
          client.width = rect.w;
          client.height = rect.h;
          finishRect();
          return true;
        case ENC.LastRect:
          rectsLeft = 1;
          finishRect();
          return true;
        case ENC.Cursor:
          skipPayload(rect.w * rect.h * BPP + Math.floor((rect.w + 7) / 8) * rect.h);
          finishRect();
          return true;
        case ENC.ExtendedDesktopSize: {
          if (avail() < 4) return false;
          const n = buf[off];
          if (avail() < 4 + 16 * n) return false;
          consume(4 + 16 * n);
          client.width = rect.w;
          client.height = rect.h;
          finishRect();
          return true;
        }
        default:
          throw new ProtocolError(`unexpected rectangle encoding ${rect.enc} (${rect.w}x${rect.h}+${rect.x}+${rect.y})`);
      }
    }

    function consume(n) {
      off += n;
      if (upd) upd.bytes += n;
    }
    function skipPayload(n) {
      const take = Math.min(n, avail());
      off += take;
      skip += n - take;
      upd.bytes += n;
    }

    function parse() {
      for (let guard = 0; guard < 10_000_000; guard++) {
        if (skip > 0) return;
        if (phase !== 'serverinit' && phase !== 'msg' && phase !== 'rects') {
          // the security handshake, up to ServerInit
          const step = handshakeStep(phase, buf, off, password);
          if (!step) return;
          if (step.version) client.serverVersion = step.version;
          if (step.reply) sock.write(step.reply);
          off += step.used;
          phase = step.phase;
        } else if (phase === 'serverinit') {
          if (avail() < 24) return;
          const len = buf.readUInt32BE(off + 20);
          if (avail() < 24 + len) return;
          client.width = buf.readUInt16BE(off);
          client.height = buf.readUInt16BE(off + 2);
          client.name = buf.toString('utf8', off + 24, off + 24 + len);
          off += 24 + len;
          // SetPixelFormat: 32 bpp, depth 24, little-endian, true colour, 255/255/255, shifts 16/8/0
          const pf = Buffer.from([0, 0, 0, 0, 32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0, 0, 0, 0]);
          sock.write(pf);
          phase = 'msg';
          clearTimeout(handshakeTimer);
          settled = true;
          resolve(client);
        } else if (phase === 'msg') {
          if (avail() < 1) return;
          const type = buf[off];
          if (type === 0) {
            if (avail() < 4) return;
            rectsLeft = buf.readUInt16BE(off + 2);
            off += 4;
            upd = { bytes: 4, rects: 0, pixels: 0, encodings: {}, tight: {}, rectList: [], requestedAt: client.lastRequestAt, doneAt: 0, ms: 0 };
            phase = 'rects';
            if (rectsLeft === 0) finishUpdate();
          } else if (type === 1) {
            if (avail() < 6) return;
            const n = buf.readUInt16BE(off + 4);
            if (avail() < 6 + 6 * n) return;
            off += 6 + 6 * n;
          } else if (type === 2) {
            off += 1;
          } else if (type === 3) {
            if (avail() < 8) return;
            const n = buf.readUInt32BE(off + 4);
            off += 8;
            const take = Math.min(n, avail());
            off += take;
            skip += n - take; // ServerCutText
          } else if (type === 150) {
            off += 1;
          } else if (type === 248) {
            if (avail() < 9) return;
            const n = buf[off + 8];
            if (avail() < 9 + n) return;
            off += 9 + n;
          } else {
            throw new ProtocolError(`unknown server message type ${type}`);
          }
        } else if (phase === 'rects') {
          if (!rect) {
            if (avail() < 12) return;
            rect = {
              x: buf.readUInt16BE(off),
              y: buf.readUInt16BE(off + 2),
              w: buf.readUInt16BE(off + 4),
              h: buf.readUInt16BE(off + 6),
              enc: buf.readInt32BE(off + 8),
              palette: 0,
            };
            rect.tx = rect.x;
            rect.ty = rect.y;
            consume(12);
            upd.rects++;
            if (rect.enc >= 0) upd.pixels += rect.w * rect.h;
            if (client.keepRects && upd.rectList.length < 10000) {
              rect.rec = { x: rect.x, y: rect.y, w: rect.w, h: rect.h, enc: rect.enc, bytes: upd.bytes - 12 };
              upd.rectList.push(rect.rec);
            }
            const nm = encName(rect.enc);
            upd.encodings[nm] = (upd.encodings[nm] ?? 0) + 1;
            if (rect.enc >= 0 && (rect.x + rect.w > client.width || rect.y + rect.h > client.height)) {
              throw new ProtocolError(`rectangle ${rect.w}x${rect.h}+${rect.x}+${rect.y} outside the ${client.width}x${client.height} framebuffer`);
            }
          }
          if (!stepRect()) return;
        }
      }
      throw new Error('parser guard exceeded');
    }

    sock.on('data', (chunk) => {
      client.bytesIn += chunk.length;
      if (failure) return;
      if (skip > 0) {
        const take = Math.min(skip, chunk.length);
        skip -= take;
        chunk = chunk.subarray(take);
        if (skip === 0 && pendingFinish) {
          pendingFinish = false;
          finishUpdate();
        }
        if (chunk.length === 0 && skip > 0) return;
      }
      if (off >= buf.length) {
        buf = chunk;
      } else {
        buf = Buffer.concat([buf.subarray(off), chunk]);
      }
      off = 0;
      try {
        parse();
      } catch (e) {
        fail(e);
      }
    });
    sock.on('error', (e) => fail(e));
    sock.on('close', () => fail(new Error(`connection closed by server (${describeState()})`)));
  });
}

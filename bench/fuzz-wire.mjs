// The client side of bench/fuzz.mjs's connections: a socket from a chosen
// loopback address whose reads all have a deadline, and TLS over it (with a
// tap that can corrupt the TLS records on their way out). RSA-AES is in
// bench/fuzz-ra2.mjs. Every wait here is bounded.

import { connect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { Duplex } from 'node:stream';

/**
 * Plain bytes from the server as they arrive (after TLS or the record
 * cipher), read in exact amounts with a deadline; or, once `scan` is on,
 * dropped as they come while a needle (a fence's payload) is looked for.
 */
class Inbox {
  buf = Buffer.alloc(0);
  closed = false;
  waiter = null;
  needle = null;
  tail = Buffer.alloc(0);

  push(chunk) {
    if (this.needle) {
      const hay = Buffer.concat([this.tail, chunk]);
      if (hay.includes(this.needle.bytes)) {
        const n = this.needle;
        this.needle = null;
        n.resolve(true);
      }
      this.tail = hay.subarray(Math.max(0, hay.length - 64));
      return;
    }
    if (this.waiter === null && this.buf.length > 1 << 20) return; // nobody reads: keep memory bounded
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    this.serve();
  }

  close() {
    this.closed = true;
    this.serve();
    if (this.needle) {
      const n = this.needle;
      this.needle = null;
      n.resolve(false);
    }
  }

  serve() {
    const w = this.waiter;
    if (!w) return;
    if (this.buf.length >= w.n) {
      this.waiter = null;
      clearTimeout(w.timer);
      const out = this.buf.subarray(0, w.n);
      this.buf = this.buf.subarray(w.n);
      w.resolve(out);
    } else if (this.closed) {
      this.waiter = null;
      clearTimeout(w.timer);
      w.resolve(null);
    }
  }

  /** The next `n` bytes, or null when the connection closed or `ms` passed first. */
  read(n, ms) {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiter = null;
        resolve(null);
      }, ms);
      this.waiter = { n, resolve, timer };
      this.serve();
    });
  }

  /** Resolve true when `bytes` has come (looking only at what arrives from now on), false on close or after `ms`. */
  waitFor(bytes, ms) {
    this.buf = Buffer.alloc(0);
    this.tail = Buffer.alloc(0);
    if (this.closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.needle = null;
        resolve(false);
      }, ms);
      this.needle = {
        bytes,
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v);
        },
      };
    });
  }
}

/**
 * One connection. `write` goes through whatever carries the session now
 * (the socket, TLS, or the RSA-AES records); `inbox` holds what came back.
 */
export class Wire {
  constructor(sock) {
    this.sock = sock;
    this.inbox = new Inbox();
    this.closed = false;
    this.closedAt = 0;
    this.out = (b) => this.sock.write(b);
    this.onPlain = (c) => this.inbox.push(c);
    sock.on('data', (c) => this.onPlain(c));
    sock.on('error', () => {});
    sock.on('close', () => {
      this.closed = true;
      this.closedAt = performance.now();
      this.inbox.close();
    });
  }

  /** Connect from `localAddress`; null when the connection fails or takes longer than `ms`. */
  static open(port, localAddress, ms = 3000) {
    return new Promise((resolve) => {
      const sock = connect({ port, host: '127.0.0.1', localAddress });
      sock.setNoDelay(true);
      const timer = setTimeout(() => {
        sock.destroy();
        resolve(null);
      }, ms);
      sock.once('connect', () => {
        clearTimeout(timer);
        resolve(new Wire(sock));
      });
      sock.once('error', () => {
        clearTimeout(timer);
        sock.destroy();
        resolve(null);
      });
    });
  }

  read(n, ms = 2000) {
    return this.inbox.read(n, ms);
  }

  write(b) {
    if (!this.closed && b.length > 0) this.out(b);
  }

  /** Write `b` in random pieces (so messages straddle the server's reads), a few at a time per tick. */
  async writeSplit(r, b) {
    for (let off = 0; off < b.length && !this.closed; ) {
      const n = 1 + r.int(r.chance(0.5) ? 8 : 256);
      this.write(b.subarray(off, off + n));
      off += n;
      if (r.chance(0.2)) await new Promise((res) => setImmediate(res));
    }
  }

  /** Wait until the server closes (true) or `ms` passes (false). */
  waitClose(ms) {
    if (this.closed) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      this.sock.once('close', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  destroy() {
    this.tls?.destroy();
    this.sock.destroy();
  }

  /**
   * Start TLS as the client over this connection. `corrupt(chunk)` sees every
   * TLS record going out and returns what to send instead (the ClientHello
   * first). Resolves true once the handshake is done, false if it failed.
   */
  startTls({ anon, corrupt = null, ms = 4000 }) {
    const raw = this.sock;
    raw.removeAllListeners('data');
    const tap = new Duplex({
      read() {},
      write(chunk, _enc, cb) {
        const out = tap.corrupt ? tap.corrupt(chunk) : chunk;
        if (out.length > 0 && !raw.destroyed) raw.write(out);
        cb();
      },
      final(cb) {
        raw.end();
        cb();
      },
    });
    tap.corrupt = corrupt;
    raw.on('data', (c) => tap.push(c));
    raw.on('close', () => tap.push(null));
    this.tap = tap;
    const tls = tlsConnect({
      socket: tap,
      rejectUnauthorized: false,
      minVersion: 'TLSv1.2',
      maxVersion: 'TLSv1.2',
      ...(anon ? { ciphers: 'ADH-AES128-GCM-SHA256:AECDH-AES128-SHA:ADH-AES256-GCM-SHA384@SECLEVEL=0' } : {}),
    });
    this.tls = tls;
    tls.on('error', () => {});
    tls.on('data', (c) => this.onPlain(c));
    tls.on('close', () => raw.destroy());
    this.out = (b) => tls.write(b);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      tls.once('secureConnect', () => {
        clearTimeout(timer);
        resolve(true);
      });
      tls.once('error', () => {
        clearTimeout(timer);
        resolve(false);
      });
      tls.once('close', () => {
        clearTimeout(timer);
        resolve(false);
      });
    });
  }

  /** Bytes straight onto the socket, under TLS or the record cipher (garbage in the record layer). */
  writeRaw(b) {
    if (!this.sock.destroyed) this.sock.write(b);
  }
}

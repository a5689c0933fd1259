/**
 * A minimal stand-in for the handshake runner, to test one SecurityType on
 * a real loopback connection: it gives the type a SecurityIo over the
 * socket (with a real TLS upgrade), runs authenticate(), then writes the
 * RFB 3.8 SecurityResult (RFC 6143 §7.1.3) through the same io, as the
 * runner does. Also the byte reader the tests' clients use.
 */
import net from 'node:net';
import tls, { type TlsOptions } from 'node:tls';
import type { Duplex } from 'node:stream';
import type { AuthOutcome, Credentials, SecurityKeys, SecurityType } from '../../src/main/rfb/security/security-type.js';

/** Exact-length reads from a stream with a deadline; notices the end of the stream. */
export class StreamReader {
  private buf = Buffer.alloc(0);
  private waiters: Array<() => void> = [];
  ended = false;
  private readonly onData = (d: Buffer) => {
    this.buf = Buffer.concat([this.buf, d]);
    this.notify();
  };
  private readonly onEnd = () => {
    this.ended = true;
    this.notify();
  };

  constructor(readonly stream: Duplex) {
    stream.on('data', this.onData);
    stream.on('end', this.onEnd);
    stream.on('close', this.onEnd);
    stream.on('error', this.onEnd);
  }

  private notify(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  async read(n: number, timeoutMs = 5000): Promise<Buffer> {
    const deadline = Date.now() + timeoutMs;
    while (this.buf.length < n) {
      if (this.ended) throw new Error(`connection closed with ${this.buf.length} of ${n} bytes`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${n} bytes (have ${this.buf.length})`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    const out = Buffer.from(this.buf.subarray(0, n));
    this.buf = this.buf.subarray(n);
    return out;
  }

  /** Resolve once the peer closed; what was left unread. */
  async closed(timeoutMs = 5000): Promise<Buffer> {
    const deadline = Date.now() + timeoutMs;
    while (!this.ended) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('timed out waiting for the connection to close');
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return this.buf;
  }

  /** Stop reading (to hand the stream to TLS); anything unread is returned. */
  detach(): Buffer {
    this.stream.off('data', this.onData);
    this.stream.off('end', this.onEnd);
    this.stream.off('close', this.onEnd);
    this.stream.off('error', this.onEnd);
    const rest = this.buf;
    this.buf = Buffer.alloc(0);
    return rest;
  }
}

export interface ConnectionResult {
  outcome?: AuthOutcome;
  /** The error authenticate() threw (a protocol error or a dead connection). */
  error?: Error;
  /** Whether TLS was started, and with what. */
  tls?: { protocol: string | null; cipher: string; handshakeMs: number };
}

export interface Harness {
  port: number;
  /** One promise per accepted connection, in order: how authenticate() ended. */
  next(): Promise<ConnectionResult>;
  close(): Promise<void>;
}

/** Serve `type` on 127.0.0.1; each connection runs authenticate() then SecurityResult. */
export async function serveSecurityType(
  type: SecurityType,
  credentials: Credentials,
  keys: SecurityKeys,
  /** What to do after a successful SecurityResult (e.g. answer ClientInit), through the same (maybe TLS) stream. */
  after?: AfterAuth,
  /** Start with RFB 3.8's version exchange and a list of this one security type (for real viewers). */
  rfbPrelude = false,
): Promise<Harness> {
  const results: Array<Promise<ConnectionResult>> = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    results.push(handle(socket, type, credentials, keys, after, rfbPrelude));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  let taken = 0;
  return {
    port: (server.address() as net.AddressInfo).port,
    async next() {
      const deadline = Date.now() + 5000;
      for (let i = 0; i < 500 && results.length <= taken && Date.now() < deadline; i++) await new Promise((r) => setTimeout(r, 10));
      const p = results[taken++];
      if (!p) throw new Error('no connection arrived');
      return p;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export type AfterAuth = (io: { read(n: number): Promise<Buffer>; write(data: Buffer): void }) => Promise<void>;

async function handle(
  socket: net.Socket,
  type: SecurityType,
  credentials: Credentials,
  keys: SecurityKeys,
  after: AfterAuth | undefined,
  rfbPrelude: boolean,
): Promise<ConnectionResult> {
  let stream: Duplex = socket;
  let reader = new StreamReader(socket);
  const result: ConnectionResult = {};
  // The runner's handshake timeout: no test may hang on a silent client.
  const timer = setTimeout(() => stream.destroy(), 8000);
  const io = {
    address: '127.0.0.1',
    minor: 8 as const,
    read: (n: number) => reader.read(n, 8000),
    write: (data: Buffer) => void stream.write(data),
    startTls: async (options: TlsOptions) => {
      const rest = reader.detach();
      if (rest.length > 0) throw new Error('client sent TLS data before the go-ahead byte');
      const t0 = performance.now();
      const secure = new tls.TLSSocket(socket, { isServer: true, secureContext: tls.createSecureContext(options) });
      await new Promise<void>((resolve, reject) => {
        secure.once('secure', resolve);
        secure.once('error', reject);
        secure.once('close', () => reject(new Error('closed during the TLS handshake')));
      });
      stream = secure;
      reader = new StreamReader(secure);
      result.tls = { protocol: secure.getProtocol(), cipher: secure.getCipher().name, handshakeMs: performance.now() - t0 };
    },
    setCipher: () => {
      throw new Error('not used by this type');
    },
  };
  try {
    if (rfbPrelude) {
      // RFC 6143 §7.1.1–7.1.2: version, then the one security type on offer and the client's choice.
      io.write(Buffer.from('RFB 003.008\n', 'latin1'));
      await io.read(12);
      io.write(Buffer.from([1, type.id]));
      const chosen = (await io.read(1))[0];
      if (chosen !== type.id) throw new Error(`client chose security type ${chosen}`);
    }
    const outcome = await type.authenticate({ io, credentials, keys });
    result.outcome = outcome;
    const reason = outcome.ok ? Buffer.alloc(0) : Buffer.from(outcome.reason);
    const head = Buffer.alloc(outcome.ok ? 4 : 8);
    head.writeUInt32BE(outcome.ok ? 0 : 1, 0);
    if (!outcome.ok) head.writeUInt32BE(reason.length, 4);
    stream.write(Buffer.concat([head, reason]));
    if (!outcome.ok) stream.end();
    else if (after) await after(io);
  } catch (e) {
    result.error = e as Error;
    stream.end();
    setTimeout(() => stream.destroy(), 200).unref();
  } finally {
    clearTimeout(timer);
  }
  return result;
}

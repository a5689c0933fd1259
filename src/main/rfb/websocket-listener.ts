import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { isLoopbackHost } from '../../shared/hosts.js';
import { listen } from '../base/listen.js';
import { getLogger } from '../base/logger.js';

/**
 * RFB over WebSocket, for browser viewers such as noVNC: an HTTP server whose
 * every path upgrades to a WebSocket carrying the RFB byte stream in binary
 * frames (the websockify convention, without a proxy in between).
 */

/** Whatever serves a client over a stream: the RfbServer. */
export interface StreamAcceptor {
  accept(stream: WebSocketStream, transport: 'websocket' | 'websocket-tls'): unknown;
  /** When the server has no password, browsers are only let in from loopback origins by default. */
  readonly options?: { readonly password: string | null; readonly viewOnlyPassword?: string | null };
}

export interface WebSocketListenerOptions {
  /** Largest WebSocket message accepted from a client, in bytes (default 64 MiB). */
  maxPayload?: number;
  /**
   * Which browser origins (the `Origin` header, e.g. `https://example.org`)
   * may connect. 'any' lets every origin in; a list allows exactly those (and
   * clients that send no Origin, i.e. not browsers). Default: 'any' when the
   * server has a password, otherwise loopback origins only (http(s)://localhost,
   * 127.0.0.0/8, [::1]), so a web page elsewhere cannot drive an unprotected
   * desktop through the visitor's browser.
   */
  origins?: 'any' | readonly string[];
  /** Bound on receiving the HTTP upgrade request's headers (default 10 s). */
  headersTimeoutMs?: number;
  /** Serve wss:// (TLS) with this certificate and key (PEM) instead of ws://. */
  tls?: { cert: string; key: string } | undefined;
}

export interface WebSocketListener {
  readonly address: AddressInfo;
  /** Whether it serves wss:// (TLS). */
  readonly secure: boolean;
  /** Stop listening and close every WebSocket connection (bounded: stragglers are cut after a second). */
  close(): Promise<void>;
}

export const DEFAULT_WEBSOCKET_MAX_PAYLOAD = 64 * 1024 * 1024;

/** Largest single frame we send: queued writes are batched into frames up to this size. */
const MAX_FRAME_BYTES = 1024 * 1024;

const log = getLogger('websocket');

/**
 * One WebSocket as the byte stream RFB expects. Every write leaves as binary
 * frames; `writableLength` counts the bytes not yet handed to the kernel (a
 * write completes when ws has flushed its frame to the TCP socket), so the
 * session's backpressure works as it does on TCP.
 */
export class WebSocketStream extends Duplex {
  readonly remoteAddress: string | undefined;
  readonly remotePort: number | undefined;

  constructor(
    private readonly ws: WebSocket,
    remote: { remoteAddress?: string | undefined; remotePort?: number | undefined },
  ) {
    super({ allowHalfOpen: false, decodeStrings: true });
    this.remoteAddress = remote.remoteAddress;
    this.remotePort = remote.remotePort;
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (!isBinary) {
        // websockify's old 'base64' text subprotocol is not spoken here
        ws.close(1003, 'binary frames only');
        return;
      }
      const chunk = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
      if (!this.push(chunk)) ws.pause();
    });
    ws.on('close', () => {
      this.push(null);
      // allowHalfOpen is off, so the stream ends and closes itself once read; make sure of it.
      setTimeout(() => this.destroy(), 1000).unref();
    });
    ws.on('error', (err: Error) => this.destroy(err));
  }

  /** Bytes queued in ws and its TCP socket beyond what this stream still holds. */
  get bufferedAmount(): number {
    return this.ws.bufferedAmount;
  }

  override _read(): void {
    if (this.ws.isPaused) this.ws.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.sendFrames([chunk], callback);
  }

  override _writev(chunks: Array<{ chunk: Buffer; encoding: BufferEncoding }>, callback: (error?: Error | null) => void): void {
    this.sendFrames(
      chunks.map((c) => c.chunk),
      callback,
    );
  }

  override _final(callback: (error?: Error | null) => void): void {
    // The close frame follows the data already queued.
    if (this.ws.readyState === WebSocket.OPEN) this.ws.close(1000);
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (this.ws.readyState !== WebSocket.CLOSED) this.ws.terminate();
    callback(error);
  }

  /** Send the chunks as binary frames (small ones merged, up to MAX_FRAME_BYTES a frame); `done` once all are flushed. */
  private sendFrames(chunks: Buffer[], done: (error?: Error | null) => void): void {
    if (this.ws.readyState !== WebSocket.OPEN) {
      done(); // closing: the bytes have nowhere to go, and 'close' follows
      return;
    }
    const frames: Buffer[] = [];
    let batch: Buffer[] = [];
    let size = 0;
    const flush = (): void => {
      if (batch.length > 0) frames.push(batch.length === 1 ? batch[0]! : Buffer.concat(batch, size));
      batch = [];
      size = 0;
    };
    for (const chunk of chunks) {
      for (let at = 0; at < chunk.length; ) {
        const take = Math.min(chunk.length - at, MAX_FRAME_BYTES - size);
        batch.push(at === 0 && take === chunk.length ? chunk : chunk.subarray(at, at + take));
        size += take;
        at += take;
        if (size >= MAX_FRAME_BYTES) flush();
      }
    }
    flush();
    if (frames.length === 0) {
      done();
      return;
    }
    let left = frames.length;
    let failed: Error | null = null;
    for (const frame of frames) {
      this.ws.send(frame, { binary: true, compress: false }, (err?: Error) => {
        if (err && !failed) failed = err;
        if (--left === 0) done(failed);
      });
    }
  }
}

/** Whether a browser at `origin` may connect (undefined: not a browser). */
export function originAllowed(origin: string | undefined, policy: 'any' | 'loopback' | readonly string[]): boolean {
  if (origin === undefined || policy === 'any') return true;
  if (policy === 'loopback') {
    try {
      const u = new URL(origin);
      return (u.protocol === 'http:' || u.protocol === 'https:') && isLoopbackHost(u.hostname);
    } catch {
      return false;
    }
  }
  const o = origin.toLowerCase();
  return policy.some((p) => p.toLowerCase().replace(/\/+$/, '') === o);
}

function refuseUpgrade(socket: Duplex, status: number, reason: string, text: string): void {
  const body = `${text}\n`;
  socket.on('error', () => {
    /* the client went away first */
  });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
  setTimeout(() => socket.destroy(), 1000).unref();
}

const UPGRADE_REQUIRED =
  'This is the WebSocket port of a VNC server: open it with a browser VNC viewer such as noVNC (ws://host:port/).\n';

/**
 * Listen for WebSocket connections on `host:port` (port 0 picks a free one)
 * and hand each to `server.accept`. Any path upgrades (noVNC uses `/` or
 * `/websockify`); the `binary` subprotocol is chosen when offered, and a
 * client that offers none is served too. Plain HTTP requests get 426.
 */
export async function listenWebSocket(
  server: StreamAcceptor,
  port: number,
  host: string,
  opts: WebSocketListenerOptions = {},
): Promise<WebSocketListener> {
  const open = server.options !== undefined && server.options.password === null && (server.options.viewOnlyPassword ?? null) === null;
  const originPolicy = opts.origins ?? (open ? 'loopback' : 'any');
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: opts.maxPayload ?? DEFAULT_WEBSOCKET_MAX_PAYLOAD,
    perMessageDeflate: false,
    clientTracking: true,
    handleProtocols: (protocols) => (protocols.has('binary') ? 'binary' : false),
  });
  wss.on('error', (err) => log.warn({ err }, 'websocket server error'));

  const headersTimeout = opts.headersTimeoutMs ?? 10_000;
  const serverOptions = { headersTimeout, requestTimeout: headersTimeout, keepAliveTimeout: 1000, connectionsCheckingInterval: 1000 };
  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    res.on('error', () => {
      /* client gone */
    });
    res.writeHead(426, {
      'Content-Type': 'text/plain; charset=utf-8',
      'Content-Length': Buffer.byteLength(UPGRADE_REQUIRED),
      Upgrade: 'websocket',
      Connection: 'Upgrade, close',
    });
    res.end(req.method === 'HEAD' ? undefined : UPGRADE_REQUIRED);
  };
  // wss:// is the same server inside TLS: the browser's TLS protects the RFB stream, so VeNCrypt's Plain may be offered on it.
  const http1: http.Server = opts.tls ? https.createServer({ ...serverOptions, cert: opts.tls.cert, key: opts.tls.key }, onRequest) : http.createServer(serverOptions, onRequest);
  const transport = opts.tls ? 'websocket-tls' : 'websocket';

  http1.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    const tcp = req.socket as Socket;
    const remote = { remoteAddress: tcp.remoteAddress, remotePort: tcp.remotePort };
    const origin = req.headers.origin;
    if (!originAllowed(origin, originPolicy)) {
      log.warn({ origin, client: `${remote.remoteAddress}:${remote.remotePort}` }, 'websocket from a disallowed origin refused');
      refuseUpgrade(socket, 403, 'Forbidden', 'This origin may not connect to this VNC server.');
      return;
    }
    if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket') {
      refuseUpgrade(socket, 400, 'Bad Request', 'Only WebSocket upgrades are served here.');
      return;
    }
    try {
      wss.handleUpgrade(req, socket, head, (ws) => {
        const stream = new WebSocketStream(ws, remote);
        log.debug({ client: `${remote.remoteAddress}:${remote.remotePort}`, path: req.url, protocol: ws.protocol }, 'websocket client');
        try {
          server.accept(stream, transport);
        } catch (err) {
          log.error({ err }, 'could not serve a websocket client');
          stream.destroy();
        }
      });
    } catch (err) {
      log.warn({ err }, 'websocket upgrade failed');
      socket.destroy();
    }
  });
  http1.on('clientError', (err: Error & { code?: string }, socket: Duplex) => {
    const status = err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request';
    if (socket.writable) socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    socket.destroy();
  });

  const address = await listen(http1, port, host, 'WebSocket viewers');
  http1.on('error', (err) => log.error({ err }, 'websocket listener error'));

  let closing: Promise<void> | null = null;
  return {
    address,
    secure: opts.tls !== undefined,
    close() {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => http1.close(() => resolve()));
        for (const ws of wss.clients) ws.close(1001, 'server shutting down');
        http1.closeIdleConnections();
        const grace = setTimeout(() => {
          for (const ws of wss.clients) ws.terminate();
          http1.closeAllConnections();
        }, 1000);
        grace.unref();
        await Promise.race([closed, new Promise((r) => setTimeout(r, 3000).unref())]);
        clearTimeout(grace);
        for (const ws of wss.clients) ws.terminate();
        await new Promise<void>((resolve) => wss.close(() => resolve()));
      })();
      return closing;
    },
  };
}

/**
 * The app's one-line hook: with a port configured, listen for WebSocket
 * viewers next to the TCP listener; without one, do nothing (null).
 */
export async function startWebSocketTransport(
  server: StreamAcceptor,
  port: number | null | undefined,
  host: string,
  opts?: WebSocketListenerOptions,
): Promise<WebSocketListener | null> {
  if (port === null || port === undefined) return null;
  const listener = await listenWebSocket(server, port, host, opts);
  log.info({ host: listener.address.address, port: listener.address.port }, 'listening for WebSocket viewers');
  return listener;
}

import http from 'node:http';
import type { Socket } from 'node:net';
import { Duplex } from 'node:stream';
import tls from 'node:tls';
import { WebSocketServer } from 'ws';
import { isLoopbackHost } from '../../shared/hosts.js';
import { getLogger } from '../base/logger.js';
import { WebSocketStream } from './websocket-stream.js';
import type { SessionGrant } from './session/context.js';

/**
 * Browser viewers (noVNC) reach the RFB server through a WebSocket upgrade,
 * wherever it arrives: the VNC port itself (its first bytes are HTTP, or a
 * TLS ClientHello for wss://), the dashboard's HTTP port at /websockify, or
 * the separate --websocket-port. This is the one place that checks the
 * browser's origin, chooses the subprotocol and hands the byte stream to the
 * server, so all three behave alike.
 */

/** Whatever serves a client over a stream: the RfbServer. */
export interface StreamAcceptor {
  accept(stream: WebSocketStream, transport: 'websocket' | 'websocket-tls', grant?: SessionGrant): unknown;
  /** When the server has no password, browsers are only let in from loopback origins by default. */
  readonly options?: { readonly password: string | null; readonly viewOnlyPassword?: string | null };
}

export type OriginPolicy = 'any' | 'loopback' | readonly string[];

export interface GatewayOptions {
  /** Largest WebSocket message accepted from a client, in bytes (default 64 MiB). */
  maxPayload?: number;
  /**
   * Which browser origins (the `Origin` header, e.g. `https://example.org`)
   * may connect. 'any' lets every origin in; a list allows exactly those (and
   * clients that send no Origin, i.e. not browsers). Default: 'any' when the
   * server has a password, otherwise loopback origins only, so a web page
   * elsewhere cannot drive an unprotected desktop through its visitor's
   * browser. Read at each upgrade (the setting can change while running).
   */
  origins?: OriginPolicy | (() => OriginPolicy | undefined);
  /** Bound on a raw connection's TLS handshake and HTTP request headers (default 10 s). */
  headersTimeoutMs?: number;
  /**
   * Checks (and uses up) an invitation's secret, from `?invite=` on the
   * upgrade's URL. Without it, `invite` is ignored.
   */
  redeemInvitation?: (secret: string, client: string) => SessionGrant;
  /** Certificate and key (PEM) for wss:// on the VNC port; without them a TLS ClientHello there is hung up on. */
  tls?: { cert: string; key: string } | undefined;
}

export const DEFAULT_WEBSOCKET_MAX_PAYLOAD = 64 * 1024 * 1024;

const log = getLogger('websocket');

/** Whether a browser at `origin` may connect (undefined: not a browser). */
export function originAllowed(origin: string | undefined, policy: OriginPolicy): boolean {
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

/** Whether the request's Origin is the server it was sent to (a page that server served). */
function isSameOrigin(req: http.IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (!origin || !req.headers.host) return false;
  try {
    return new URL(origin).host.toLowerCase() === req.headers.host.toLowerCase();
  } catch {
    return false;
  }
}

/** Answer an upgrade we will not make with a plain HTTP status, then hang up. */
export function refuseUpgrade(socket: Duplex, status: number, reason: string, text: string): void {
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

export const UPGRADE_REQUIRED =
  'This is the port of a VNC server: open it with a VNC viewer, or with a browser VNC viewer such as noVNC over WebSocket (ws://host:port/).\n';

/** A plain HTTP request where only WebSocket upgrades are served: 426 with a line saying what this is. */
export function answerPlainRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
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
}

/**
 * A TCP socket seen through a plain stream. TLS over a net.Socket reads from
 * its handle directly and would miss the bytes we read to tell TLS from RFB
 * and put back; over this view it reads them first.
 */
class SocketView extends Duplex {
  constructor(private readonly socket: Socket) {
    super({ allowHalfOpen: false });
    socket.on('data', (d: Buffer) => {
      if (!this.push(d)) socket.pause();
    });
    socket.on('end', () => this.push(null));
    socket.on('error', (e) => this.destroy(e));
    socket.on('close', () => this.destroy());
  }
  override _read(): void {
    this.socket.resume();
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.socket.write(chunk, cb);
  }
  override _final(cb: (e?: Error | null) => void): void {
    this.socket.end();
    cb();
  }
  override _destroy(e: Error | null, cb: (e?: Error | null) => void): void {
    this.socket.destroy();
    cb(e);
  }
}

type Remote = { remoteAddress?: string | undefined; remotePort?: number | undefined };

export class WebSocketGateway {
  private readonly wss: WebSocketServer;
  private readonly headersTimeoutMs: number;
  /** Parses HTTP on raw connections from the VNC port (never listens itself). */
  private readonly http1: http.Server;
  /** The certificate and key for wss:// on the VNC port (null: none). */
  private readonly tlsKeys: { cert: string; key: string } | null;
  /** Where a TLS connection over a SocketView really comes from (the view has no address of its own). */
  private readonly remotes = new WeakMap<object, Remote>();
  /** Raw connections whose request became an upgrade (their time limit no longer applies). */
  private readonly upgraded = new WeakSet<object>();
  /** The stream a TLS connection runs over (its time limit is the one running). */
  private readonly carriers = new WeakMap<object, object>();

  constructor(
    private readonly acceptor: StreamAcceptor,
    private readonly opts: GatewayOptions = {},
  ) {
    this.headersTimeoutMs = opts.headersTimeoutMs ?? 10_000;
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: opts.maxPayload ?? DEFAULT_WEBSOCKET_MAX_PAYLOAD,
      perMessageDeflate: false,
      clientTracking: true,
      // noVNC offers 'binary'; websockify also speaks 'base64'. A client that offers neither is served binary.
      handleProtocols: (protocols) => (protocols.has('binary') ? 'binary' : protocols.has('base64') ? 'base64' : false),
    });
    this.wss.on('error', (err) => log.warn({ err }, 'websocket server error'));
    const t = this.headersTimeoutMs;
    this.http1 = http.createServer({ headersTimeout: t, requestTimeout: t, keepAliveTimeout: 1000, connectionsCheckingInterval: 1000 }, answerPlainRequest);
    this.http1.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(req, socket, head));
    this.http1.on('clientError', (err: Error & { code?: string }, socket: Duplex) => {
      const status = err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request';
      if (socket.writable) socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      socket.destroy();
    });
    this.tlsKeys = opts.tls ?? null;
  }

  /** WebSocket viewers connected now. */
  get clients(): number {
    return this.wss.clients.size;
  }

  private originPolicy(): OriginPolicy {
    const chosen = typeof this.opts.origins === 'function' ? this.opts.origins() : this.opts.origins;
    if (chosen) return chosen;
    const o = this.acceptor.options;
    const open = o !== undefined && o.password === null && (o.viewOnlyPassword ?? null) === null;
    return open ? 'loopback' : 'any';
  }

  /**
   * An HTTP upgrade request, from whichever HTTP server received it. With
   * `sameOrigin`, a page served by that same server (Origin matching Host)
   * may connect whatever the origin policy says.
   */
  upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer, opts: { sameOrigin?: boolean } = {}): void {
    socket.on('error', () => undefined);
    this.upgraded.add(req.socket);
    const carrier = this.carriers.get(req.socket);
    if (carrier) this.upgraded.add(carrier);
    const remote: Remote = this.remotes.get(req.socket) ?? { remoteAddress: req.socket.remoteAddress, remotePort: req.socket.remotePort };
    const origin = req.headers.origin;
    if (!(opts.sameOrigin && isSameOrigin(req)) && !originAllowed(origin, this.originPolicy())) {
      log.warn({ origin, client: `${remote.remoteAddress}:${remote.remotePort}` }, 'websocket from a disallowed origin refused');
      refuseUpgrade(socket, 403, 'Forbidden', 'This origin may not connect to this VNC server.');
      return;
    }
    if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket') {
      refuseUpgrade(socket, 400, 'Bad Request', 'Only WebSocket upgrades are served here.');
      return;
    }
    // wss:// is the same stream inside TLS: the browser's TLS protects it, so VeNCrypt's Plain may be offered on it.
    const transport = (req.socket as Partial<tls.TLSSocket>).encrypted ? 'websocket-tls' : 'websocket';
    const url = new URL(req.url ?? '/', 'http://localhost');
    const secret = url.searchParams.get('invite');
    const client = `${remote.remoteAddress}:${remote.remotePort}`;
    try {
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        const stream = new WebSocketStream(ws, remote);
        // The path only: a query may hold an invitation's secret, which never reaches a log.
        log.debug({ client, path: url.pathname, protocol: ws.protocol, transport, invitation: secret !== null }, 'websocket client');
        // Checked once the socket is a WebSocket, so a refused invitation's reason reaches the viewer through RFB.
        const grant = secret !== null && this.opts.redeemInvitation ? this.opts.redeemInvitation(secret, client) : undefined;
        try {
          this.acceptor.accept(stream, transport, grant);
        } catch (err) {
          log.error({ err }, 'could not serve a websocket client');
          stream.destroy();
        }
      });
    } catch (err) {
      log.warn({ err }, 'websocket upgrade failed');
      socket.destroy();
    }
  }

  /**
   * A raw connection whose first bytes (already read and put back with
   * unshift) were an HTTP request, or with `tls` a TLS ClientHello.
   */
  serveConnection(socket: Socket, kind: 'http' | 'tls'): void {
    socket.on('error', () => undefined);
    if (kind === 'http') {
      this.limitTime(socket, socket);
      this.http1.emit('connection', socket);
      socket.resume(); // paused while its first bytes were put back; the parser is attached now
      return;
    }
    if (!this.tlsKeys) {
      log.debug({ client: `${socket.remoteAddress}:${socket.remotePort}` }, 'TLS on the VNC port without a certificate: hung up');
      socket.destroy();
      return;
    }
    // Through a tls.Server (never listening) rather than a bare TLSSocket: only then does a TLS error
    // after the handshake reach 'error' and close the socket (see session/connection.ts).
    const view = new SocketView(socket);
    const remote: Remote = { remoteAddress: socket.remoteAddress, remotePort: socket.remotePort };
    const server = tls.createServer({ ...this.tlsKeys, handshakeTimeout: this.headersTimeoutMs });
    server.once('secureConnection', (secure: tls.TLSSocket) => {
      // The view under it has no address of its own: the upgrade is told the real one.
      this.remotes.set(secure, remote);
      this.carriers.set(secure, view);
      secure.on('error', () => secure.destroy());
      this.http1.emit('connection', secure);
    });
    server.once('tlsClientError', (err: Error, tlsSocket: tls.TLSSocket) => {
      log.debug({ err, client: `${remote.remoteAddress}:${remote.remotePort}` }, 'TLS on the VNC port failed');
      tlsSocket.destroy();
      socket.destroy();
    });
    this.limitTime(view, socket);
    server.emit('connection', view);
    socket.resume();
  }

  /**
   * The TLS handshake and the request's headers must be done within the
   * time limit (an HTTP server enforces it only on connections it accepted
   * itself, and this one never listens).
   */
  private limitTime(conn: Duplex, socket: Socket): void {
    const timer = setTimeout(() => {
      if (this.upgraded.has(conn)) return;
      log.debug({ client: `${socket.remoteAddress}:${socket.remotePort}` }, 'no WebSocket upgrade in time on the VNC port: hung up');
      conn.destroy();
      socket.destroy();
    }, this.headersTimeoutMs);
    timer.unref();
    conn.once('close', () => clearTimeout(timer));
  }

  /** Close every WebSocket viewer (1001) and any raw connection still in its HTTP request; bounded. */
  async close(): Promise<void> {
    for (const ws of this.wss.clients) ws.close(1001, 'server shutting down');
    this.http1.closeAllConnections();
    const grace = setTimeout(() => {
      for (const ws of this.wss.clients) ws.terminate();
    }, 1000);
    grace.unref();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    clearTimeout(grace);
    for (const ws of this.wss.clients) ws.terminate();
  }
}

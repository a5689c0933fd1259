import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import type { ControlErrorData, WireEvent, WireResponse } from '../../shared/control-contract.js';
import { originAllowed, type WebSocketGateway } from '../rfb/websocket-gateway.js';
import { dashboardFiles } from './dashboard-files.js';
import { listen } from '../base/listen.js';
import { getLogger } from '../base/logger.js';
import type { ControlService } from './control-service.js';

/**
 * The control API over WebSocket, for the headless dashboard.
 *
 * Connect to `ws://host:port/control?token=TOKEN`. A missing or wrong token
 * gets the connection closed with code 4401 (a browser sees close codes, not
 * HTTP statuses). Then, as JSON text frames:
 *
 *   → {"id": 1, "method": "listClients"}
 *   ← {"id": 1, "result": [...]}
 *   ← {"id": 2, "error": {"message": "...", "code": "invalid-settings", "fieldErrors": {"port": ["..."]}}}
 *   ← {"event": "metrics", "payload": {...}}         (after {"method": "subscribe", "params": {"event": "metrics"}})
 *
 * Method names are checked against the contract's list (ControlConnection),
 * messages are bounded in size, and a peer's subscriptions end with it.
 */

/** Close code for a refused token (4000–4999 are the application's). */
export const CLOSE_UNAUTHORIZED = 4401;
/** Close code for a peer that does not speak the protocol (binary frames). */
export const CLOSE_UNSUPPORTED = 1003;

export const DEFAULT_CONTROL_PATH = '/control';
export const DEFAULT_MAX_MESSAGE_BYTES = 256 * 1024;
/** A peer that stops reading loses events (never replies) once this much is queued for it. */
const MAX_BUFFERED_EVENT_BYTES = 4 * 1024 * 1024;
/** Requests one peer may have running at once. */
const MAX_IN_FLIGHT = 32;

const log = getLogger('control-ws');

export interface ControlWebSocketOptions {
  /** Shared secret required as `?token=`; default: 32 random bytes, base64url (read it back from `.token`). */
  token?: string;
  /** Path to serve (default /control); other paths get 404. */
  path?: string;
  /** Largest message accepted from a peer, in bytes (default 256 KiB); bigger ones close the connection (1009). */
  maxMessageBytes?: number;
  /** Browser origins allowed to connect (default 'any': the token is the guard). */
  origins?: 'any' | 'loopback' | readonly string[];
  /**
   * Serve the dashboard's web page on every other path (see dashboard-files.ts):
   * `true` for the built renderer, or the folder holding it. Default: off (404).
   */
  page?: boolean | string;
  /** Browser viewers at /websockify: RFB over WebSocket through this gateway (noVNC's default path). */
  websockify?: WebSocketGateway;
  /** Serve https:// and wss:// with this certificate and key (PEM). */
  tls?: { cert: string; key: string } | undefined;
}

/** Where browser viewers reach the RFB server on the dashboard's port. */
export const WEBSOCKIFY_PATH = '/websockify';

export interface ControlWebSocketServer {
  readonly address: AddressInfo;
  readonly token: string;
  /** ws://host:port/path?token=… ready to hand to a dashboard. */
  readonly url: string;
  /** http://host:port/?token=… : the dashboard page, when it is served. */
  readonly pageUrl: string | null;
  /** Whether it serves https:// and wss://. */
  readonly secure: boolean;
  /** Peers connected now. */
  readonly connections: number;
  close(): Promise<void>;
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** Whether `given` is `expected`, in time that does not depend on where they differ. */
export function tokenMatches(given: string | null | undefined, expected: string): boolean {
  if (typeof given !== 'string') return false;
  // Hashing first gives equal lengths, so the comparison leaks neither content nor length.
  return timingSafeEqual(digest(given), digest(expected));
}

function rawToString(data: RawData): string {
  const buf = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
  return buf.toString('utf8');
}

/**
 * The upgrade handler on its own, so the dashboard's HTTP server (or a test)
 * can route `path` to it; `listenControlWebSocket` wraps it in a server.
 */
export class ControlWebSocketHub {
  readonly token: string;
  readonly path: string;
  private readonly wss: WebSocketServer;
  private readonly origins: 'any' | 'loopback' | readonly string[];

  constructor(
    private readonly control: ControlService,
    opts: ControlWebSocketOptions = {},
  ) {
    this.token = opts.token ?? randomBytes(32).toString('base64url');
    if (this.token.length < 16) throw new Error('the control token must be at least 16 characters');
    this.path = opts.path ?? DEFAULT_CONTROL_PATH;
    this.origins = opts.origins ?? 'any';
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: opts.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
      perMessageDeflate: false,
      clientTracking: true,
    });
    this.wss.on('error', (err) => log.warn({ err }, 'control websocket server error'));
  }

  get connections(): number {
    return this.wss.clients.size;
  }

  /** Whether this request is for us (by path). */
  matches(req: http.IncomingMessage): boolean {
    return new URL(req.url ?? '/', 'http://localhost').pathname === this.path;
  }

  handleUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    const tcp = req.socket as Socket;
    const peer = `${tcp.remoteAddress}:${tcp.remotePort}`;
    if (!originAllowed(req.headers.origin, this.origins)) {
      log.warn({ origin: req.headers.origin, client: peer }, 'control connection from a disallowed origin refused');
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      socket.destroy();
      return;
    }
    const token = new URL(req.url ?? '/', 'http://localhost').searchParams.get('token');
    const authorised = tokenMatches(token, this.token);
    try {
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        if (!authorised) {
          log.warn({ client: peer }, 'control connection with a missing or wrong token refused');
          ws.close(CLOSE_UNAUTHORIZED, 'unauthorized');
          setTimeout(() => ws.terminate(), 1000).unref();
          return;
        }
        this.serve(ws, peer);
      });
    } catch (err) {
      log.warn({ err }, 'control websocket upgrade failed');
      socket.destroy();
    }
  }

  private serve(ws: WebSocket, peer: string): void {
    log.info({ client: peer }, 'control connection');
    const send = (msg: WireResponse | WireEvent): void => {
      if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(msg));
    };
    const conn = this.control.openConnection((event) => {
      // A peer that stops reading gets no more events rather than unbounded memory.
      if (ws.bufferedAmount > MAX_BUFFERED_EVENT_BYTES) return;
      send(event);
    }, `the dashboard at ${peer}`);
    let inFlight = 0;
    const fail = (id: string | number | null, error: ControlErrorData) => send({ id, error });

    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (isBinary) {
        ws.close(CLOSE_UNSUPPORTED, 'JSON text frames only');
        return;
      }
      let msg: unknown;
      try {
        msg = JSON.parse(rawToString(data));
      } catch {
        fail(null, { message: 'not valid JSON', code: 'bad-request' });
        return;
      }
      if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) {
        fail(null, { message: 'a request is an object {id, method, params}', code: 'bad-request' });
        return;
      }
      const { id, method, params } = msg as Record<string, unknown>;
      const validId = (typeof id === 'string' && id.length <= 128) || (typeof id === 'number' && Number.isFinite(id));
      if (!validId) {
        fail(null, { message: 'id must be a number or a string of at most 128 characters', code: 'bad-request' });
        return;
      }
      const rid = id as string | number;
      if (inFlight >= MAX_IN_FLIGHT) {
        fail(rid, { message: `too many requests at once (at most ${MAX_IN_FLIGHT})`, code: 'unavailable' });
        return;
      }
      inFlight++;
      void conn.call(method, params).then((reply) => {
        inFlight--;
        send({ id: rid, ...reply });
      });
    });
    ws.on('close', () => {
      conn.close();
      log.info({ client: peer }, 'control connection closed');
    });
    ws.on('error', (err) => {
      log.debug({ err, client: peer }, 'control connection error');
      conn.close();
    });
  }

  /** Close every connection (1001) and stop accepting. */
  async close(): Promise<void> {
    for (const ws of this.wss.clients) ws.close(1001, 'server shutting down');
    const grace = setTimeout(() => {
      for (const ws of this.wss.clients) ws.terminate();
    }, 1000);
    grace.unref();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    clearTimeout(grace);
    for (const ws of this.wss.clients) ws.terminate();
  }
}

/**
 * Serve the control API on `host:port` (port 0 picks a free one), and with
 * `page` the dashboard's web page. Plain HTTP requests get 426 on the control
 * path, and 404 elsewhere when there is no page.
 */
export async function listenControlWebSocket(
  control: ControlService,
  port: number,
  host: string,
  opts: ControlWebSocketOptions = {},
): Promise<ControlWebSocketServer> {
  const hub = new ControlWebSocketHub(control, opts);
  const page = opts.page
    ? dashboardFiles({ authorised: (token) => tokenMatches(token, hub.token), ...(typeof opts.page === 'string' ? { root: opts.page } : {}) })
    : null;
  const serverOptions = { headersTimeout: 10_000, requestTimeout: 10_000, keepAliveTimeout: 1000 };
  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    res.on('error', () => undefined);
    const here = hub.matches(req);
    if (!here && page) {
      page(req, res);
      return;
    }
    const body = here ? 'This is the TrayVNC control API: connect with a WebSocket.\n' : 'Not found\n';
    res.writeHead(here ? 426 : 404, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body), Connection: 'close' });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
  const server: http.Server = opts.tls ? https.createServer({ ...serverOptions, cert: opts.tls.cert, key: opts.tls.key }, onRequest) : http.createServer(serverOptions, onRequest);
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => undefined);
    if (opts.websockify && new URL(req.url ?? '/', 'http://localhost').pathname === WEBSOCKIFY_PATH) {
      // The dashboard's own pages (the bundled viewer) are same-origin: they may connect whatever the origin list says.
      opts.websockify.upgrade(req, socket, head, { sameOrigin: true });
      return;
    }
    if (!hub.matches(req)) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      socket.destroy();
      return;
    }
    hub.handleUpgrade(req, socket, head);
  });
  server.on('clientError', (_err, socket: Duplex) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    socket.destroy();
  });
  const address = await listen(server, port, host, opts.page ? 'the dashboard' : 'the control API');
  server.on('error', (err) => log.error({ err }, 'control listener error'));
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const [web, ws] = opts.tls ? ['https', 'wss'] : ['http', 'ws'];
  log.info({ host: address.address, port: address.port }, 'control API listening');
  let closing: Promise<void> | null = null;
  return {
    address,
    token: hub.token,
    secure: opts.tls !== undefined,
    url: `${ws}://${urlHost}:${address.port}${hub.path}?token=${encodeURIComponent(hub.token)}`,
    pageUrl: page ? `${web}://${urlHost}:${address.port}/?token=${encodeURIComponent(hub.token)}` : null,
    get connections() {
      return hub.connections;
    },
    close() {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        await hub.close();
        server.closeAllConnections();
        await Promise.race([closed, new Promise((r) => setTimeout(r, 3000).unref())]);
      })();
      return closing;
    },
  };
}

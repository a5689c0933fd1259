import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { listen } from '../base/listen.js';
import { getLogger } from '../base/logger.js';
import { answerPlainRequest, WebSocketGateway, type GatewayOptions, type StreamAcceptor } from './websocket-gateway.js';

/**
 * RFB over WebSocket on a port of its own (--websocket-port), for browser
 * viewers such as noVNC: an HTTP server whose every path upgrades to a
 * WebSocket carrying the RFB byte stream (the websockify convention, without
 * a proxy in between). The VNC port and the dashboard's /websockify serve the
 * same through the same gateway.
 */

export { DEFAULT_WEBSOCKET_MAX_PAYLOAD, originAllowed, type StreamAcceptor } from './websocket-gateway.js';
export { WebSocketStream } from './websocket-stream.js';

export interface WebSocketListenerOptions extends Omit<GatewayOptions, 'tls'> {
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

const log = getLogger('websocket');

/**
 * Listen for WebSocket connections on `host:port` (port 0 picks a free one)
 * and hand each to `server.accept`. Any path upgrades (noVNC uses `/` or
 * `/websockify`); plain HTTP requests get 426.
 */
export async function listenWebSocket(server: StreamAcceptor, port: number, host: string, opts: WebSocketListenerOptions = {}): Promise<WebSocketListener> {
  const { tls, ...gatewayOpts } = opts;
  const gateway = new WebSocketGateway(server, gatewayOpts);
  const headersTimeout = opts.headersTimeoutMs ?? 10_000;
  const serverOptions = { headersTimeout, requestTimeout: headersTimeout, keepAliveTimeout: 1000, connectionsCheckingInterval: 1000 };
  const http1: http.Server = tls ? https.createServer({ ...serverOptions, cert: tls.cert, key: tls.key }, answerPlainRequest) : http.createServer(serverOptions, answerPlainRequest);
  http1.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => gateway.upgrade(req, socket, head));
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
    secure: tls !== undefined,
    close() {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => http1.close(() => resolve()));
        http1.closeIdleConnections();
        const grace = setTimeout(() => http1.closeAllConnections(), 1000);
        grace.unref();
        await gateway.close();
        await Promise.race([closed, new Promise((r) => setTimeout(r, 3000).unref())]);
        clearTimeout(grace);
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

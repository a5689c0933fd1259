import type { Socket } from 'node:net';
import { PendingHandshakes, type PendingLimits } from './admission/pending-handshakes.js';

/**
 * Browsers on the VNC port itself. An RFB client says nothing until the
 * server has sent its version; a browser's WebSocket starts with an HTTP
 * request (or, for wss://, a TLS ClientHello). So a new connection waits a
 * moment for a first byte before the server speaks — as LibVNCServer does —
 * and goes to the WebSocket gateway when it heard HTTP or TLS, to the RFB
 * handshake otherwise. Whatever was read is put back for whoever takes it.
 */

/** How long to wait for a client's first bytes before speaking RFB (an RFB viewer notices 0.1 s at most). */
export const FIRST_BYTES_WAIT_MS = 100;

export type FirstBytesKind = 'rfb' | 'http' | 'tls';

/** What the first bytes of a connection say it is (nothing heard: RFB). */
export function classifyFirstBytes(head: Buffer | null): FirstBytesKind {
  if (!head || head.length === 0) return 'rfb';
  // A TLS record of type handshake (22), version 3.x.
  if (head[0] === 0x16 && (head.length < 2 || head[1] === 0x03)) return 'tls';
  // An HTTP request line starts with a method in capitals and a space; GET is the only one that upgrades.
  // (An RFB client that speaks first starts "RFB ", which is not a method.)
  const start = head.subarray(0, 8).toString('latin1');
  if (/^[A-Z]{3,7}( |$)/.test(start) && !start.startsWith('RFB')) return 'http';
  return 'rfb';
}

export interface FirstBytesRoutes {
  rfb(socket: Socket): void;
  web(socket: Socket, kind: 'http' | 'tls'): void;
}

/**
 * Routes new connections by their first bytes. Connections still waiting
 * are bounded like pending handshakes (per address, and overall, the oldest
 * of the greediest address going first), so a flood of silent sockets
 * cannot pile up here either.
 */
export class FirstBytesRouter {
  private readonly waiting: PendingHandshakes<Socket>;

  constructor(
    private readonly routes: FirstBytesRoutes,
    private readonly waitMs = FIRST_BYTES_WAIT_MS,
    limits?: PendingLimits,
  ) {
    this.waiting = new PendingHandshakes<Socket>(limits);
  }

  route(socket: Socket): void {
    const address = socket.remoteAddress ?? 'unknown';
    for (const old of this.waiting.add(address, socket)) old.destroy();
    let settled = false;
    const settle = (head: Buffer | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.removeListener('data', onData);
      socket.removeListener('close', onClose);
      this.waiting.remove(address, socket);
      if (socket.destroyed) return;
      socket.pause();
      if (head) socket.unshift(head);
      const kind = classifyFirstBytes(head);
      if (kind !== 'rfb') {
        this.routes.web(socket, kind); // the gateway resumes it when its parser is attached
        return;
      }
      this.routes.rfb(socket);
      // The session listens for 'data', which does not restart a socket paused on purpose.
      process.nextTick(() => {
        if (!socket.destroyed && socket.isPaused() && socket.listenerCount('data') > 0) socket.resume();
      });
    };
    const onData = (d: Buffer): void => settle(d);
    const onClose = (): void => settle(null);
    const timer = setTimeout(() => settle(null), this.waitMs);
    socket.on('data', onData);
    socket.once('close', onClose);
  }
}

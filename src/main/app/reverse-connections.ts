import net from 'node:net';
import { getLogger } from '../base/logger.js';
import { ControlError } from '../../shared/control-contract.js';
import type { Session } from '../rfb/session.js';
import type { OutgoingInfo, OutgoingState } from '../../shared/invitation-contract.js';

/**
 * Reverse connections: the server calls out to a viewer in listen mode
 * (`vncviewer -listen`, TigerVNC's `vncconfig -connect`, x11vnc `-connect`),
 * for a viewer behind a firewall. Once the TCP connection is up it is served
 * exactly like an incoming one (same handshake, security and admission); a
 * connection that fails is retried with growing pauses, a bounded number of
 * times, and its state is visible throughout.
 */

/** The port viewers listen on by convention (`vncviewer -listen`). */
export const DEFAULT_LISTEN_PORT = 5500;

export type { OutgoingInfo, OutgoingState } from '../../shared/invitation-contract.js';

export interface ReverseOptions {
  /** Attempts before giving up (default 5). */
  attempts?: number;
  /** Pause before the first retry, doubled each time (default 2 s, at most 30 s). */
  firstRetryMs?: number;
  /** Bound on one TCP connect (default 10 s). */
  connectTimeoutMs?: number;
}

/** "host", "host:port", "[v6]:port" or "v6" → host and port (default 5500); throws on nonsense. */
export function parseTarget(text: string): { host: string; port: number } {
  const t = text.trim();
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(t);
  const plain = /^([^:\s]+)(?::(\d+))?$/.exec(t);
  const m = bracketed ?? plain;
  const host = m ? m[1]! : net.isIPv6(t) ? t : '';
  const port = m?.[2] !== undefined ? Number(m[2]) : DEFAULT_LISTEN_PORT;
  if (!host || !Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`"${text}" is not host[:port] (port 1-65535, default ${DEFAULT_LISTEN_PORT})`);
  return { host, port };
}

const log = getLogger('reverse');

export class ReverseConnections {
  private readonly all = new Map<number, OutgoingInfo>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly sockets = new Set<net.Socket>();
  private readonly listeners = new Set<(info: OutgoingInfo) => void>();
  private nextId = 1;
  private closed = false;
  private readonly o: Required<ReverseOptions>;

  constructor(
    /** Serve a connected socket as an incoming client (RfbServer.accept). */
    private readonly accept: (socket: net.Socket) => Session | null,
    opts: ReverseOptions = {},
  ) {
    this.o = { attempts: 5, firstRetryMs: 2000, connectTimeoutMs: 10_000, ...opts };
  }

  /** Start calling `target` (host[:port]); a malformed target fails with 'invalid-params'. */
  connect(target: string): OutgoingInfo {
    let parsed: { host: string; port: number };
    try {
      parsed = parseTarget(target);
    } catch (e) {
      throw new ControlError((e as Error).message, 'invalid-params');
    }
    const { host, port } = parsed;
    const info: OutgoingInfo = { id: this.nextId++, target: `${host.includes(':') ? `[${host}]` : host}:${port}`, state: 'connecting', attempts: 0 };
    this.all.set(info.id, info);
    this.dial(info, host, port);
    return { ...info };
  }

  /** Called with a call's new state each time it changes. */
  subscribe(listener: (info: OutgoingInfo) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  list(): OutgoingInfo[] {
    return [...this.all.values()].map((i) => ({ ...i }));
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const s of this.sockets) s.destroy();
  }

  private set(info: OutgoingInfo, state: OutgoingState, reason?: string): void {
    info.state = state;
    if (reason === undefined) delete info.reason;
    else info.reason = reason;
    for (const l of this.listeners) l({ ...info });
  }

  private dial(info: OutgoingInfo, host: string, port: number): void {
    if (this.closed) return;
    info.attempts++;
    this.set(info, 'connecting');
    log.info({ target: info.target, attempt: info.attempts }, `connecting to the listening viewer at ${info.target}`);
    const socket = net.connect({ host, port, noDelay: true, timeout: this.o.connectTimeoutMs });
    this.sockets.add(socket);
    let connected = false;
    const failed = (why: string): void => {
      if (connected) return;
      socket.destroy();
      this.sockets.delete(socket);
      if (this.closed) return;
      if (info.attempts >= this.o.attempts) {
        log.warn({ target: info.target, attempts: info.attempts }, `could not reach the listening viewer at ${info.target}: ${why}; giving up`);
        this.set(info, 'failed', `${why} (after ${info.attempts} attempts)`);
        return;
      }
      const delay = Math.min(30_000, this.o.firstRetryMs * 2 ** (info.attempts - 1));
      log.warn({ target: info.target, attempt: info.attempts, retryInMs: delay }, `could not reach the listening viewer at ${info.target}: ${why}; retrying in ${Math.round(delay / 1000)} s`);
      this.set(info, 'retrying', `${why}; retrying in ${Math.round(delay / 1000)} s`);
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.dial(info, host, port);
      }, delay);
      timer.unref();
      this.timers.add(timer);
    };
    socket.once('timeout', () => failed('no answer'));
    socket.once('error', (e: NodeJS.ErrnoException) => failed(e.code === 'ECONNREFUSED' ? 'connection refused (is the viewer listening?)' : e.message));
    socket.once('connect', () => {
      connected = true;
      socket.setTimeout(0);
      const session = this.accept(socket);
      if (!session) {
        this.sockets.delete(socket);
        this.set(info, 'ended', 'refused by the server (blocked address)');
        return;
      }
      log.info({ target: info.target }, `connected to the listening viewer at ${info.target}`);
      this.set(info, 'connected');
      socket.once('close', () => {
        this.sockets.delete(socket);
        if (info.state === 'connected') this.set(info, 'ended', 'the viewer closed the connection');
      });
    });
  }
}

/** The service's reverse connections, or the control API's error when it has none (not sharing). */
export function reverseOf(target: { readonly reverse?: ReverseConnections | null }): ReverseConnections {
  if (!target.reverse) throw new ControlError('connecting to a viewer works while the server is sharing', 'unavailable');
  return target.reverse;
}

import type { AddressInfo, Server } from 'node:net';
import { hostPort } from '../../shared/hosts.js';

/**
 * Listening on a port, for every listener the server opens (VNC, WebSocket,
 * dashboard, metrics): one place that turns Node's terse failures
 * ("listen EADDRINUSE: address already in use 127.0.0.1:5900") into a
 * sentence a user can act on, naming what the port was for.
 */

/** Why a listen failed, in words, by Node's error code. */
const REASONS: Readonly<Record<string, string>> = {
  EADDRINUSE: 'address already in use',
  EACCES: 'permission denied (ports below 1024 need privileges)',
  EADDRNOTAVAIL: 'this computer has no such address',
  EAFNOSUPPORT: 'this computer does not support that address family',
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'host name lookup failed for now (try again, or give an IP address)',
  EAI_FAIL: 'host name lookup failed',
  EINVAL: 'invalid address or port',
};

/** A listener that could not start: which address, for what, and Node's error as the cause. */
export class ListenError extends Error {
  override readonly name = 'ListenError';
  /** Node's error code (EADDRINUSE, ENOTFOUND, …), or 'EUNKNOWN'. */
  readonly code: string;

  constructor(
    readonly host: string,
    readonly port: number,
    /** What the port is for, as it reads after "for": "VNC viewers", "the dashboard". */
    readonly purpose: string,
    cause: Error,
  ) {
    const code = (cause as NodeJS.ErrnoException).code ?? 'EUNKNOWN';
    super(`cannot listen on ${hostPort(host, port)} for ${purpose}: ${REASONS[code] ?? cause.message}`, { cause });
    this.code = code;
  }
}

/**
 * Start `server` listening on `host:port` (port 0 picks a free one) and
 * resolve with the address it got, or reject with a ListenError. Errors
 * after that are the caller's to handle (add an 'error' listener).
 */
export function listen(server: Server, port: number, host: string, purpose: string): Promise<AddressInfo> {
  return new Promise<AddressInfo>((resolve, reject) => {
    const fail = (e: Error) => reject(new ListenError(host, port, purpose, e));
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      resolve(server.address() as AddressInfo);
    });
  });
}

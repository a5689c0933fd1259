/**
 * The viewer's connection states, the words its status line uses for them,
 * and when it tries again after a drop. Pure: the unit tests run it in Node.
 */

/** How many times the viewer tries again after a connection drops, before it waits for the user. */
export const RECONNECT_TRIES = 6;
const FIRST_DELAY_MS = 1000;
const MAX_DELAY_MS = 30_000;

/** The wait before try `attempt` (0-based): 1 s doubling to at most 30 s; null once the tries are used up. */
export function reconnectDelayMs(attempt: number): number | null {
  if (!Number.isInteger(attempt) || attempt < 0 || attempt >= RECONNECT_TRIES) return null;
  return Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** attempt);
}

export type ViewerStatus =
  | { kind: 'connecting' }
  | { kind: 'connected'; desktopName: string }
  | { kind: 'disconnected'; reason: string }
  | { kind: 'reconnecting'; reason: string; seconds: number; attempt: number };

/** The status line: "Connecting…", "Connected to NAME", "Disconnected: REASON", "… Reconnecting in 3 s (try 2 of 6)". */
export function statusText(s: ViewerStatus): string {
  switch (s.kind) {
    case 'connecting':
      return 'Connecting…';
    case 'connected':
      return s.desktopName ? `Connected to ${s.desktopName}` : 'Connected';
    case 'disconnected':
      return `Disconnected: ${s.reason}`;
    case 'reconnecting':
      return `Disconnected: ${s.reason}. Reconnecting in ${Math.max(0, Math.ceil(s.seconds))} s (try ${s.attempt + 1} of ${RECONNECT_TRIES})`;
  }
}

/** What ended a connection, as far as the page can tell. */
export interface DropFacts {
  /** The WebSocket opened at all. */
  opened: boolean;
  /** noVNC got as far as 'connect' (the desktop was shown). */
  connected: boolean;
  /** noVNC's 'disconnect' said clean (it did not fail). */
  clean: boolean;
  /** The WebSocket's close event, when it came before noVNC's 'disconnect'. */
  close: { code: number; reason: string; wasClean: boolean } | null;
  /** The reason the server gave for refusing the login (securityfailure), if it did. */
  securityFailure: { reason: string | undefined } | null;
  /** The user ended it (Disconnect, or cancelling a prompt). */
  byUser: string | null;
}

/** The reason shown after "Disconnected: ", and whether the viewer should try again by itself. */
export function describeDrop(f: DropFacts): { reason: string; retry: boolean } {
  if (f.byUser !== null) return { reason: f.byUser, retry: false };
  if (f.securityFailure) return { reason: f.securityFailure.reason ? `login refused (${f.securityFailure.reason})` : 'login refused', retry: false };
  const serverSaid = f.close?.reason ? ` (${f.close.reason})` : '';
  if (!f.opened) return { reason: 'could not reach the server', retry: true };
  // The server closed the WebSocket properly: it meant to (a dashboard's Disconnect, the server stopping). Coming back would undo it.
  if (f.clean && f.close?.wasClean) return { reason: `the server closed the connection${serverSaid}`, retry: false };
  if (!f.connected) return { reason: `the connection failed before the desktop was shown${serverSaid}`, retry: true };
  return { reason: `the connection was lost${serverSaid}`, retry: true };
}
